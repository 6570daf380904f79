"""Articles that lead a reader with back pain to the right support, fund check and video call."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from core import clock

WORDS_PER_MINUTE = 200


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What the public may read: published, and not dated in the future."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=clock.now())

    def scheduled_after(self, moment):
        """Published for a time after ``moment``, soonest first: they go public on their own."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=moment).order_by(
            "published_at"
        )

    def newest_first(self):
        return self.order_by("-published_at", "-pk")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(help_text="The opening paragraph shown in lists and previews.")
    body = models.TextField(
        help_text=(
            "Markdown. Put a product card on a line of its own with [[product:UPC]] (e.g. "
            "[[product:LUMBOTRAIN]]); link to a page of the site with [text](url:name), "
            "e.g. [check your cover](url:insurance:enquiry)."
        )
    )
    featured_image = models.ImageField(upload_to="blog/%Y/%m/", blank=True)
    featured_image_alt = models.CharField("featured image alt text", max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    author_name = models.CharField(
        max_length=100, blank=True, help_text="Shown as the author; defaults to the user's name."
    )
    categories = models.ManyToManyField(Category, blank=True, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Published articles appear from this time on."
    )
    seo_title = models.CharField("SEO title", max_length=70, blank=True)
    seo_description = models.CharField("SEO description", max_length=160, blank=True)
    related_products = models.ManyToManyField(
        "catalogue.Product", blank=True, related_name="articles"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="published") | models.Q(published_at__isnull=False),
                name="blog_article_published_has_time",
            )
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = clock.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("blog:article", kwargs={"slug": self.slug})

    @property
    def is_public(self) -> bool:
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= clock.now()
        )

    @property
    def byline(self) -> str:
        if self.author_name:
            return self.author_name
        if self.author:
            return self.author.get_full_name() or self.author.get_username()
        return settings.OSCAR_SHOP_NAME

    @cached_property
    def reading_minutes(self) -> int:
        words = len(self.body.split()) + len(self.standfirst.split())
        return max(1, round(words / WORDS_PER_MINUTE))

    @property
    def meta_title(self) -> str:
        return self.seo_title or self.title

    @property
    def meta_description(self) -> str:
        return self.seo_description or self.standfirst[:160]
