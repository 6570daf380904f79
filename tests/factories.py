"""Test data, built one way (factory-boy, on Oscar's own factories).

Each factory makes a valid row with the fewest surprises: a customer or staff member who can
log in, an expert who works 9:00-17:00 in Sydney every day, a booking for 9:00 Sydney time
three days from now (on that expert's grid of 9:00, 9:40, 10:20...), an article, an enquiry.
A test names only what its assertion is about:

    anna = ExpertFactory(display_name="Anna", days=MONDAY_TO_FRIDAY)
    BookingFactory(confirmed=True, expert=anna, starts_at=local_slot(days_ahead=2))
    BookingFactory(waitlisted=True)
    StaffFactory(username="lena", role="Consultation lead")

"Now" is always the site's clock (core.clock), so data made after ``clock.set(...)`` is made
at that moment. Reference data that migrations create (topics, health funds, roles) is looked
up, never duplicated: TopicFactory and HealthFundFactory get-or-create by slug.
"""

from datetime import UTC, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import factory
from django.contrib.auth.models import Group
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from oscar.test.factories import UserFactory as OscarUserFactory

from blog.models import Article
from consultations.availability import slot_length
from consultations.models import Booking, Expert, Topic, WeeklyAvailability
from core import clock
from insurance.models import Enquiry, HealthFund

PASSWORD = "pw-12345-x"
EVERY_DAY, MONDAY_TO_FRIDAY = range(7), range(5)
SYDNEY = "Australia/Sydney"


def local_slot(days_ahead: int = 3, hour: int = 9, minute: int = 0, zone: str = SYDNEY):
    """The UTC instant of ``hour:minute`` on the wall clocks of ``zone``, ``days_ahead`` days
    after today there (by the site's clock). 9:00 is the first slot of a default expert."""
    day = clock.today(zone) + timedelta(days=days_ahead)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(zone)).astimezone(UTC)


# People ------------------------------------------------------------------------------------


class CustomerFactory(OscarUserFactory):
    """A customer's account: ``CustomerFactory(username="mia", email=..., password=...)``.
    The password is hashed however it is given (factory.django.Password)."""

    username = factory.Sequence(lambda n: f"customer{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = ""
    last_name = ""
    password = factory.django.Password(PASSWORD)

    class Meta:
        skip_postgeneration_save = True


class StaffFactory(CustomerFactory):
    """A member of staff, in one of the roles core's migrations create when ``role`` is given
    ("Consultation lead", "Consultation expert", "Health-fund officer", "Editor", "Shop
    manager"): ``StaffFactory(username="lena", role="Consultation lead")``."""

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted and create:
            user.groups.add(Group.objects.get(name=extracted))


# Consultations -----------------------------------------------------------------------------


class TopicFactory(DjangoModelFactory):
    """A topic: the five a data migration makes (back, knee, ...) are found, not made again."""

    slug = "back"
    name = factory.LazyAttribute(lambda topic: topic.slug.replace("-", " ").capitalize())

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


class ExpertFactory(DjangoModelFactory):
    """An expert and their weekly hours, the same ``hours`` (local start, end) on each of
    ``days`` (0 is Monday) in their own ``time_zone``: ``ExpertFactory(display_name="Anna",
    time_zone="Australia/Perth", hours=(time(8), time(12)), days=MONDAY_TO_FRIDAY,
    topics=["back", "knee"])``. Their user is staff, username the lower-cased display name;
    ``user__role="Consultation expert"`` puts it in the experts' role."""

    user = factory.SubFactory(
        StaffFactory,
        username=factory.LazyAttribute(
            lambda user: slugify(user.factory_parent.display_name).replace("-", ".")
        ),
    )
    display_name = factory.Sequence(lambda n: f"Expert {n}")
    time_zone = SYDNEY
    daily_maximum = 6
    hours = (time(9), time(17))
    days = EVERY_DAY

    class Meta:
        model = Expert
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, hours, days, **kwargs):
        expert = super()._create(model_class, *args, **kwargs)
        start, end = hours
        WeeklyAvailability.objects.bulk_create(
            WeeklyAvailability(expert=expert, weekday=day, start_time=start, end_time=end)
            for day in days
        )
        return expert

    @classmethod
    def _build(cls, model_class, *args, hours, days, **kwargs):
        return super()._build(model_class, *args, **kwargs)

    @factory.post_generation
    def topics(expert, create, extracted, **kwargs):
        """Slugs or Topics; "back" when not given. Unknown slugs are ignored, as a typo in a
        test should not invent a topic the site does not have."""
        if not create:
            return
        wanted = ("back",) if extracted is None else extracted
        slugs = [t if isinstance(t, str) else t.slug for t in wanted]
        expert.topics.set(Topic.objects.filter(slug__in=slugs))


