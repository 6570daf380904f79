from django.apps import AppConfig


class BlogConfig(AppConfig):
    """Articles that lead readers with back pain to the supports, fund check and video call."""

    name = "blog"
    verbose_name = "Blog"

    def dashboard_menu(self) -> dict:
        """This department's section of the dashboard's navigation (sitewide gathers them)."""
        from blog.dashboard.access import can_edit_articles

        return {
            "label": "Articles",
            "icon": "fas fa-newspaper",
            "children": [
                {
                    "label": "All articles",
                    "url_name": "blog-dashboard:article-list",
                    "access_fn": can_edit_articles,
                },
                {
                    "label": "Write an article",
                    "url_name": "blog-dashboard:article-create",
                    "access_fn": can_edit_articles,
                },
            ],
        }

    def ready(self):
        from blog import pagecache

        pagecache.register()
