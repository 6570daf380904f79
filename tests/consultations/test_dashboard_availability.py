"""Experts keep their own weekly hours and time off in the dashboard (leads anyone's); nothing
that would strand a confirmed call is saved."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from consultations.models import TimeOff, WeeklyAvailability
from tests.consultations.test_dashboard import BASE, EXPERT
from tests.factories import BookingFactory, ExpertFactory, StaffFactory, local_slot

PERTH = ZoneInfo("Australia/Perth")
SYDNEY = ZoneInfo("Australia/Sydney")


def _local(moment, zone=PERTH) -> str:
    return f"{moment.astimezone(zone):%Y-%m-%dT%H:%M}"


def test_an_expert_adds_time_off_in_their_own_zone_and_removes_it(client, db):
    chloe = ExpertFactory(display_name="Chloe", time_zone="Australia/Perth", user__role=EXPERT)
    client.force_login(chloe.user)
    day = local_slot(days_ahead=5, zone="Australia/Perth").astimezone(PERTH).date()

    response = client.post(
        f"{BASE}experts/{chloe.pk}/time-off/",
        {"starts_at": f"{day}T13:00", "ends_at": f"{day}T17:00", "reason": "Dentist"},
    )

    assert response.status_code == 302
    off = TimeOff.objects.get(expert=chloe)
    assert off.starts_at == datetime.combine(day, time(13), PERTH).astimezone(UTC)
    assert "Dentist" in client.get(f"{BASE}availability/").content.decode()
    client.post(f"{BASE}time-off/{off.pk}/delete/")
    assert not TimeOff.objects.exists()


def test_time_off_over_a_confirmed_call_is_refused_and_nothing_is_saved(client, db):
    chloe = ExpertFactory(display_name="Chloe", time_zone="Australia/Perth", user__role=EXPERT)
    call = BookingFactory(
        confirmed=True,
        expert=chloe,
        starts_at=local_slot(days_ahead=5, hour=10, zone="Australia/Perth"),
        name="Kai Perth",
        email="kai@example.com.au",
    )
    client.force_login(chloe.user)

    response = client.post(
        f"{BASE}experts/{chloe.pk}/time-off/",
        {"starts_at": _local(call.starts_at)[:11] + "08:00", "ends_at": _local(call.ends_at)},
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert "covers these confirmed calls" in html and "Kai Perth" in html
    assert f'value="{_local(call.ends_at)}"' in html  # what was typed is kept
    assert not TimeOff.objects.exists()


def test_hours_that_would_strand_a_confirmed_call_are_refused(client, db):
    anna = ExpertFactory(
        display_name="Anna",
        days=[local_slot(days_ahead=5).astimezone(SYDNEY).weekday()],
        user__role=EXPERT,
    )
    call = BookingFactory(
        confirmed=True,
        expert=anna,
        starts_at=local_slot(days_ahead=5, hour=9),
        name="Mia Nguyen",
        email="mia@example.com.au",
    )
    window = anna.availability.get()
    lead = StaffFactory(username="lena", role="Consultation lead")
    client.force_login(lead)

    shrunk = client.post(
        f"{BASE}hours/{window.pk}/",
        {"weekday": window.weekday, "start_time": "13:00", "end_time": "17:00"},
    )
    shifted = client.post(  # still covers 9:00, but its call times now start at 8:30
        f"{BASE}hours/{window.pk}/",
        {"weekday": window.weekday, "start_time": "08:30", "end_time": "17:00"},
    )
    removed = client.post(f"{BASE}hours/{window.pk}/delete/")

    for response in (shrunk, shifted, removed):
        assert response.status_code == 409
        assert "Mia Nguyen" in response.content.decode()
    window.refresh_from_db()
    assert (window.start_time, window.end_time) == (time(9), time(17))
    assert call.starts_at == anna.bookings.get().starts_at


def test_a_lead_changes_an_experts_hours(client, db):
    anna = ExpertFactory(display_name="Anna", days=[0], user__role=EXPERT)
    window = anna.availability.get()
    client.force_login(StaffFactory(username="lena", role="Consultation lead"))

    changed = client.post(
        f"{BASE}hours/{window.pk}/", {"weekday": 0, "start_time": "10:00", "end_time": "18:00"}
    )
    added = client.post(
        f"{BASE}experts/{anna.pk}/hours/",
        {"weekday": 2, "start_time": "09:00", "end_time": "12:00"},
    )

    assert changed.status_code == added.status_code == 302
    assert sorted(anna.availability.values_list("weekday", "start_time", "end_time")) == [
        (0, time(10), time(18)),
        (2, time(9), time(12)),
    ]


def test_bad_hours_and_time_off_are_refused_beside_their_fields(client, db):
    anna = ExpertFactory(display_name="Anna", days=[0], user__role=EXPERT)
    client.force_login(anna.user)
    add_hours = f"{BASE}experts/{anna.pk}/hours/"

    backwards = client.post(add_hours, {"weekday": 0, "start_time": "17:00", "end_time": "9:00"})
    overlapping = client.post(add_hours, {"weekday": 0, "start_time": "16:00", "end_time": "19:00"})
    time_off = client.post(
        f"{BASE}experts/{anna.pk}/time-off/",
        {"starts_at": "2030-01-02T10:00", "ends_at": "2030-01-02T09:00"},
    )

    assert backwards.status_code == 400
    assert 'id="id_end_time_error"' in backwards.content.decode()
    assert "The end must be after the start." in backwards.content.decode()
    assert overlapping.status_code == 400
    assert "Overlaps the hours 09:00–17:00 on Monday" in overlapping.content.decode()
    assert 'value="19:00"' in overlapping.content.decode()  # what was typed is kept
    assert time_off.status_code == 400 and 'id="id_ends_at_error"' in time_off.content.decode()
    assert WeeklyAvailability.objects.count() == 1 and not TimeOff.objects.exists()
