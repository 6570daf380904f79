"""Checkout's Australian address rules: postcodes must match the state, phones become E.164.

The expected ranges are written out here rather than read from the module, so that a slip in
the module's table shows up as a failing test instead of being copied into the expectation.
"""

import pytest
from django.core.exceptions import ValidationError

from core.australia import (
    POSTCODE_RANGES,
    STATE_CHOICES,
    normalise_au_phone,
    state_for_postcode,
    validate_postcode,
)

POSTCODE_FORMAT_MESSAGE = "Enter a 4-digit Australian postcode."
PHONE_MESSAGE = "Enter an Australian phone number, e.g. 0412 345 678 or (02) 9876 5432."

# The first and last postcode of every range, with the state it belongs to.
RANGE_ENDS = [
    ("ACT", "0200"),
    ("ACT", "0299"),
    ("ACT", "2600"),
    ("ACT", "2618"),
    ("ACT", "2900"),
    ("ACT", "2920"),
    ("NSW", "1000"),
    ("NSW", "2599"),
    ("NSW", "2619"),
    ("NSW", "2899"),
    ("NSW", "2921"),
    ("NSW", "2999"),
    ("NT", "0800"),
    ("NT", "0999"),
    ("QLD", "4000"),
    ("QLD", "4999"),
    ("QLD", "9000"),
    ("QLD", "9999"),
    ("SA", "5000"),
    ("SA", "5999"),
    ("TAS", "7000"),
    ("TAS", "7999"),
    ("VIC", "3000"),
    ("VIC", "3999"),
    ("VIC", "8000"),
    ("VIC", "8999"),
    ("WA", "6000"),
    ("WA", "6797"),
    ("WA", "6800"),
    ("WA", "6999"),
]

# The postcode just outside each range, the state it is refused for, and whose it is instead
# (None: nobody's).
JUST_OUTSIDE = [
    ("0199", "ACT", None),
    ("0300", "ACT", None),
    ("2599", "ACT", "NSW"),
    ("2619", "ACT", "NSW"),
    ("2899", "ACT", "NSW"),
    ("2921", "ACT", "NSW"),
    ("0999", "NSW", "NT"),
    ("2600", "NSW", "ACT"),
    ("2618", "NSW", "ACT"),
    ("2900", "NSW", "ACT"),
    ("2920", "NSW", "ACT"),
    ("3000", "NSW", "VIC"),
    ("0799", "NT", None),
    ("1000", "NT", "NSW"),
    ("3999", "QLD", "VIC"),
    ("5000", "QLD", "SA"),
    ("8999", "QLD", "VIC"),
    ("4999", "SA", "QLD"),
    ("6000", "SA", "WA"),
    ("6999", "TAS", "WA"),
    ("8000", "TAS", "VIC"),
    ("2999", "VIC", "NSW"),
    ("4000", "VIC", "QLD"),
    ("7999", "VIC", "TAS"),
    ("9000", "VIC", "QLD"),
    ("5999", "WA", "SA"),
    ("6798", "WA", None),
    ("6799", "WA", None),
    ("7000", "WA", "TAS"),
]

MALFORMED_POSTCODES = ["200", "20000", "2OOO", "abcd", "", "    ", "20 00", "-200", "２０００"]


def test_state_choices_are_the_eight_states_and_territories():
    assert STATE_CHOICES == [
        ("ACT", "Australian Capital Territory"),
        ("NSW", "New South Wales"),
        ("NT", "Northern Territory"),
        ("QLD", "Queensland"),
        ("SA", "South Australia"),
        ("TAS", "Tasmania"),
        ("VIC", "Victoria"),
        ("WA", "Western Australia"),
    ]


def test_every_state_offered_has_postcode_ranges():
    assert {code for code, _name in STATE_CHOICES} == set(POSTCODE_RANGES)


@pytest.mark.parametrize(("state", "postcode"), RANGE_ENDS)
def test_first_and_last_postcode_of_every_range_is_accepted_for_its_state(state, postcode):
    # Given a postcode at the edge of one of the state's ranges
    # When it is validated for that state
    # Then it is accepted unchanged, and it maps back to the same state
    assert validate_postcode(postcode, state) == postcode
    assert state_for_postcode(postcode) == state


@pytest.mark.parametrize(("postcode", "state", "owner"), JUST_OUTSIDE)
def test_postcode_just_outside_a_range_is_refused_for_that_state(postcode, state, owner):
    # Given a postcode one step outside one of the state's ranges
    # When it is validated for that state
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode(postcode, state)

    # Then it is refused, and belongs to the neighbouring state (or to none)
    assert excinfo.value.code == "postcode_not_in_state"
    assert state_for_postcode(postcode) == owner


