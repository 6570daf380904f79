from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from oscar.core.loading import get_model

from blog.models import Article
from core import clock
from core.forms import AccessibleFormMixin

Product = get_model("catalogue", "Product")

# Where an article stands for a reader; "scheduled" is published with a time still to come.
DRAFT, SCHEDULED, PUBLISHED = "draft", "scheduled", "published"
STATES = [(DRAFT, "Draft"), (SCHEDULED, "Scheduled"), (PUBLISHED, "Published")]


def article_state(article) -> str:
    """The rule the article list applies in SQL (its `state` annotation), for one article."""
    if article.pk is None or article.status == Article.Status.DRAFT:
        return DRAFT
    return PUBLISHED if article.is_public else SCHEDULED


def _product_label(product) -> str:
    return f"{product.get_title()} ({product.upc})" if product.upc else product.get_title()


class ArticleSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Title",
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control mr-3"}),
    )
    state = forms.ChoiceField(
        required=False,
        label="Status",
        choices=[("", "Any status"), *STATES],
        widget=forms.Select(attrs={"class": "form-control"}),
    )

    def filter(self, articles):
        """Filters articles annotated with their `state` (see the list view)."""
        if not self.is_valid():
            return articles
        if self.cleaned_data["q"]:
            articles = articles.filter(title__icontains=self.cleaned_data["q"].strip())
        if self.cleaned_data["state"]:
            articles = articles.filter(state=self.cleaned_data["state"])
        return articles


class ArticleForm(AccessibleFormMixin, forms.ModelForm):
    publishing = forms.ChoiceField(
        label="Publishing", widget=forms.RadioSelect(attrs={"class": "form-check-input"})
    )
    publish_at = forms.DateTimeField(
        required=False,
        label="Date and time to publish",
        help_text=f"{settings.TIME_ZONE} time. Only used when scheduling.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "body",
            "featured_image",
            "featured_image_alt",
            "categories",
            "tags",
            "related_products",
            "seo_title",
            "seo_description",
        ]
        widgets = {
            "standfirst": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 24}),
        }
        labels = {"related_products": "Related products"}
        help_texts = {
            "slug": (
                "The article's address, /blog/<slug>/. Left blank, it is made from the title. "
                "Changing it on a published article breaks links to it."
            ),
            "featured_image_alt": "Required with an image: what it shows, for readers who "
            "cannot see it.",
            "related_products": "The article is listed under “Read more” on these products' pages.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        related = self.fields["related_products"]
        related.queryset = self._product_choices()
        related.label_from_instance = _product_label
        state = article_state(self.instance)
        self.fields["publishing"].choices = self._publishing_choices(state)
        self.fields["publishing"].initial = state
        if state == SCHEDULED:
            self.fields["publish_at"].initial = self.instance.published_at

    def _product_choices(self):
        """Products a reader can open (standalone and parents, not each size), and any the
        article already names, so that saving never drops one silently."""
        choosable = Q(is_public=True, structure__in=[Product.STANDALONE, Product.PARENT])
        if self.instance.pk:
            choosable |= Q(pk__in=self.instance.related_products.values("pk"))
        return Product.objects.filter(choosable).select_related("parent").order_by("title")

    def _publishing_choices(self, state):
        if state == PUBLISHED:
            since = date_format(timezone.localtime(self.instance.published_at), "j F Y, g:i a")
            published = f"Keep it published (since {since})"
        else:
            published = "Publish now"
        return [
            (DRAFT, "Save as a draft" if state == DRAFT else "Unpublish (back to a draft)"),
            (PUBLISHED, published),
            (SCHEDULED, "Schedule it for the date and time below"),
        ]

    def clean_slug(self):
        slug = self.cleaned_data["slug"] or slugify(self.cleaned_data.get("title", ""))
        if not slug:
            raise forms.ValidationError("Type a slug, or a title to make it from.")
        other = Article.objects.filter(slug=slug).exclude(pk=self.instance.pk).first()
        if other:
            raise forms.ValidationError(
                f"The article “{other.title}” already has the slug “{slug}”: choose another."
            )
        return slug

    def clean(self):
        data = super().clean()
        if data.get("featured_image") and not data.get("featured_image_alt"):
            self.add_error(
                "featured_image_alt", "Describe the image for readers who cannot see it."
            )
        if data.get("publishing") == SCHEDULED and "publish_at" not in self.errors:
            if data["publish_at"] is None:
                self.add_error("publish_at", "Choose the date and time to publish it.")
            elif data["publish_at"] <= clock.now():
                self.add_error(
                    "publish_at", "Choose a time in the future, or choose “Publish now”."
                )
        return data

    def save(self, commit=True):
        """Applies the publishing choice: a draft has no publication time; publishing keeps the
        time of an article already public (so an edit does not move it up the blog) and
        otherwise is now; scheduling sets the chosen time, and the article appears then."""
        article = self.instance
        state = self.cleaned_data["publishing"]
        if state == DRAFT:
            article.status, article.published_at = Article.Status.DRAFT, None
        elif state == SCHEDULED:
            article.status = Article.Status.PUBLISHED
            article.published_at = self.cleaned_data["publish_at"]
        elif not article.is_public:
            article.status, article.published_at = Article.Status.PUBLISHED, clock.now()
        return super().save(commit)
