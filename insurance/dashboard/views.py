"""The health-fund officers' part of the dashboard: the queue of enquiries, one enquiry with
its details (decrypted only here), its upload, internal notes and the answer, a CSV export,
and the coverage table the indicative answers come from. Every look at an enquiry is audited."""

import csv

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import (
    CreateView,
    DeleteView,
    ListView,
    TemplateView,
    UpdateView,
    View,
)

from core import clock
from core.dashboard import RoleRequiredMixin
from core.encryption import decrypt_bytes
from insurance.dashboard.access import can_edit_coverage, can_handle_enquiries
from insurance.dashboard.forms import (
    CoverageRuleForm,
    EnquiryAnswerForm,
    EnquiryHandlingForm,
    EnquiryNoteForm,
    EnquirySearchForm,
)
from insurance.models import AuditEntry, CoverageRule, Enquiry, HealthFund
from insurance.services import (
    AlreadyAnswered,
    audit,
    enquiry_answer,
    enquiry_handle,
    enquiry_note_add,
)


class OfficerRequiredMixin(RoleRequiredMixin):
    role_check = staticmethod(can_handle_enquiries)


@method_decorator(never_cache, name="dispatch")
class EnquiryListView(OfficerRequiredMixin, ListView):
    template_name = "insurance/dashboard/enquiry_list.html"
    context_object_name = "enquiries"
    paginate_by = 25

    def get_queryset(self):
        self.form = EnquirySearchForm(self.request.GET or None)
        new_first = Case(
            When(status=Enquiry.Status.NEW, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        enquiries = Enquiry.objects.select_related("fund", "product", "assigned_to").order_by(
            new_first, "-created_at"
        )
        return self.form.filter(enquiries)

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        """The filtered list as CSV (no health details), each exported enquiry audited."""
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="enquiries-{clock.today():%Y-%m-%d}.csv"'
        )
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        writer.writerow(
            [
                "Reference",
                "Status",
                "Received",
                "Fund",
                "Cover",
                "Product",
                "Name",
                "Email",
                "Phone",
                "Outcome",
            ]
        )
        for enquiry in self.get_queryset():
            received = timezone.localtime(enquiry.created_at)
            product = enquiry.product.get_title() if enquiry.product else ""
            writer.writerow(
                [
                    enquiry.reference,
                    enquiry.get_status_display(),
                    f"{received:%Y-%m-%d %H:%M}",
                    enquiry.fund_display,
                    enquiry.get_cover_level_display(),
                    product,
                    _cell(enquiry.name),
                    _cell(enquiry.email),
                    _cell(enquiry.phone),
                    enquiry.get_outcome_display(),
                ]
            )
            audit(enquiry, AuditEntry.Action.EXPORTED, actor=self.request.user, detail="CSV export")
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(form=self.form, now=clock.now(), **kwargs)


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas a customer could have typed (CSV injection)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@method_decorator(never_cache, name="dispatch")
class EnquiryDetailView(OfficerRequiredMixin, TemplateView):
    template_name = "insurance/dashboard/enquiry_detail.html"

    @cached_property
    def enquiry(self):
        # Looked up on first use, in get() or post(): after the role check, so that a real
        # reference and a made-up one get the same answer from anyone who may not see it.
        return get_object_or_404(
            Enquiry.objects.select_related("fund", "product", "assigned_to", "answered_by"),
            reference=self.kwargs["reference"],
        )

    def get(self, request, *args, **kwargs):
        audit(self.enquiry, AuditEntry.Action.VIEWED, actor=request.user)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        enquiry = self.enquiry
        kwargs.setdefault(
            "handling_form",
            EnquiryHandlingForm(
                initial={"status": enquiry.status, "assigned_to": enquiry.assigned_to}
            ),
        )
        kwargs.setdefault("answer_form", EnquiryAnswerForm())
        kwargs.setdefault("note_form", EnquiryNoteForm())
        return super().get_context_data(
            enquiry=enquiry,
            answer=enquiry.indicative_answer,
            notes=enquiry.notes.select_related("author"),
            audit_trail=enquiry.audit.select_related("actor")[:100],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if "answer" in request.POST:
            return self.post_answer(request)
        if "note" in request.POST:
            return self.post_note(request)
        form = EnquiryHandlingForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(handling_form=form), status=400)
        if enquiry_handle(
            enquiry_id=self.enquiry.pk,
            status=form.cleaned_data["status"],
            assigned_to=form.cleaned_data["assigned_to"],
            by=request.user,
        ):
            messages.success(request, "Saved.")
        return redirect("insurance-dashboard:enquiry-detail", reference=self.enquiry.reference)

    def post_note(self, request):
        form = EnquiryNoteForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(note_form=form), status=400)
        enquiry_note_add(
            enquiry_id=self.enquiry.pk, text=form.cleaned_data["text"], by=request.user
        )
        messages.success(request, "Note added.")
        return redirect("insurance-dashboard:enquiry-detail", reference=self.enquiry.reference)

    def post_answer(self, request):
        form = EnquiryAnswerForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(answer_form=form), status=400)
        try:
            enquiry_answer(
                enquiry_id=self.enquiry.pk,
                outcome=form.cleaned_data["outcome"],
                estimated_rebate=form.cleaned_data["estimated_rebate"],
                message=form.cleaned_data["message"],
                by=request.user,
            )
        except AlreadyAnswered:
            messages.error(
                request,
                "Another officer answered this enquiry a moment ago; their answer is below.",
            )
            return redirect("insurance-dashboard:enquiry-detail", reference=self.enquiry.reference)
        messages.success(request, "Answer saved; the customer is emailed it now.")
        return redirect("insurance-dashboard:enquiry-detail", reference=self.enquiry.reference)


