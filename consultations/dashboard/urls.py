from django.urls import path

from consultations.dashboard import views

app_name = "consultations-dashboard"

urlpatterns = [
    path("", views.BoardView.as_view(), name="board"),
    path("calendar/", views.CalendarView.as_view(), name="calendar"),
    path("bookings/<int:pk>/", views.BookingDetailView.as_view(), name="booking-detail"),
    path("availability/", views.AvailabilityView.as_view(), name="availability"),
    path("experts/<int:expert_id>/hours/", views.HoursAddView.as_view(), name="hours-add"),
    path("hours/<int:pk>/", views.HoursChangeView.as_view(), name="hours-change"),
    path("hours/<int:pk>/delete/", views.HoursDeleteView.as_view(), name="hours-delete"),
    path("experts/<int:expert_id>/time-off/", views.TimeOffAddView.as_view(), name="time-off-add"),
    path("time-off/<int:pk>/delete/", views.TimeOffDeleteView.as_view(), name="time-off-delete"),
]
