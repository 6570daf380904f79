"""The consultation experts' and leads' part of the dashboard: today's board, each expert's
calendar, a booking with what staff can do to it, and each expert's hours and time off.

Experts see and change only their own (anything else is a 404); leads see everyone's and the
queue of bookings no expert has yet. Every change goes through a service in
consultations/services.py, which e-mails the customer through the worker after it commits.
"""

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.forms import model_to_dict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from consultations.availability import movable_slots
from consultations.dashboard.access import can_use_consultations, is_lead
from consultations.dashboard.forms import (
    PeriodForm,
    ReassignForm,
    RecommendationForm,
    RescheduleForm,
    TimeOffForm,
    WeeklyHoursForm,
)
from consultations.dashboard.selectors import (
    bookings_for,
    calendar_days,
    calls_between,
    experts_for,
    free_experts_at,
    local_midnight,
    sweep_interval,
    waiting_bookings,
)
from consultations.models import Booking, BookingAccess, TimeOff, WeeklyAvailability
from consultations.services import (
    BookingChanged,
    CallNotStarted,
    CannotRecommend,
    TimeNotFree,
    TooLateToChange,
    WouldStrandBookings,
    WrongState,
    availability_delete,
    availability_save,
    booking_cancel,
    booking_outcome_record,
    booking_reassign,
    booking_reschedule,
    recommendation_save,
    time_off_add,
    time_off_delete,
)
from consultations.views import posted_version
from core import clock
from core.dashboard import RoleRequiredMixin
from core.health import health_report
from core.utils import parse_id


class ConsultationsStaffMixin(RoleRequiredMixin):
    """Writes also need the model permission (both roles have it)."""

    role_check = staticmethod(can_use_consultations)

    def require(self, permission):
        if not self.request.user.has_perm(permission):
            raise PermissionDenied

    def chosen_expert(self):
        """The expert named by ?expert= (404 unless the user may see them), else the user
        themselves, else (a lead who is no expert) the first expert."""
        experts = experts_for(self.request.user)
        if "expert" in self.request.GET:
            return get_object_or_404(experts, pk=parse_id(self.request.GET["expert"]))
        return experts.filter(user=self.request.user).first() or experts.first()


def _zone_of(user) -> str:
    return user.expert.time_zone if hasattr(user, "expert") else settings.TIME_ZONE


@method_decorator(never_cache, name="dispatch")
class BoardView(ConsultationsStaffMixin, TemplateView):
    """Today's calls and, for leads, the bookings still waiting for an expert, with a warning
    when the queue or the worker looks stuck."""

    template_name = "consultations/dashboard/board.html"

    def get_context_data(self, **kwargs):
        user, now = self.request.user, clock.now()
        zone = _zone_of(user)
        today = now.astimezone(ZoneInfo(zone)).date()
        start = local_midnight(today, ZoneInfo(zone))
        calls = calls_between(bookings_for(user), start, start + timedelta(days=1))
        context = {
            "now": now,
            "zone": zone,
            "today": today,
            "calls": calls.order_by("starts_at"),
            "worker": health_report()["worker"],  # "ok", or what is wrong (Redis down too)
            "lead": is_lead(user),
        }
        if context["lead"]:
            waiting = list(waiting_bookings())
            oldest = min(
                (b.queued_at for b in waiting if b.status == Booking.Status.QUEUED), default=None
            )
            interval = sweep_interval()
            context |= {
                "waiting": waiting,
                "oldest_queued": oldest,
                "queue_stuck": oldest is not None and now - oldest > interval,
                "sweep_seconds": int(interval.total_seconds()),
            }
        return super().get_context_data(**context, **kwargs)


