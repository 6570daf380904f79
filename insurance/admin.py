"""The admin's view of enquiries, kept for superusers' occasional repairs: officers work in
the dashboard (insurance/dashboard/). Only users with the explicit "handle_enquiry"
permission see enquiries here, and every view is audited."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from insurance.models import AuditEntry, CoverageRule, Enquiry, HealthFund
from insurance.services import audit

PERMISSION = "insurance.handle_enquiry"


class InsurancePermissionMixin:
    def has_module_permission(self, request):
        return request.user.has_perm(PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)


@admin.register(HealthFund)
class HealthFundAdmin(InsurancePermissionMixin, admin.ModelAdmin):
    list_display = ["name", "is_other", "active", "display_order"]
    prepopulated_fields = {"slug": ("name",)}


@admin.register(CoverageRule)
class CoverageRuleAdmin(InsurancePermissionMixin, admin.ModelAdmin):
    list_display = ["fund", "category", "claimable", "minimum_cover", "referral_required"]
    list_filter = ["fund", "claimable"]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    has_add_permission = has_delete_permission = has_change_permission


class AuditInline(admin.TabularInline):
    model = AuditEntry
    fields = ["at", "actor", "action", "detail"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)


@admin.register(Enquiry)
class EnquiryAdmin(InsurancePermissionMixin, admin.ModelAdmin):
    list_display = ["reference", "status", "fund", "cover_level", "created_at"]
    list_filter = ["status", "fund", "cover_level"]
    search_fields = ["reference", "email"]
    inlines = [AuditInline]
    readonly_fields = [
        "reference", "name", "email", "phone", "state", "postcode", "contact_preference",
        "fund", "fund_other_name", "membership_number", "cover_level", "product", "size",
        "referral", "referral_details", "question", "upload_link", "consent_text",
        "consent_version", "consented_at", "indicative_answer", "outcome",
        "estimated_rebate_aud", "answer_message", "answered_by", "answered_at",
        "acknowledgement_sent_at", "staff_notified_at", "answer_sent_at", "last_email_error",
        "created_at",
    ]  # fmt: skip
    fields = ["status", "assigned_to", *readonly_fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        enquiry = self.get_object(request, object_id)
        if enquiry is not None and request.method == "GET":
            audit(enquiry, AuditEntry.Action.VIEWED, actor=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.changed_data:
            audit(
                obj,
                AuditEntry.Action.CHANGED,
                actor=request.user,
                detail=", ".join(form.changed_data),
            )

    @admin.display(description="Upload")
    def upload_link(self, enquiry):
        if not enquiry.upload:
            return "-"
        url = reverse("insurance-dashboard:enquiry-upload", args=[enquiry.reference])
        return format_html('<a href="{}">Download ({})</a>', url, enquiry.upload_content_type)
