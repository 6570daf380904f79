from django.urls import path

from consultations import views

app_name = "consultations"

urlpatterns = [
    path("book/", views.book, name="book"),
    path("booking/<str:token>/", views.booking_status, name="booking"),
    path("booking/<str:token>/status.json", views.booking_status_json, name="booking-json"),
    path("booking/<str:token>/invite.ics", views.booking_invite, name="booking-invite"),
]
