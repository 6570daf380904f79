from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path

from core import views as core_views
from receipts import urls as receipts_urls
from shop import feeds as shop_feeds
from shop import views as shop_views
from shop.reviews_views import review_elsewhere
from staff_auth import twofactor

_customer = apps.get_app_config("customer")

urlpatterns = [
    # Before Oscar's urls: Oscar's own "" only redirects to the catalogue.
    path("", include("sitewide.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("blog/", include("blog.urls")),
    # Beside Oscar's /accounts/ pages (before its urls below): enquiries and calls.
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("receipts.urls")),  # an order's tax invoice
    path("", include("shop.urls")),  # the returns policy, exchanges and returns
    path("insurance/", include("insurance.urls")),
    path("consultations/", include("consultations.urls")),
    path("checkout/stripe/webhook/", shop_views.stripe_webhook, name="stripe-webhook"),
    path("feeds/products.xml", shop_feeds.merchant_feed, name="merchant-feed"),  # for Google
    # Oscar's own pages for these (reversed by Oscar's names), with a guessed link answering 404.
    re_path(
        r"^accounts/order-status/(?P<order_number>[^/]*)/(?P<hash>[^/]+)/$",
        shop_views.signed_order_link(_customer.anon_order_detail_view.as_view()),
    ),
    re_path(
        r"^accounts/order-status-form/(?P<order_number>[^/]*)/(?P<hash>[^/]+)/$",
        shop_views.signed_order_link(_customer.anon_order_form_view.as_view()),
    ),
    path("wishlists/<str:key>/", shop_views.WishListView.as_view()),
    # Oscar's stock alerts e-mail any address anyone types (django-oscar issue 2401): gone,
    # replaced by shop/alerts.py's, which the address confirms first.
    path("accounts/alerts/create/<int:pk>/", shop_views.gone),
    # Oscar's "write a review", open to anyone: reviews come from buyers only (shop/reviews.py).
    re_path(r"^catalogue/[\w-]+_(?P<product_pk>\d+)/reviews/add/$", review_elsewhere),
    # The staff second factor (staff_auth/twofactor.py), before Oscar's dashboard URLs.
    path("dashboard/two-factor/", twofactor.VerifyView.as_view(), name="two-factor-verify"),
    path("dashboard/two-factor/setup/", twofactor.SetupView.as_view(), name="two-factor-setup"),
    path(
        "dashboard/two-factor/backup-codes/",
        twofactor.BackupCodesView.as_view(),
        name="two-factor-backup-codes",
    ),
    path("dashboard/health-funds/", include("insurance.dashboard.urls")),
    path("dashboard/consultations/", include("consultations.dashboard.urls")),
    path("dashboard/articles/", include("blog.dashboard.urls")),
    path("dashboard/returns/", include("shop.dashboard.urls")),
    path("dashboard/orders/", include(receipts_urls.dashboard_urlpatterns)),
    path("basket/quote/", include(receipts_urls.quote_urlpatterns)),  # for a health fund
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include(apps.get_app_config("oscar").urls[0])),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Oscar's error views render its templates (templates/oscar/error.html frames them in the site).
handler403 = "oscar.views.handler403"
handler404 = "oscar.views.handler404"
# A database that cannot be reached answers 503 "back in a moment" (core.views.server_error).
handler500 = "core.views.server_error"