@method_decorator(never_cache, name="dispatch")
class CalendarView(ConsultationsStaffMixin, TemplateView):
    """A day or a week of one expert's calendar in their own zone (experts: their own)."""

    template_name = "consultations/dashboard/calendar.html"

    def get(self, request, *args, **kwargs):
        expert = self.chosen_expert()
        form = PeriodForm(request.GET)
        context = {"expert": expert, "experts": experts_for(request.user), "form": form}
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(**context), status=400)
        if expert is None:
            return self.render_to_response(self.get_context_data(**context))
        view = form.cleaned_data["view"] or "week"
        day = form.cleaned_data["date"] or clock.now().astimezone(ZoneInfo(expert.time_zone)).date()
        count = 1 if view == "day" else 7
        first = day if view == "day" else day - timedelta(days=day.weekday())
        step = timedelta(days=count)

        def link(to):
            query = urlencode({"expert": expert.pk, "view": view, "date": to.isoformat()})
            return f"{reverse('consultations-dashboard:calendar')}?{query}"

        context |= {
            "view": view,
            "days": calendar_days(expert=expert, first=first, count=count),
            "previous_url": link(first - step),
            "next_url": link(first + step),
        }
        return self.render_to_response(self.get_context_data(**context))


RECOMMENDABLE = (Booking.Status.CONFIRMED, Booking.Status.COMPLETED)


@method_decorator(never_cache, name="dispatch")
class BookingDetailView(ConsultationsStaffMixin, TemplateView):
    """A booking, its history, and the changes staff make to it, each a POST form.

    The page shows the customer's description of their problem (health information), so
    every rendering of it is recorded with who saw it (BookingAccess) before it is sent."""

    template_name = "consultations/dashboard/booking_detail.html"

    def get(self, request, *args, **kwargs):
        self.booking = get_object_or_404(bookings_for(request.user), pk=kwargs["pk"])
        return self.render_to_response(self.get_context_data())

    def render_to_response(self, context, **response_kwargs):
        BookingAccess.record(self.booking, viewer=self.request.user)
        context["seen_by"] = _seen_by(self.booking)
        return super().render_to_response(context, **response_kwargs)

    def get_context_data(self, **kwargs):
        booking, user, now = self.booking, self.request.user, clock.now()
        can_change = user.has_perm("consultations.change_booking")
        is_open = can_change and booking.is_open
        if is_open:
            kwargs.setdefault("reschedule_form", self.reschedule_form())
        if is_open and is_lead(user) and booking.is_confirmed:
            kwargs.setdefault("reassign_form", self.reassign_form())
        if can_change and booking.status in RECOMMENDABLE and booking.starts_at <= now:
            kwargs.setdefault("recommendation_form", RecommendationForm())
        return super().get_context_data(
            booking=booking,
            zone=_zone_of(user),
            events=booking.events.select_related("actor")[:50],
            can_cancel=is_open,
            can_record_outcome=(can_change and booking.is_call and booking.starts_at <= now),
            recommendation=getattr(booking, "recommendation", None),
            **kwargs,
        )

    def reschedule_form(self, data=None):
        return RescheduleForm(
            data, booking=self.booking, free_times=movable_slots(self.booking, keep_expert=True)
        )

    def reassign_form(self, data=None):
        free = free_experts_at(self.booking)
        return ReassignForm(data, booking=self.booking, free_expert_ids=free)

    def post(self, request, *args, **kwargs):
        self.booking = get_object_or_404(bookings_for(request.user), pk=kwargs["pk"])
        self.require("consultations.change_booking")
        action = request.POST.get("action")
        handler = {
            "reschedule": self.reschedule,
            "reassign": self.reassign,
            "cancel": self.cancel,
            "recommend": self.recommend,
            Booking.Status.COMPLETED: self.record_outcome,
            Booking.Status.NO_SHOW: self.record_outcome,
        }.get(action)
        if handler is None:
            return self.refuse("Choose one of the actions on this page.", status=400)
        try:
            return handler()
        except TooLateToChange:
            return self.refuse(
                "Too late to change this call here: it starts within "
                f"{settings.BOOKING_MINIMUM_NOTICE_HOURS} hours or has started. Phone the "
                "customer."
            )
        except WrongState:
            return self.refuse("Not changed: the booking's status no longer allows that.")
        except CallNotStarted:
            return self.refuse("Not changed: the call has not started yet.")
        except BookingChanged:
            return self.refuse(
                "Not changed: this booking was changed a moment ago (its status and changes "
                "are below). Check it, then try again if you still need to."
            )

    def refuse(self, error, status=409):
        self.booking.refresh_from_db()
        return self.render_to_response(self.get_context_data(error=error), status=status)

    def done(self, message):
        messages.success(self.request, message)
        return redirect("consultations-dashboard:booking-detail", pk=self.booking.pk)

    def recommend(self):
        form = RecommendationForm(self.request.POST)
        if not form.is_valid():
            context = self.get_context_data(recommendation_form=form)
            return self.render_to_response(context, status=400)
        try:
            recommendation_save(
                booking_id=self.booking.pk,
                items=form.cleaned_data["items"],
                note=form.cleaned_data["note"],
                by=self.request.user,
            )
        except CannotRecommend:
            return self.refuse("Supports can be recommended once the call has started.")
        return self.done("Recommended. The customer is e-mailed the supports and a basket link.")

    def reschedule(self):
        form = self.reschedule_form(self.request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(reschedule_form=form), status=400)
        try:
            booking_reschedule(
                booking_id=self.booking.pk,
                slot=form.cleaned_data["slot"],
                by=self.request.user,
                version=posted_version(self.request),
                keep_expert=True,
            )
        except TimeNotFree:
            return self.refuse("That time is no longer free: nothing was changed. Choose another.")
        return self.done("Moved. The customer is e-mailed the new time and calendar invite.")

    def reassign(self):
        if not is_lead(self.request.user):
            raise PermissionDenied
        form = self.reassign_form(self.request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(reassign_form=form), status=400)
        expert = form.cleaned_data["expert"]
        try:
            booking_reassign(booking_id=self.booking.pk, expert_id=expert.pk, by=self.request.user)
        except TimeNotFree:
            return self.refuse(
                f"{expert} is not free at that time (booked, off, or at their daily maximum): "
                "nothing was changed."
            )
        return self.done(f"Given to {expert}. The customer is e-mailed the updated invite.")

    def cancel(self):
        started = clock.now()
        booking = booking_cancel(
            booking_id=self.booking.pk, by=self.request.user, version=posted_version(self.request)
        )
        if booking.cancelled_at and booking.cancelled_at >= started:
            return self.done("Cancelled. The customer is e-mailed the cancellation.")
        # A second click, or a colleague first: say what it is, and that nothing changed.
        messages.info(
            self.request,
            f"This booking is already {booking.get_status_display().lower()}: nothing was changed.",
        )
        return redirect("consultations-dashboard:booking-detail", pk=self.booking.pk)

    def record_outcome(self):
        outcome = Booking.Status(self.request.POST["action"])
        booking_outcome_record(booking_id=self.booking.pk, outcome=outcome, by=self.request.user)
        return self.done(f"Marked {outcome.label.lower()}.")


