"""The shop manager's exchanges and returns: the queue (open requests first), one request with
its steps (who did what, when) and the next steps it may take, and the 90-day report per
product and size and per reason. The rules are shop/returns.py's; a return's refund is made
on the order's refund page (receipts/), which records the credit note and this step."""

from django import forms
from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import ListView

from core.dashboard import RoleRequiredMixin
from core.forms import AccessibleFormMixin
from shop.dashboard.access import can_work_returns
from shop.models import ReturnRequest
from shop.returns import NEXT_STEPS, OPEN, ReturnRefused, return_step, returns_report

Status = ReturnRequest.Status


class ReturnsRoleMixin(RoleRequiredMixin):
    role_check = staticmethod(can_work_returns)


class ReturnListView(ReturnsRoleMixin, ListView):
    template_name = "shop/dashboard/return_list.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        open_first = Case(
            When(status__in=OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            ReturnRequest.objects.select_related("order", "line", "replacement__product")
            .annotate(open_first=open_first)
            .order_by("open_first", "created_at")
        )

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "report": returns_report(days=90)}


class StepForm(AccessibleFormMixin, forms.Form):
    status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    message = forms.CharField(
        max_length=300, required=False, label="Reason for the customer (when rejecting)"
    )


class ReturnDetailView(ReturnsRoleMixin, View):
    template_name = "shop/dashboard/return_detail.html"

    def page(self, request_, form, status=200):
        steps = [
            step for step in NEXT_STEPS[request_.status] if step != Status.REFUNDED
        ]  # a refund is made on the order's refund page, with its credit note
        context = {
            "request_": request_,
            "form": form,
            "steps": [Status(step) for step in steps],
            "refund_url": (
                reverse("receipts-dashboard:refund", args=[request_.order.number])
                + f"?return={request_.pk}"
                if Status.REFUNDED in NEXT_STEPS[request_.status]
                and request_.kind == ReturnRequest.Kind.RETURN
                else ""
            ),
            "history": request_.steps.select_related("by"),
        }
        return render(self.request, self.template_name, context, status=status)

    def _request(self, pk):
        return get_object_or_404(
            ReturnRequest.objects.select_related("order", "line", "replacement__product"), pk=pk
        )

    def get(self, request, pk):
        return self.page(self._request(pk), StepForm())

    def post(self, request, pk):
        request_ = self._request(pk)
        form = StepForm(request.POST)
        if not form.is_valid():
            return self.page(request_, form, status=400)
        try:
            return_step(
                request_id=request_.pk,
                status=form.cleaned_data["status"],
                by=request.user,
                message=form.cleaned_data["message"],
            )
        except ReturnRefused as refused:
            form.add_error(None, str(refused))
            return self.page(request_, form, status=400)
        label = Status(form.cleaned_data["status"]).label.lower()
        messages.success(request, f"{request_.reference} is {label}; the customer is told.")
        return redirect("shop-dashboard:return-detail", pk=request_.pk)
