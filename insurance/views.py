"""The enquiry form and its confirmation. Both carry health information, so neither may be
stored by a browser or a proxy (Cache-Control: no-store)."""

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from core import funnel
from core.limits import LimitReached
from core.requests import client_ip
from core.utils import parse_id
from insurance.coverage import indicative_answer
from insurance.forms import EnquiryForm
from insurance.models import CoverLevel, Enquiry, HealthFund
from insurance.privacy import CONSENT_TEXT
from insurance.services import enquiry_submit
from shop.selectors import Product

SESSION_KEY = "insurance_enquiries"


@never_cache
def enquiry(request):
    if request.method == "POST":
        form = EnquiryForm(request.POST, request.FILES)
        if form.is_spam:
            return render(
                request,
                "insurance/enquiry_form.html",
                _context(EnquiryForm(), refused=True),
                status=400,
            )
        if form.is_valid():
            try:
                enquiry, _created = enquiry_submit(
                    data=form.enquiry_data(),
                    upload=form.cleaned_data["upload"],
                    client_address=client_ip(request),
                    submission_key=form.cleaned_data["submission_key"],
                )
            except LimitReached as limit:
                # What they typed stays on the page, with why it was not sent and when it can be.
                context = _context(form, limit=limit, had_upload=bool(request.FILES))
                response = render(request, "insurance/enquiry_form.html", context, status=429)
                if limit.retry_after:
                    response["Retry-After"] = str(limit.retry_after)
                return response
            # The last ten this session sent (a resent form's reference once).
            earlier = [r for r in request.session.get(SESSION_KEY, []) if r != enquiry.reference]
            request.session[SESSION_KEY] = [*earlier[-9:], enquiry.reference]
            funnel.step(request, "fund_check")
            return redirect("insurance:enquiry-sent", reference=enquiry.reference)
        return render(request, "insurance/enquiry_form.html", _context(form), status=400)
    return render(
        request, "insurance/enquiry_form.html", _context(EnquiryForm(initial=_initial(request)))
    )


def _initial(request) -> dict:
    product_id = request.GET.get("product", "")
    if product_id.isdigit():
        product = Product.objects.browsable().filter(pk=int(product_id)).first()
        if product:
            return {"product": product}
    return {}


def _context(form, **extra):
    return {"form": form, "consent_text": CONSENT_TEXT, **extra}


@never_cache
def enquiry_sent(request, reference):
    """The reference and the indicative answer, shown only in the session that sent it."""
    if reference not in request.session.get(SESSION_KEY, []):
        raise Http404
    enquiry = Enquiry.objects.select_related("fund", "product").filter(reference=reference).first()
    if enquiry is None:
        raise Http404
    return render(
        request,
        "insurance/enquiry_sent.html",
        {"enquiry": enquiry, "answer": enquiry.indicative_answer},
    )


@never_cache
def indicative(request):
    """The indicative answer as JSON, for the form's script, as soon as fund, cover level
    and product are chosen. Says nothing about any enquiry."""
    fund = HealthFund.objects.filter(pk=parse_id(request.GET.get("fund")), active=True).first()
    product = Product.objects.browsable().filter(pk=parse_id(request.GET.get("product"))).first()
    cover_level = request.GET.get("cover_level", "")
    if fund is None or product is None or cover_level not in CoverLevel.values:
        return JsonResponse(
            {"error": "Choose your fund, your level of cover and a support."}, status=400
        )
    return JsonResponse(
        indicative_answer(fund=fund, cover_level=cover_level, product=product).as_dict()
    )
