from django import forms
from oscar.apps.dashboard.reviews import forms as oscar_forms
from oscar.apps.dashboard.reviews.forms import *  # noqa: F403 (Oscar's other forms, unchanged)
from oscar.core.loading import get_model

ProductReview = get_model("reviews", "productreview")


class DashboardProductReviewForm(oscar_forms.DashboardProductReviewForm):
    """Oscar's status choices are only "Approved" and "Rejected", so a review waiting for
    moderation opened with "Approved" selected, and saving any edit approved it."""

    choices = (
        (ProductReview.FOR_MODERATION, "Requires moderation"),
        *oscar_forms.DashboardProductReviewForm.choices,
    )
    status = forms.TypedChoiceField(choices=choices, coerce=int, label="Status")
