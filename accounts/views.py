"""The customer's health-fund enquiries and video calls in their account (beside Oscar's
orders and addresses), and proving the account's e-mail address that shows them."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from accounts.services import (
    VerificationRefused,
    verification_confirm,
    verification_request,
    verified_email,
)
from consultations.selectors import bookings_for_address
from insurance.selectors import enquiries_for_address


class _AccountPage(LoginRequiredMixin, TemplateView):
    active_tab = ""
    page_title = ""

    def get_context_data(self, **kwargs):
        email = verified_email(self.request.user)
        context = super().get_context_data(
            active_tab=self.active_tab, page_title=self.page_title, verified=bool(email), **kwargs
        )
        if email:
            context.update(self.records(email))
        return context

    def records(self, email) -> dict:
        raise NotImplementedError


class EnquiriesView(_AccountPage):
    template_name = "accounts/enquiries.html"
    active_tab, page_title = "enquiries", "Health-fund enquiries"

    def records(self, email):
        return {"enquiries": enquiries_for_address(email)}


class CallsView(_AccountPage):
    template_name = "accounts/calls.html"
    active_tab, page_title = "calls", "Video calls"

    def records(self, email):
        upcoming, past = bookings_for_address(email)
        return {"upcoming": upcoming, "past": past}


class VerifyRequestView(LoginRequiredMixin, View):
    def post(self, request):
        verification_request(user=request.user)
        messages.info(
            request,
            f"We have e-mailed a link to {request.user.email}. Open it in this browser to "
            "confirm the address is yours.",
        )
        return redirect(request.POST.get("next") or "accounts:enquiries")


class VerifyConfirmView(LoginRequiredMixin, View):
    def get(self, request, token):
        try:
            verification_confirm(user=request.user, token=token)
        except VerificationRefused:
            # One answer for a made-up link, another account's, a used or an old one.
            raise Http404 from None
        messages.success(
            request,
            "Your e-mail address is confirmed: your enquiries and video calls are below.",
        )
        return redirect("accounts:enquiries")
