from django.urls import path

from insurance.dashboard import views

app_name = "insurance-dashboard"

urlpatterns = [
    path("", views.EnquiryListView.as_view(), name="enquiry-list"),
    path("<str:reference>/", views.EnquiryDetailView.as_view(), name="enquiry-detail"),
]
