"""The shop's own pages beside Oscar's: the returns policy and asking for an exchange or a
return (shop/returns_views.py); "e-mail me when it's back" (shop/alerts_views.py)."""

from django.urls import path, re_path

from shop import alerts_views, returns_views, reviews_views

# A guest's order-status page (Oscar's), whose address the guest's own pages extend: returns
# here, the tax invoice and credit notes in receipts/urls.py.
GUEST_ORDER = r"order-status/(?P<order_number>[\w-]+)/(?P<hash>[A-Za-z0-9_=:-]+)"

urlpatterns = [
    path("reviews/<str:token>/", reviews_views.ReviewView.as_view(), name="review"),
    path(
        "reviews/<str:token>/unsubscribe/",
        reviews_views.ReviewUnsubscribeView.as_view(),
        name="review-unsubscribe",
    ),
    path(
        "accounts/orders/<str:order_number>/review/",
        reviews_views.AccountReviewView.as_view(),
        name="customer-review",
    ),
    path("stock-alerts/", alerts_views.StockAlertView.as_view(), name="stock-alert"),
    path(
        "stock-alerts/<str:token>/confirm/",
        alerts_views.StockAlertLinkView.as_view(action="confirm"),
        name="stock-alert-confirm",
    ),
    path(
        "stock-alerts/<str:token>/unsubscribe/",
        alerts_views.StockAlertLinkView.as_view(action="unsubscribe"),
        name="stock-alert-unsubscribe",
    ),
    path("returns-policy/", returns_views.ReturnsPolicyView.as_view(), name="returns-policy"),
    path(
        "accounts/orders/<str:order_number>/return/",
        returns_views.CustomerReturnView.as_view(),
        name="customer-return",
    ),
    re_path(
        rf"^accounts/{GUEST_ORDER}/return/$",
        returns_views.GuestReturnView.as_view(),
        name="guest-return",
    ),
]
