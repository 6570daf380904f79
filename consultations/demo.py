"""Demo experts in four Australian time zones (Perth and Brisbane have no daylight saving),
each a staff user without a usable password: staff set one before they log in."""

from datetime import time

from django.contrib.auth import get_user_model

from consultations.models import Expert, Topic, WeeklyAvailability

WEEKDAYS, TUE_TO_SAT = range(5), range(1, 6)
EXPERTS = [
    # username, name, zone, topics, weekdays, hours, bio
    ("anna.expert", "Anna Richter", "Australia/Sydney", ["back", "general-fitting"],
     WEEKDAYS, (time(9), time(17)), "Orthotist; fits back supports and braces."),
    ("ben.expert", "Ben Walker", "Australia/Brisbane", ["back", "knee"],
     WEEKDAYS, (time(8), time(16)), "Physiotherapist; knee and back rehabilitation."),
    ("chloe.expert", "Chloe Tan", "Australia/Perth", ["ankle-and-foot", "wrist-and-hand"],
     TUE_TO_SAT, (time(9), time(17)), "Podiatrist; ankle supports, insoles and hand braces."),
    ("dan.expert", "Dan Murphy", "Australia/Melbourne", ["back", "knee", "general-fitting"],
     [0, 2, 4, 5], (time(10), time(18)), "Sports physiotherapist; back to training safely."),
]  # fmt: skip


def load(stdout) -> None:
    User = get_user_model()
    created = 0
    for username, name, zone, topics, days, (start, end), bio in EXPERTS:
        if Expert.objects.filter(user__username=username).exists():
            continue
        first, last = name.split(" ", 1)
        user = User.objects.create_user(
            username=username, email=f"{username}@example.com", first_name=first, last_name=last,
            is_staff=True, password=None,
        )  # fmt: skip
        expert = Expert.objects.create(user=user, display_name=name, time_zone=zone, bio=bio)
        expert.topics.set(Topic.objects.filter(slug__in=topics))
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(expert=expert, weekday=day, start_time=start, end_time=end)
            for day in days
        )
        created += 1
    stdout.write(f"Consultations: {len(EXPERTS)} experts ({created} new)")
