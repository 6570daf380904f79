"""The dashboard's customer page: one customer, one thread (README, "One customer page").

Oscar's page shows the account's orders. Beside them: the video calls and the expert's
recommendations (with the orders that followed), for anyone who may see customers, and the
health-fund enquiries, whole only for health-fund officers (each view audited); a shop
manager sees that enquiries exist, not what is in them. Calls and enquiries are found by the
account's address only once its holder has proven it (accounts.services.verified_email), as
on the customer's own account pages: an account registered with somebody else's address
shows staff nothing of theirs either.
"""

from oscar.apps.dashboard.users import views

from accounts.services import verified_email
from consultations.selectors import bookings_for_address
from insurance.services import enquiries_show


class UserDetailView(views.UserDetailView):
    def get_context_data(self, **kwargs):
        customer = self.object
        email = verified_email(customer)
        context = {"verified_email": email}
        if email:
            upcoming, past = bookings_for_address(email, with_orders=True)
            calls = [*upcoming, *past]
            enquiries, enquiry_count = enquiries_show(email=email, viewer=self.request.user)
            context.update(
                calls=calls,
                recommendations=[c.recommendation for c in calls if hasattr(c, "recommendation")],
                enquiries=enquiries,
                enquiry_count=enquiry_count,
            )
        return super().get_context_data(**context, **kwargs)