def _accepts(postcode, state):
    try:
        validate_postcode(postcode, state)
    except ValidationError:
        return False
    return True


def test_every_postcode_is_accepted_by_at_most_one_state_the_one_state_for_postcode_names():
    # Given every 4-digit string from 0000 to 9999
    for number in range(10_000):
        postcode = f"{number:04d}"
        # When it is validated for each state in turn
        accepted_by = [code for code, _name in STATE_CHOICES if _accepts(postcode, code)]
        # Then only the state that state_for_postcode names accepts it (none if it names none)
        owner = state_for_postcode(postcode)
        assert accepted_by == ([owner] if owner else []), postcode


@pytest.mark.parametrize("postcode", ["2600", "2609", "2618"])
def test_act_postcodes_inside_the_nsw_block_belong_to_act(postcode):
    # Given a Canberra postcode, numbered inside the 2xxx block that is otherwise NSW
    # When it is validated for ACT and for NSW
    # Then ACT accepts it
    assert validate_postcode(postcode, "ACT") == postcode
    assert state_for_postcode(postcode) == "ACT"
    # And NSW refuses it, naming NSW so the customer knows which field to fix
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode(postcode, "NSW")
    assert excinfo.value.messages == [
        f"{postcode} is not a New South Wales postcode. Check the postcode or the state."
    ]


def test_postcode_in_another_state_is_refused_with_a_message_naming_the_chosen_state():
    # Given a Melbourne postcode entered with the state set to NSW
    # When it is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode("3000", "NSW")

    # Then the message names the chosen state and suggests what to check
    assert excinfo.value.code == "postcode_not_in_state"
    assert excinfo.value.messages == [
        "3000 is not a New South Wales postcode. Check the postcode or the state."
    ]


@pytest.mark.parametrize(("postcode", "state"), [("0800", "NT"), ("0200", "ACT")])
def test_leading_zeros_are_kept(postcode, state):
    assert validate_postcode(postcode, state) == postcode
    assert state_for_postcode(postcode) == state


def test_surrounding_whitespace_is_stripped_from_an_accepted_postcode():
    assert validate_postcode(" 2000 ", "NSW") == "2000"
    assert state_for_postcode(" 2000 ") == "NSW"


@pytest.mark.parametrize("postcode", MALFORMED_POSTCODES)
def test_postcode_that_is_not_four_digits_is_refused(postcode):
    # Given something other than four ASCII digits
    # When it is validated
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode(postcode, "NSW")

    # Then the customer is asked for a 4-digit postcode, and it maps to no state
    assert excinfo.value.code == "invalid_postcode"
    assert excinfo.value.messages == [POSTCODE_FORMAT_MESSAGE]
    assert state_for_postcode(postcode) is None


@pytest.mark.parametrize("state", ["XX", "", "New South Wales"])
def test_unknown_state_is_refused(state):
    with pytest.raises(ValidationError) as excinfo:
        validate_postcode("2000", state)

    assert excinfo.value.code == "invalid_state"
    assert excinfo.value.messages == ["Choose a state or territory."]


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("0412 345 678", "+61412345678"),
        ("0412-345-678", "+61412345678"),
        (" 0412 345 678 ", "+61412345678"),
        ("+61 412 345 678", "+61412345678"),
        ("0011 61 412 345 678", "+61412345678"),
        ("(02) 9876 5432", "+61298765432"),
        ("+61 2 9876 5432", "+61298765432"),
        ("1300 668 466", "+611300668466"),
        ("13 22 11", "+61132211"),
    ],
)
def test_australian_numbers_as_people_type_them_are_normalised_to_e164(typed, e164):
    assert normalise_au_phone(typed) == e164


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("+44 20 7946 0958", id="uk"),
        pytest.param("+64 21 123 4567", id="new-zealand"),
        pytest.param("+61 8 9164 1234", id="christmas-island-shares-61"),
        pytest.param("abc", id="letters"),
        pytest.param("0412 ABC DEF", id="keypad-letters"),
        pytest.param("0412 345 678 ext 5", id="extension"),
        pytest.param("0412", id="too-short"),
        pytest.param("0412 345 6789", id="too-long"),
        pytest.param("", id="empty"),
        pytest.param("   ", id="blank"),
    ],
)
def test_anything_but_a_valid_australian_number_is_refused(typed):
    with pytest.raises(ValidationError) as excinfo:
        normalise_au_phone(typed)

    assert excinfo.value.code == "invalid_phone"
    assert excinfo.value.messages == [PHONE_MESSAGE]
