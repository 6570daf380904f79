from datetime import time

from django.contrib.auth import get_user_model

from consultations.models import Expert, Topic, WeeklyAvailability

WEEKDAYS = range(7)


def expert(
    name,
    *,
    zone="Australia/Sydney",
    topics=("back",),
    hours=(time(9), time(17)),
    days=WEEKDAYS,
    daily_maximum=6,
):
    user = get_user_model().objects.create_user(
        username=name.lower(),
        email=f"{name.lower()}@example.com",
        password="x-pass-1234",
        is_staff=True,
    )
    person = Expert.objects.create(
        user=user, display_name=name, time_zone=zone, daily_maximum=daily_maximum
    )
    person.topics.set(Topic.objects.filter(slug__in=topics))
    for day in days:
        WeeklyAvailability.objects.create(
            expert=person, weekday=day, start_time=hours[0], end_time=hours[1]
        )
    return person
