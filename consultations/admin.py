"""Staff manage experts, availability and time off, and see the booking queue with each call's
video link (the dashboard issue gives experts their own screens). The admin is for superusers
only; a booking opened here shows the customer's description decrypted, and that is recorded
as on the dashboard (BookingAccess)."""

from django.contrib import admin

from consultations.models import (
    Booking,
    BookingAccess,
    Expert,
    TimeOff,
    Topic,
    WeeklyAvailability,
)


class WeeklyAvailabilityInline(admin.TabularInline):
    model = WeeklyAvailability
    extra = 0


class TimeOffInline(admin.TabularInline):
    model = TimeOff
    extra = 0


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    list_display = ["display_name", "time_zone", "daily_maximum", "active"]
    list_filter = ["active", "topics", "time_zone"]
    filter_horizontal = ["topics"]
    inlines = [WeeklyAvailabilityInline, TimeOffInline]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "display_order"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "status", "topic", "expert", "name", "queued_at"]
    list_filter = ["status", "topic", "expert"]
    search_fields = ["email", "name"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "token", "video_url", "sequence", "queued_at", "confirmed_at", "cancelled_at",
        "confirmation_sent_at", "new_time_offer_sent_at", "cancellation_sent_at",
        "reminder_24h_sent_at", "reminder_1h_sent_at", "consent_text", "consent_version",
        "erased_at",
    ]  # fmt: skip

    def change_view(self, request, object_id, form_url="", extra_context=None):
        booking = self.get_object(request, object_id)
        if booking is not None and request.method == "GET":
            BookingAccess.record(booking, viewer=request.user, where=BookingAccess.Where.ADMIN)
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False  # bookings come through the queue, never around it
