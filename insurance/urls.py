from django.urls import path

from insurance import views

app_name = "insurance"

urlpatterns = [
    path("enquiry/", views.enquiry, name="enquiry"),
    path("enquiry/sent/<str:reference>/", views.enquiry_sent, name="enquiry-sent"),
    path("indicative/", views.indicative, name="indicative"),
]