class BookingFactory(DjangoModelFactory):
    """A booking as the form saves it (``queued``) for 9:00 Sydney time three days ahead, one
    slot long (consultations.availability.slot_length()). The state is a trait:

    - ``confirmed=True``: with an expert (a new one unless ``expert=`` is given), confirmed
      now, with a video link; the confirmation e-mail is still owed (``confirmation_sent_at``
      is empty) as when the worker has just confirmed it;
    - ``needs_new_time=True``, ``waitlisted=True``: no expert;
    - ``cancelled=True``: cancelled now; ``completed=True``, ``no_show=True``: a confirmed
      call that was held or missed (give a past ``starts_at``).

    ``token`` is the model's own (256 random bits); ``submission_key`` stays empty (a booking
    not made by the form) unless ``from_form=True`` gives it one. ``description`` is stored
    encrypted like any other."""

    topic = factory.SubFactory(TopicFactory)
    status = Booking.Status.QUEUED
    customer_time_zone = SYDNEY
    starts_at = factory.LazyFunction(local_slot)
    ends_at = factory.LazyAttribute(lambda booking: booking.starts_at + slot_length())
    expert = None
    name = "Mia Nguyen"
    email = "mia@example.com.au"
    phone = ""
    description = "Lower back pain"
    consent_text = "I agree"
    consent_version = "1"
    queued_at = factory.LazyFunction(clock.now)

    class Meta:
        model = Booking

    class Params:
        from_form = factory.Trait(submission_key=factory.LazyFunction(uuid4))
        confirmed = factory.Trait(
            status=Booking.Status.CONFIRMED,
            expert=factory.SubFactory(ExpertFactory),
            confirmed_at=factory.LazyFunction(clock.now),
            video_url=factory.LazyFunction(lambda: f"https://meet.example/{uuid4().hex}"),
        )
        needs_new_time = factory.Trait(status=Booking.Status.NEEDS_NEW_TIME)
        waitlisted = factory.Trait(status=Booking.Status.WAITLISTED)
        cancelled = factory.Trait(
            status=Booking.Status.CANCELLED, cancelled_at=factory.LazyFunction(clock.now)
        )
        completed = factory.Trait(confirmed=True, status=Booking.Status.COMPLETED)
        no_show = factory.Trait(confirmed=True, status=Booking.Status.NO_SHOW)


class BookingFormFactory(factory.DictFactory):
    """What a customer posts to /consultations/book/: the earliest free time on "back", in
    Sydney time, with the fresh submission key each page carries (core.forms.SubmissionKeyForm).
    ``BookingFormFactory(slot=slot.isoformat(), time_zone="Australia/Perth")``."""

    topic = factory.LazyFunction(lambda: TopicFactory().pk)
    time_zone = SYDNEY
    slot = "earliest"
    name = "Mia Nguyen"
    email = "mia@example.com.au"
    phone = ""
    product = ""
    description = "Which size of LumboTrain?"
    consent = "on"
    submission_key = factory.LazyFunction(lambda: str(uuid4()))


# Health funds ------------------------------------------------------------------------------


class HealthFundFactory(DjangoModelFactory):
    """A fund: the ones a data migration makes (bupa, medibank, ..., other) are found."""

    slug = "bupa"
    name = factory.LazyAttribute(lambda fund: fund.slug.replace("-", " ").title())

    class Meta:
        model = HealthFund
        django_get_or_create = ("slug",)


class EnquiryFactory(DjangoModelFactory):
    """An enquiry as the form saves it (``new``), received now; health details encrypted."""

    name = "Mia Nguyen"
    email = "mia@example.com.au"
    state = "NSW"
    postcode = "2000"
    fund = factory.SubFactory(HealthFundFactory)
    cover_level = "top"
    referral = "gp"
    question = "Is my back support covered?"
    consent_text = "I agree"
    consent_version = "1"
    consented_at = factory.LazyFunction(clock.now)

    class Meta:
        model = Enquiry


# Blog --------------------------------------------------------------------------------------


class ArticleFactory(DjangoModelFactory):
    """A published article, public from now (the model stamps ``published_at``); give a
    future ``published_at`` to schedule it, or ``draft=True``."""

    title = factory.Sequence(lambda n: f"Article {n}")
    slug = factory.LazyAttribute(lambda article: slugify(article.title))
    standfirst = "Standfirst."
    body = "Body text."
    status = Article.Status.PUBLISHED

    class Meta:
        model = Article

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT)
