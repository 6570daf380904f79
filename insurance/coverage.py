"""The indicative answer: what a fund usually pays for a kind of support, from the coverage
table staff keep (CoverageRule). Always labelled as indicative: only the fund can confirm."""

from dataclasses import asdict, dataclass

from insurance.models import COVER_RANK, CoverageRule, CoverLevel


@dataclass(frozen=True)
class IndicativeAnswer:
    known: bool
    fund: str
    category: str = ""
    claimable: str = ""
    claimable_label: str = ""
    minimum_cover_label: str = ""
    cover_ok: bool | None = None  # None: the customer is not sure of their level
    referral_required: bool = False
    waiting_period_months: int = 0
    rebate_min_percent: int = 0
    rebate_max_percent: int = 0
    annual_limit_aud: int | None = None
    notes: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def product_category(product):
    """The top-level category a product is sold under (a size takes its parent's)."""
    source = product.parent if product.parent_id else product
    category = source.categories.order_by("depth", "path").first()
    if category is None:
        return None
    return category.get_root() if category.depth > 1 else category


def indicative_answer(*, fund, cover_level: str, product) -> IndicativeAnswer:
    category = product_category(product) if product else None
    rule = (
        CoverageRule.objects.filter(fund=fund, category=category).select_related("category").first()
        if category
        else None
    )
    if rule is None:
        return IndicativeAnswer(
            known=False, fund=fund.name, category=category.name if category else ""
        )
    cover_ok = None
    if cover_level in COVER_RANK:
        cover_ok = COVER_RANK[cover_level] >= COVER_RANK[rule.minimum_cover]
    return IndicativeAnswer(
        known=True,
        fund=fund.name,
        category=rule.category.name,
        claimable=rule.claimable,
        claimable_label=rule.get_claimable_display(),
        minimum_cover_label=CoverLevel(rule.minimum_cover).label,
        cover_ok=cover_ok,
        referral_required=rule.referral_required,
        waiting_period_months=rule.waiting_period_months,
        rebate_min_percent=rule.rebate_min_percent,
        rebate_max_percent=rule.rebate_max_percent,
        annual_limit_aud=rule.annual_limit_aud,
        notes=rule.notes,
    )
