from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.cache import cache_page

from blog.sitemaps import SITEMAPS
from sitewide import views

urlpatterns = [
    # Before Oscar's urls: Oscar's own "" only redirects to the catalogue.
    path("", views.HomeView.as_view(), name="home"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path(
        "sitemap.xml",
        cache_page(60 * 15)(sitemap),
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
]
