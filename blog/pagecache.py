"""The blog's part of the page cache (core/pagecache.py is the mechanism): its pages are
cached, and a scheduled article's time coming changes them with no row changing, so no page
is kept past it. Registered by BlogConfig.ready."""

from datetime import timedelta

from core import pagecache, pagecache_triggers

CACHED_VIEWS = ("blog:index", "blog:category", "blog:article")


def seconds_until_next_article(now) -> int | None:
    from blog.models import Article

    upcoming = Article.objects.scheduled_after(now).values_list("published_at", flat=True).first()
    return None if upcoming is None else int((upcoming - now) / timedelta(seconds=1))


def register() -> None:
    pagecache_triggers.watch_apps("blog")
    pagecache.cache_views(*CACHED_VIEWS)
    pagecache.register_expiry(seconds_until_next_article)
