"""The blog's first articles: the client's "Causes of back spasms and cramps?" and the
post-workout recovery article it links to. Bodies are Markdown files in blog/content/.

Created once, looked up by slug: edits staff make later are never overwritten."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils.text import slugify
from oscar.core.loading import get_model

from blog.models import Article, Category, Tag

Product = get_model("catalogue", "Product")

CONTENT = Path(__file__).resolve().parent / "content"
SYDNEY = ZoneInfo("Australia/Sydney")

CATEGORIES = {
    "back-pain": ("Back pain", "What causes back pain, and what helps."),
    "recovery-and-exercise": ("Recovery and exercise", "Training, recovery and staying active."),
}

ARTICLES = [
    {
        "slug": "causes-of-back-spasms-and-cramps",
        "title": "Causes of back spasms and cramps?",
        "standfirst": (
            "Eighty percent of the adult population will likely suffer from back pain at one "
            "point or another. From spasms and twinges to cramps and aches, back pain can stop "
            "you from engaging in almost every part of life. Understanding the causes of back "
            "spasms and cramps, will be the first step in treatment and prevention."
        ),
        "published_at": datetime(2026, 11, 2, 9, 0, tzinfo=SYDNEY),
        "categories": ["back-pain"],
        "tags": ["Back spasms", "Lower back", "Back supports"],
        "products": ["LUMBOTRAIN"],
        "seo_description": (
            "Injury, overuse, inactivity, posture, disc problems and stress: what causes back "
            "spasms and cramps, and how strengthening, a back support and stretching help."
        ),
    },
    {
        "slug": "5-tips-for-post-workout-muscle-recovery",
        "title": "5 tips for post-workout muscle recovery",
        "standfirst": (
            "Sore after training? Five simple habits that help your muscles recover, so you "
            "are ready for the next session and less likely to strain your back."
        ),
        "published_at": datetime(2026, 11, 9, 9, 0, tzinfo=SYDNEY),
        "categories": ["recovery-and-exercise"],
        "tags": ["Recovery", "DOMS"],
        "products": ["LUMBOTRAIN"],
        "seo_description": (
            "Cool down, refuel, sleep, keep moving and support your body: five general tips "
            "for recovering well after a workout."
        ),
    },
]


def load(stdout) -> None:
    categories = {
        slug: Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )[0]
        for slug, (name, description) in CATEGORIES.items()
    }
    created = 0
    for spec in ARTICLES:
        article, new = Article.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "title": spec["title"],
                "standfirst": spec["standfirst"],
                "body": (CONTENT / f"{spec['slug']}.md").read_text(encoding="utf-8"),
                "status": Article.Status.PUBLISHED,
                "published_at": spec["published_at"],
                "author_name": "Bauerfeind Australia",
                "seo_description": spec["seo_description"],
            },
        )
        if not new:
            continue
        created += 1
        article.categories.set([categories[slug] for slug in spec["categories"]])
        article.tags.set(
            Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})[0]
            for name in spec["tags"]
        )
        article.related_products.set(Product.objects.filter(upc__in=spec["products"]))
    stdout.write(f"Blog: {len(ARTICLES)} articles ({created} new)")