def _seen_by(booking, limit=20) -> list[dict]:
    """Who has seen the booking's details, once per person: how often and when last (the
    full record, one row per page shown, is BookingAccess)."""
    rows = list(
        booking.accesses.values("viewer")
        .annotate(times=Count("pk"), last=Max("at"))
        .order_by("-last")[:limit]
    )
    users = get_user_model().objects.in_bulk([row["viewer"] for row in rows if row["viewer"]])
    return [{**row, "viewer": users.get(row["viewer"])} for row in rows]


def _hours_form(key, data=None, **kwargs):
    """A form for one window of hours; `key` (its id, or "new") keeps its fields' ids apart
    from the other windows' on the page."""
    return WeeklyHoursForm(data, auto_id=f"id_hours_{key}_%s", **kwargs)


@method_decorator(never_cache, name="dispatch")
class AvailabilityView(ConsultationsStaffMixin, TemplateView):
    """An expert's weekly hours (a small form per window) and time off. The POST views below
    change one thing each and, when they refuse, show this page again with the reason."""

    template_name = "consultations/dashboard/availability.html"

    def get(self, request, *args, **kwargs):
        expert = self.chosen_expert()
        if expert is None:  # a lead, before any expert exists
            return self.render_to_response(self.get_context_data(expert=None))
        return self.page(expert)

    def page(self, expert, *, status=200, bound=None, error="", stranded=()):
        """The page, with `bound` = (key, form): that form, as posted, in place of the blank
        one (key: a window's id, "new" or "time_off")."""
        key, form = bound or (None, None)
        hours = [
            (w, form if key == w.pk else _hours_form(w.pk, initial=model_to_dict(w)))
            for w in expert.availability.all()
        ]
        context = {
            "expert": expert,
            "experts": experts_for(self.request.user),
            "hours": hours,
            "new_hours_form": form if key == "new" else _hours_form("new"),
            "time_off_form": form if key == "time_off" else TimeOffForm(),
            "time_off": expert.time_off.filter(ends_at__gt=clock.now()),
            "error": error,
            "stranded": stranded,
        }
        return self.render_to_response(self.get_context_data(**context), status=status)

    def done(self, expert, message):
        messages.success(self.request, message)
        url = reverse("consultations-dashboard:availability")
        return redirect(f"{url}?{urlencode({'expert': expert.pk})}")


