"""Writing a review (shop/reviews.py has the rules): from the one-time link in "How is your
support?", or from the account's order page once the order is delivered. One form per
product the order bought; each review waits for moderation. A bad link is 404; what was typed
stays on the page when a review is refused."""

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View
from oscar.core.loading import get_model

from core.forms import AccessibleFormMixin
from shop.models import ReviewVerification
from shop.reviews import (
    DELIVERED,
    ReviewRefused,
    invite_by_token,
    invite_unsubscribe,
    review_write,
    reviewable,
)
from shop.selectors import order_shown_to

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
ProductReview = get_model("reviews", "ProductReview")


class ReviewForm(AccessibleFormMixin, forms.Form):
    product = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        label="Your rating",
    )
    fit = forms.ChoiceField(
        choices=ReviewVerification.Fit.choices, widget=forms.RadioSelect, label="How does it fit?"
    )
    title = forms.CharField(max_length=120, label="In a few words")
    body = forms.CharField(
        max_length=3000, widget=forms.Textarea(attrs={"rows": 5}), label="Your review"
    )
    name = forms.CharField(max_length=60, label="Your name as shown (a first name is fine)")


def _ids(product_id) -> str:
    product_id = str(product_id)
    return f"id_p{product_id if product_id.isdigit() else 'x'}_%s"


class ReviewView(View):
    template_name = "shop/review_form.html"

    def order(self, request, token=None, order_number=None):
        if token is not None:
            invite = invite_by_token(token)
            if invite is None:
                raise Http404
            return invite.order
        order = Order.objects.filter(number=order_number[:128]).first()
        if order is None or not order_shown_to(request, order) or order.status != DELIVERED:
            raise Http404
        return order

    def page(self, order, forms_by_product, status=200, done=None, error=""):
        context = {"order": order, "forms": forms_by_product, "done": done, "error": error}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, token=None, order_number=None):
        order = self.order(request, token, order_number)
        return self.page(order, self._forms(order))

    def _forms(self, order, bound=None):
        """One form per product left to review, each with ids of its own on the page."""
        return [
            (product, bound if bound and bound.data.get("product") == str(product.pk) else
             ReviewForm(initial={"product": product.pk}, auto_id=_ids(product.pk)))
            for product in reviewable(order)
        ]  # fmt: skip

    def post(self, request, token=None, order_number=None):
        order = self.order(request, token, order_number)
        form = ReviewForm(request.POST, auto_id=_ids(request.POST.get("product", "")))
        if not form.is_valid():
            return self.page(order, self._forms(order, form), status=400)
        data = form.cleaned_data
        try:
            review = review_write(
                order=order, product_id=data["product"], score=data["score"],
                title=data["title"], body=data["body"], fit=data["fit"], name=data["name"],
            )  # fmt: skip
        except ReviewRefused as refused:
            return self.page(order, self._forms(order, form), status=400, error=str(refused))
        return self.page(order, self._forms(order), done=review)


class AccountReviewView(LoginRequiredMixin, ReviewView):
    """From the order's page in the account, once delivered."""


class ReviewUnsubscribeView(View):
    def get(self, request, token):
        return self._page(token, done=False)

    def post(self, request, token):
        invite = invite_by_token(token)
        if invite is not None:
            invite_unsubscribe(invite)
        return self._page(token, done=True)

    def _page(self, token, *, done):
        invite = invite_by_token(token)
        status = 200 if invite else 404
        return render(
            self.request, "shop/review_unsubscribe.html", {"invite": invite, "done": done},
            status=status,
        )  # fmt: skip


def review_elsewhere(request, product_pk, **kwargs):
    """Oscar's "Write a review" buttons (on the product page and Oscar's order pages) land
    here instead of its open form: a signed-in buyer goes to their delivered order's review
    page; anyone else is told how reviews are written (403: only buyers may)."""
    product = get_object_or_404(Product, pk=product_pk)
    product = (
        product.parent or product
    )  # Oscar's order pages link a size; reviews are of its product
    if request.user.is_authenticated:
        bought = [product.pk, *product.children.values_list("pk", flat=True)]
        order = (
            Order.objects.filter(user=request.user, status=DELIVERED, lines__product_id__in=bought)
            .order_by("-date_placed")
            .first()
        )
        if order is not None and product in reviewable(order):
            return redirect("customer-review", order_number=order.number)
    context = {"product": product}
    return render(request, "shop/review_how.html", context, status=403)
