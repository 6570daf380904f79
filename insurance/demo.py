"""Demo rows of the coverage table: plausible, not any fund's real rules. Staff replace them
with what each fund publishes (Admin > Health-fund enquiries > Coverage rules)."""

from oscar.core.loading import get_model

from insurance.models import CoverageRule, CoverLevel, HealthFund

Category = get_model("catalogue", "Category")

# Funds whose cheaper extras products tend to leave out aids and appliances.
TOP_COVER_ONLY = {"ahm", "frank", "healthcomau"}
CATEGORY_RULES = {
    # slug: (claimable, rebate %, annual limit $)
    "back-and-spine": (CoverageRule.Claimable.USUALLY, (50, 80), 300),
    "knee": (CoverageRule.Claimable.USUALLY, (50, 80), 300),
    "ankle-and-foot": (CoverageRule.Claimable.SOMETIMES, (40, 70), 250),
    "wrist-and-hand": (CoverageRule.Claimable.USUALLY, (50, 75), 250),
}


def load(stdout) -> None:
    categories = {c.slug: c for c in Category.objects.filter(slug__in=CATEGORY_RULES)}
    created = 0
    for index, fund in enumerate(HealthFund.objects.filter(is_other=False)):
        for slug, (claimable, (low, high), limit) in CATEGORY_RULES.items():
            if slug not in categories:
                continue
            _, new = CoverageRule.objects.get_or_create(
                fund=fund,
                category=categories[slug],
                defaults={
                    "claimable": claimable,
                    "minimum_cover": CoverLevel.TOP
                    if fund.slug in TOP_COVER_ONLY
                    else CoverLevel.MID,
                    "referral_required": True,
                    "waiting_period_months": 12 if index % 3 else 6,
                    "rebate_min_percent": low,
                    "rebate_max_percent": high - 5 * (index % 3),
                    "annual_limit_aud": limit + 50 * (index % 4),
                    "notes": "Claimed under aids and appliances (orthopaedic supports and braces).",
                },
            )
            created += new
    stdout.write(f"Health funds: coverage table ready ({created} new rules)")