class _AvailabilityChange(AvailabilityView):
    http_method_names = ["post"]

    def expert_or_404(self, expert_id):
        return get_object_or_404(experts_for(self.request.user), pk=expert_id)

    def save_hours(self, expert, window=None):
        key = window.pk if window else "new"
        others = [w for w in expert.availability.all() if w != window]
        form = _hours_form(key, self.request.POST, others=others)
        if not form.is_valid():
            return self.page(expert, status=400, bound=(key, form))
        try:
            availability_save(
                expert_id=expert.pk, window_id=window.pk if window else None, **form.cleaned_data
            )
        except WouldStrandBookings as refusal:
            return self.page(
                expert,
                status=409,
                bound=(key, form),
                error="Not saved: these confirmed calls would no longer fit the hours (calls "
                "start on a fixed grid from the start of the hours). Move or reassign them first.",
                stranded=refusal.bookings,
            )
        return self.done(expert, "Hours saved.")


class HoursAddView(_AvailabilityChange):
    def post(self, request, *args, **kwargs):
        self.require("consultations.add_weeklyavailability")
        return self.save_hours(self.expert_or_404(kwargs["expert_id"]))


class HoursChangeView(_AvailabilityChange):
    def post(self, request, *args, **kwargs):
        self.require("consultations.change_weeklyavailability")
        window = get_object_or_404(_windows_for(request.user), pk=kwargs["pk"])
        return self.save_hours(window.expert, window)


class HoursDeleteView(_AvailabilityChange):
    def post(self, request, *args, **kwargs):
        self.require("consultations.delete_weeklyavailability")
        window = get_object_or_404(_windows_for(request.user), pk=kwargs["pk"])
        try:
            availability_delete(window_id=window.pk)
        except WouldStrandBookings as refusal:
            return self.page(
                window.expert,
                status=409,
                error="Not removed: these confirmed calls are in those hours. Move or reassign "
                "them first.",
                stranded=refusal.bookings,
            )
        return self.done(window.expert, "Hours removed.")


class TimeOffAddView(_AvailabilityChange):
    def post(self, request, *args, **kwargs):
        self.require("consultations.add_timeoff")
        expert = self.expert_or_404(kwargs["expert_id"])
        form = TimeOffForm(request.POST)
        with timezone.override(ZoneInfo(expert.time_zone)):  # the times typed are theirs
            valid = form.is_valid()
        if not valid:
            return self.page(expert, status=400, bound=("time_off", form))
        try:
            time_off_add(expert_id=expert.pk, **form.cleaned_data)
        except WouldStrandBookings as refusal:
            return self.page(
                expert,
                status=409,
                bound=("time_off", form),
                error="Not saved: the time off covers these confirmed calls. Move or reassign "
                "them first.",
                stranded=refusal.bookings,
            )
        return self.done(expert, "Time off saved.")


class TimeOffDeleteView(_AvailabilityChange):
    def post(self, request, *args, **kwargs):
        self.require("consultations.delete_timeoff")
        time_off = get_object_or_404(
            TimeOff.objects.filter(expert__in=experts_for(request.user)).select_related("expert"),
            pk=kwargs["pk"],
        )
        time_off_delete(time_off_id=time_off.pk)
        return self.done(time_off.expert, "Time off removed.")


def _windows_for(user):
    return WeeklyAvailability.objects.filter(expert__in=experts_for(user)).select_related("expert")
