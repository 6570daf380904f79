"""``expert("Anna")``, as the consultation tests have called it: ExpertFactory
(tests/factories.py) builds the expert now; new tests may call that directly."""

from datetime import time

from tests.factories import EVERY_DAY, ExpertFactory

WEEKDAYS = EVERY_DAY


def expert(
    name,
    *,
    zone="Australia/Sydney",
    topics=("back",),
    hours=(time(9), time(17)),
    days=WEEKDAYS,
    daily_maximum=6,
):
    """An expert called ``name`` (user ``name.lower()``) working ``hours`` in ``zone`` on
    ``days`` (every day unless given), advising on ``topics``."""
    return ExpertFactory(
        display_name=name,
        time_zone=zone,
        topics=topics,
        hours=hours,
        days=days,
        daily_maximum=daily_maximum,
    )
