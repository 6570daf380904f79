"""Australian states, postcodes and phone numbers, for every form that asks for an address or a
phone (checkout, the health-fund enquiry, the booking).

Pure Python (no Oscar, no database) so that forms, services and tests can all use it.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError

STATE_CHOICES = [
    ("ACT", "Australian Capital Territory"),
    ("NSW", "New South Wales"),
    ("NT", "Northern Territory"),
    ("QLD", "Queensland"),
    ("SA", "South Australia"),
    ("TAS", "Tasmania"),
    ("VIC", "Victoria"),
    ("WA", "Western Australia"),
]
_STATE_NAMES = dict(STATE_CHOICES)

# Postcode ranges per state, inclusive, as Australia Post allocates them (summarised in
# https://en.wikipedia.org/wiki/Postcodes_in_Australia, "Australian states and territories").
# The PO box and large-volume-receiver (LVR) ranges are included because customers do have
# parcels sent to a PO box or to their workplace's LVR postcode, and refusing those would turn
# away a real address. Bounds are 4-digit strings: leading zeros are part of the postcode, and
# strings of equal length compare in the same order as the numbers they spell.
# Deliberately absent: 6798 (Christmas Island) and 6799 (Cocos (Keeling) Islands), which are
# external territories rather than part of WA. Known limitation: a few border localities carry a
# neighbouring state's postcode (e.g. Hume ACT 2620, Mungindi QLD 2406, Mingoola NSW 4380) and
# are refused for their own state.
POSTCODE_RANGES = {
    "ACT": (("0200", "0299"), ("2600", "2618"), ("2900", "2920")),  # 02xx: PO boxes and LVRs
    "NSW": (("1000", "2599"), ("2619", "2899"), ("2921", "2999")),  # 1xxx: PO boxes and LVRs
    "NT": (("0800", "0999"),),  # 09xx: PO boxes and LVRs
    "QLD": (("4000", "4999"), ("9000", "9999")),  # 9xxx: PO boxes and LVRs
    "SA": (("5000", "5999"),),  # 58xx-59xx: PO boxes and LVRs
    "TAS": (("7000", "7999"),),  # 78xx-79xx: PO boxes and LVRs
    "VIC": (("3000", "3999"), ("8000", "8999")),  # 8xxx: PO boxes and LVRs
    "WA": (("6000", "6797"), ("6800", "6999")),  # 68xx-69xx: PO boxes and LVRs
}

# ASCII digits only: \d would also accept other scripts' digits, such as "２０００".
_POSTCODE = re.compile(r"[0-9]{4}")
# What people type into a phone field. Letters are refused here because phonenumbers would
# otherwise read them as a keypad vanity number ("0412 ABC DEF") or an extension ("ext 5"),
# silently storing digits the customer never typed.
_TYPED_PHONE = re.compile(r"[0-9+()\-.\s]+")
_PHONE_REGION = "AU"


def _clean_postcode(postcode):
    """The postcode without surrounding whitespace, or None when it is not 4 digits."""
    postcode = postcode.strip()
    return postcode if _POSTCODE.fullmatch(postcode) else None


def _in_state(postcode, state):
    return any(low <= postcode <= high for low, high in POSTCODE_RANGES[state])


def validate_postcode(postcode: str, state: str) -> str:
    """Return the cleaned postcode, or raise ValidationError if it is not one of `state`'s.

    Catching a postcode that does not match the state at checkout saves a parcel that would
    otherwise be returned to sender; the message names the state so the customer can see which
    of the two fields is wrong.
    """
    clean = _clean_postcode(postcode)
    if clean is None:
        raise ValidationError("Enter a 4-digit Australian postcode.", code="invalid_postcode")
    if state not in _STATE_NAMES:
        raise ValidationError("Choose a state or territory.", code="invalid_state")
    if not _in_state(clean, state):
        raise ValidationError(
            "%(postcode)s is not a %(state)s postcode. Check the postcode or the state.",
            code="postcode_not_in_state",
            params={"postcode": clean, "state": _STATE_NAMES[state]},
        )
    return clean


def state_for_postcode(postcode: str) -> str | None:
    """The code of the state whose ranges contain `postcode`, to pre-fill or check the state.

    None when it is not a 4-digit postcode or falls in no state's ranges. The ranges do not
    overlap, so there is at most one answer.
    """
    clean = _clean_postcode(postcode)
    if clean is None:
        return None
    return next((state for state in POSTCODE_RANGES if _in_state(clean, state)), None)


def _parse_au_phone(value):
    """The phonenumbers number for `value` typed in Australia, or None if it cannot be read."""
    if not _TYPED_PHONE.fullmatch(value):
        return None
    try:
        return phonenumbers.parse(value, _PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None


def normalise_au_phone(value: str) -> str:
    """Return an Australian phone number in E.164 ("+61412345678"), or raise ValidationError.

    Customers type numbers in many shapes ("0412 345 678", "(02) 9876 5432", "+61 ..."); storing
    one form lets couriers and staff dial it and lets us compare numbers. Only numbers valid for
    the AU region are accepted: the courier needs a number reachable in Australia, so a number
    from another country (or one that is merely the right length) is refused.
    """
    number = _parse_au_phone(value)
    if number is None or not phonenumbers.is_valid_number_for_region(number, _PHONE_REGION):
        raise ValidationError(
            "Enter an Australian phone number, e.g. 0412 345 678 or (02) 9876 5432.",
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class PostcodeInStateMixin:
    """For forms with `state` and `postcode` fields: the postcode must be one of the state's.
    With no state chosen yet, only the state field complains (not the postcode as well)."""

    def clean(self):
        cleaned = super().clean()
        postcode, state = cleaned.get("postcode"), cleaned.get("state")
        if postcode:
            try:
                cleaned["postcode"] = validate_postcode(postcode, state or "")
            except ValidationError as error:
                if error.code != "invalid_state":
                    self.add_error("postcode", error)
        return cleaned
