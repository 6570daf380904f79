from django.urls import path, re_path

from receipts import views

app_name = "receipts"
urlpatterns = [
    path(
        "orders/<str:order_number>/tax-invoice/",
        views.CustomerInvoiceView.as_view(),
        name="customer-invoice",
    ),
    re_path(
        r"^order-status/(?P<order_number>[\w-]+)/(?P<hash>[A-Za-z0-9_=:-]+)/tax-invoice/$",
        views.GuestInvoiceView.as_view(),
        name="guest-invoice",
    ),
]
dashboard_urlpatterns = (
    [
        path(
            "<str:order_number>/tax-invoice/",
            views.StaffInvoiceView.as_view(),
            name="staff-invoice",
        )
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
