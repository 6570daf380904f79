"""The customer's health-fund enquiries and video calls in their account (beside Oscar's
orders and addresses), and proving the account's e-mail address that shows them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from accounts.forms import SignInCodeForm, SignInEmailForm
from accounts.receivers import RECOMMENDED_CALL
from accounts.services import (
    VerificationRefused,
    verification_confirm,
    verification_request,
    verified_email,
)
from accounts.signin import CodeRefused, code_check, code_request, link_check
from consultations.selectors import bookings_for_address, recommendation_by_token
from core.limits import LimitReached
from core.requests import client_ip
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
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = "accounts:enquiries"  # never a page of another site
        return redirect(back)


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


# --------------------------------------------------------------------------------------------
# Sign-in without a password (accounts/signin.py)
# --------------------------------------------------------------------------------------------

SIGN_IN_EMAIL = "accounts.sign_in_email"


class SignInRequestView(View):
    template_name = "accounts/sign_in_request.html"

    def get(self, request):
        return render(request, self.template_name, {"form": SignInEmailForm()})

    def post(self, request):
        form = SignInEmailForm(request.POST)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        email = form.cleaned_data["email"]
        try:
            code_request(email=email, client_address=client_ip(request))
        except LimitReached as limit:
            response = render(
                request, self.template_name, {"form": form, "limit": limit}, status=429
            )
            if limit.retry_after:
                response["Retry-After"] = str(limit.retry_after)
            return response
        request.session[SIGN_IN_EMAIL] = email
        return redirect("accounts:sign-in-code")


class SignInCodeView(View):
    template_name = "accounts/sign_in_code.html"

    def dispatch(self, request, *args, **kwargs):
        self.email = request.session.get(SIGN_IN_EMAIL)
        if not self.email:
            return redirect("accounts:sign-in")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return self.page(SignInCodeForm())

    def page(self, form, status=200):
        context = {"form": form, "email": self.email, "minutes": settings.SIGN_IN_CODE_MINUTES}
        return render(self.request, self.template_name, context, status=status)

    def post(self, request):
        form = SignInCodeForm(request.POST)
        if form.is_valid():
            try:
                user = code_check(email=self.email, code=form.cleaned_data["code"])
            except CodeRefused:
                form.add_error(
                    "code",
                    "That code is not right, or no longer works. Check the latest e-mail, or "
                    "ask for a new code.",
                )
            else:
                return _signed_in(request, user)
        return self.page(form, status=400)


class SignInLinkView(View):
    def get(self, request, token):
        try:
            user = link_check(token=token)
        except CodeRefused:
            raise Http404 from None
        return _signed_in(request, user)


def _signed_in(request, user):
    request.session.pop(SIGN_IN_EMAIL, None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, "You are signed in.")
    return redirect("customer:summary")


# --------------------------------------------------------------------------------------------
# The expert's recommendation into the basket, in one click
# --------------------------------------------------------------------------------------------


class RecommendationView(View):
    """GET: what the expert recommends, with its stock; POST: every item in the basket, in
    the sizes chosen (only those, only while the recommendation is open). The unguessable
    token in the e-mailed link is what gives access, as the booking's own page does."""

    template_name = "accounts/recommendation.html"

    def dispatch(self, request, token):
        self.recommendation = recommendation_by_token(token)
        if self.recommendation is None:
            raise Http404
        return super().dispatch(request, token)

    def items(self):
        strategy = self.request.strategy
        rows = []
        for item in self.recommendation.items.all():
            info = strategy.fetch_for_product(item.product)
            rows.append(
                {
                    "item": item,
                    "price": info.price,
                    "can_buy": info.availability.is_available_to_buy
                    and info.availability.is_purchase_permitted(item.quantity)[0],
                }
            )
        return rows

    def render_page(self, status=200):
        context = {
            "recommendation": self.recommendation,
            "rows": self.items(),
            "open": self.recommendation.is_open(),
            "recommendation_days": settings.RECOMMENDATION_DAYS,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, token):
        return self.render_page(200 if self.recommendation.is_open() else 410)

    def post(self, request, token):
        if not self.recommendation.is_open():
            return self.render_page(410)
        added, missing = 0, []
        for row in self.items():
            item = row["item"]
            if row["can_buy"]:
                request.basket.add_product(item.product, item.quantity)
                added += 1
            else:
                missing.append(item.product.get_title())
        request.session[RECOMMENDED_CALL] = self.recommendation.booking_id
        if added:
            messages.success(request, f"Added {added} recommended support(s) to your basket.")
        for title in missing:
            messages.warning(
                request,
                f"“{title}” is sold out in that size just now: it was not added. Its page "
                "can e-mail you when it is back.",
            )
        return redirect("basket:summary")
