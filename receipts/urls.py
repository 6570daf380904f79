from django.urls import path, re_path

from receipts import views
from shop.urls import GUEST_ORDER

app_name = "receipts"
urlpatterns = [
    path(
        "orders/<str:order_number>/tax-invoice/",
        views.CustomerDocumentView.as_view(),
        name="customer-invoice",
    ),
    path(
        "orders/<str:order_number>/credit-notes/<str:credit_note>/",
        views.CustomerDocumentView.as_view(),
        name="customer-credit-note",
    ),
    re_path(
        rf"^{GUEST_ORDER}/tax-invoice/$",
        views.GuestDocumentView.as_view(),
        name="guest-invoice",
    ),
    re_path(
        rf"^{GUEST_ORDER}/credit-notes/(?P<credit_note>[\w-]+)/$",
        views.GuestDocumentView.as_view(),
        name="guest-credit-note",
    ),
]
dashboard_urlpatterns = (
    [
        path(
            "<str:order_number>/tax-invoice/",
            views.StaffDocumentView.as_view(),
            name="staff-invoice",
        ),
        path(
            "<str:order_number>/credit-notes/<str:credit_note>/",
            views.StaffDocumentView.as_view(),
            name="staff-credit-note",
        ),
        path("<str:order_number>/refund/", views.RefundView.as_view(), name="refund"),
    ],
    "receipts-dashboard",
)
quote_urlpatterns = (
    [
        path("", views.QuoteMakeView.as_view(), name="make"),
        path("<str:token>/", views.QuoteView.as_view(), name="quote"),
        path("<str:token>/pdf/", views.QuotePdfView.as_view(), name="pdf"),
    ],
    "receipts-quotes",
)
