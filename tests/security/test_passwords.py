"""Passwords are at least 12 characters wherever one is chosen, the demo accounts' passwords
meet every rule, and signing in gives the visitor a new session key (session fixation)."""

from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.test import Client

PASSWORD = "harbour-street-12"
User = get_user_model()


def _register(client, password):
    return client.post(
        "/accounts/login/",
        {
            "registration-email": "mia@example.com.au",
            "registration-password1": password,
            "registration-password2": password,
            "registration_submit": "Register",
        },
    )


def test_registration_refuses_an_eleven_character_password(client, db):
    response = _register(client, "kookaburra7")  # 11 characters, otherwise fine

    assert "This password is too short. It must contain at least 12 characters." in (
        response.content.decode()
    )
    assert not User.objects.filter(email="mia@example.com.au").exists()


def test_registration_accepts_a_twelve_character_password(client, db):
    response = _register(client, "kookaburra78")

    assert response.status_code == 302
    assert User.objects.get(email="mia@example.com.au").check_password("kookaburra78")


def test_changing_the_password_refuses_a_short_one(client, db):
    user = User.objects.create_user(username="mia", email="mia@example.com.au", password=PASSWORD)
    client.force_login(user)

    response = client.post(
        "/accounts/change-password/",
        {"old_password": PASSWORD, "new_password1": "wattle-tree", "new_password2": "wattle-tree"},
    )

    assert "This password is too short" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_every_demo_account_password_meets_the_rules(db):
    call_command("load_demo", stdout=StringIO())

    staff = User.objects.filter(is_staff=True)
    assert staff.count() >= 9  # the superuser, four roles, four experts
    for user in staff:
        password = (
            settings.DEMO_ADMIN_PASSWORD if user.is_superuser else settings.DEMO_STAFF_PASSWORD
        )
        assert user.check_password(password), user.email
        validate_password(password, user)  # raises ValidationError, naming the rule


def _planted_session(client) -> str:
    """A session the visitor has before signing in, as a session-fixation attacker would
    plant it (their own session id, in the victim's browser)."""
    session = client.session
    session["booking_time_zone"] = "Australia/Perth"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


@pytest.mark.parametrize(
    "url, data",
    [
        (
            "/accounts/login/",
            {
                "login-username": "mia@example.com.au",
                "login-password": PASSWORD,
                "login_submit": "1",
            },
        ),
        ("/dashboard/login/", {"username": "mia@example.com.au", "password": PASSWORD}),
    ],
    ids=["customer login", "dashboard login"],
)
def test_signing_in_gives_a_new_session_key_and_the_old_one_is_worthless(client, db, url, data):
    User.objects.create_user(
        username="mia", email="mia@example.com.au", password=PASSWORD, is_staff=True
    )
    planted = _planted_session(client)

    response = client.post(url, data)

    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != planted
    assert not SessionStore().exists(planted)
    assert client.session["booking_time_zone"] == "Australia/Perth", "what they had is kept"
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    assert attacker.get("/accounts/profile/").status_code == 302, "the planted id is signed out"
    assert client.get("/accounts/profile/").status_code == 200
