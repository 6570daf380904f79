from django.contrib import admin
from django.utils.html import format_html

from blog.models import Article, Category, Tag
from core import clock


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "preview"]
    list_filter = ["status", "categories"]
    search_fields = ["title", "standfirst", "body"]
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ["categories", "tags", "related_products"]
    autocomplete_fields = ["author"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "standfirst", "body"]}),
        ("Image", {"fields": ["featured_image", "featured_image_alt"]}),
        ("Publishing", {"fields": ["status", "published_at", "author", "author_name"]}),
        ("Topics and products", {"fields": ["categories", "tags", "related_products"]}),
        ("Search engines", {"fields": ["seo_title", "seo_description"]}),
    ]

    @admin.display(description="Preview")
    def preview(self, article):
        return format_html('<a href="{}" target="_blank">View</a>', article.get_absolute_url())

    @admin.action(description="Publish now")
    def publish(self, request, queryset):
        for article in queryset:
            article.status = Article.Status.PUBLISHED
            article.published_at = article.published_at or clock.now()
            article.save()

    @admin.action(description="Unpublish (back to draft)")
    def unpublish(self, request, queryset):
        for article in queryset:
            article.status = Article.Status.DRAFT
            article.save()
