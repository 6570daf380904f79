"""Who may open the consultations part of the dashboard (its views use it, and so does the
dashboard navigation, as Oscar's `access_fn`, which then hides it from everyone else).

Experts work on their own calls, hours and time off; leads on everyone's and on the queue of
calls no expert has yet. Superusers are leads.
"""

BOOKING_VIEW = "consultations.view_booking"
LEAD = "consultations.change_expert"


def is_lead(user) -> bool:
    return user.has_perm(LEAD)  # False for inactive users; True for active superusers


def can_use_consultations(user, url_name=None, url_args=None, url_kwargs=None) -> bool:
    if not (user.is_active and user.is_staff):
        return False
    return is_lead(user) or (hasattr(user, "expert") and user.has_perm(BOOKING_VIEW))