@method_decorator(never_cache, name="dispatch")
class EnquiryUploadView(OfficerRequiredMixin, View):
    """The decrypted upload as a download (never rendered inline), audited."""

    # The bytes were checked on the way in (insurance/uploads.py); these are the only types.
    EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}

    def get(self, request, reference):
        enquiry = get_object_or_404(Enquiry, reference=reference)
        if not enquiry.upload:
            raise Http404("This enquiry has no upload.")
        with enquiry.upload.open("rb") as stored:
            content = decrypt_bytes(stored.read())
        audit(enquiry, AuditEntry.Action.UPLOAD_VIEWED, actor=request.user)
        response = HttpResponse(content, content_type=enquiry.upload_content_type)
        filename = f"{enquiry.reference}.{self.EXTENSIONS.get(enquiry.upload_content_type, 'bin')}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class CoverageMixin(OfficerRequiredMixin):
    """The coverage table: officers who may change rules (the Health-fund officer role)."""

    model = CoverageRule
    form_class = CoverageRuleForm
    success_url = reverse_lazy("insurance-dashboard:coverage-list")
    role_check = staticmethod(can_edit_coverage)


class CoverageListView(CoverageMixin, ListView):
    template_name = "insurance/dashboard/coverage_list.html"
    context_object_name = "rules"
    paginate_by = 50

    def get_queryset(self):
        rules = CoverageRule.objects.select_related("fund", "category").order_by(
            "fund__is_other", "fund__display_order", "fund__name", "category__name"
        )
        self.fund = self.request.GET.get("fund", "")
        return rules.filter(fund__slug=self.fund) if self.fund else rules

    def get_context_data(self, **kwargs):
        funds = HealthFund.objects.filter(coverage__isnull=False).distinct()
        return super().get_context_data(funds=funds, chosen_fund=self.fund, **kwargs)


class CoverageFormMixin(CoverageMixin):
    template_name = "insurance/dashboard/coverage_form.html"

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_valid(self, form):
        messages.success(self.request, f"Saved the rule for {form.instance}.")
        return super().form_valid(form)


class CoverageCreateView(CoverageFormMixin, CreateView):
    pass


class CoverageUpdateView(CoverageFormMixin, UpdateView):
    pass


class CoverageDeleteView(CoverageMixin, DeleteView):
    template_name = "insurance/dashboard/coverage_delete.html"

    def form_valid(self, form):
        messages.success(self.request, f"Deleted the rule for {self.object}.")
        return super().form_valid(form)
