from django.urls import path

from insurance.dashboard import views

app_name = "insurance-dashboard"

urlpatterns = [
    path("", views.EnquiryListView.as_view(), name="enquiry-list"),
    path("coverage/", views.CoverageListView.as_view(), name="coverage-list"),
    path("coverage/new/", views.CoverageCreateView.as_view(), name="coverage-create"),
    path("coverage/<int:pk>/", views.CoverageUpdateView.as_view(), name="coverage-update"),
    path("coverage/<int:pk>/delete/", views.CoverageDeleteView.as_view(), name="coverage-delete"),
    path("<str:reference>/", views.EnquiryDetailView.as_view(), name="enquiry-detail"),
    path("<str:reference>/upload/", views.EnquiryUploadView.as_view(), name="enquiry-upload"),
]
