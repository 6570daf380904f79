"""Sizes of a support and the size finder: which size fits a measurement.

A parent product's variants carry their size, colour and the measurement range they fit
(attributes `size`, `colour`, `measure_min_cm`, `measure_max_cm`; the parent says where to
measure in `measured_at`). Neighbouring sizes share their boundary (size 1 fits 70-80 cm, size 2
80-90 cm), as the maker's charts do: a measurement exactly on a boundary, or one that no size
covers, is not guessed at; the customer is offered a fitting call instead.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

LOW_STOCK = 3  # "Only N left" at or below this


@dataclass(frozen=True)
class Variant:
    product: object
    size: str
    colour: str
    min_cm: int
    max_cm: int
    price: Decimal
    currency: str
    num_available: int | None
    available: bool

    @property
    def stock_message(self) -> str:
        if not self.available:
            return "Out of stock"
        if self.num_available is not None and self.num_available <= LOW_STOCK:
            return f"Only {self.num_available} left"
        return "In stock"

    @property
    def label(self) -> str:
        return f"Size {self.size} ({self.min_cm}–{self.max_cm} cm), {self.colour}"


@dataclass(frozen=True)
class SizeRow:
    size: str
    min_cm: int
    max_cm: int
    cells: tuple[Variant | None, ...] = ()  # one per colour of the guide, in its order


@dataclass(frozen=True)
class SizeMatch:
    """What the finder says about a measurement: `exact` (one size), `between` (on the
    boundary of two), `below` or `above` the range, or `invalid` input."""

    kind: str
    measurement: Decimal | None = None
    sizes: tuple[str, ...] = ()

    @property
    def size(self) -> str | None:
        return self.sizes[0] if self.kind == "exact" else None


@dataclass(frozen=True)
class SizeGuide:
    measured_at: str
    colours: tuple[str, ...]
    rows: tuple[SizeRow, ...]
    variants: tuple[Variant, ...]

    @property
    def sold_out(self) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if not v.available)

    def find(self, measurement) -> SizeMatch:
        return find_size(measurement, self.rows)

    def preferred_variant(self, size: str | None) -> Variant | None:
        """The variant to preselect for a size: the first colour in stock, else the first."""
        candidates = [v for v in self.variants if v.size == size]
        return next((v for v in candidates if v.available), candidates[0] if candidates else None)


MIN_PLAUSIBLE_CM = Decimal(10)
MAX_PLAUSIBLE_CM = Decimal(300)


def parse_measurement(raw) -> Decimal | None:
    """A measurement in cm as typed ("85", "85.5", "85,5", " 85 cm"), or None if it is not one."""
    text = str(raw or "").strip().lower().removesuffix("cm").strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or not MIN_PLAUSIBLE_CM <= value <= MAX_PLAUSIBLE_CM:
        return None
    return value


def find_size(measurement, rows) -> SizeMatch:
    value = parse_measurement(measurement)
    if value is None:
        return SizeMatch("invalid")
    fitting = tuple(row.size for row in rows if row.min_cm <= value <= row.max_cm)
    if len(fitting) == 1:
        return SizeMatch("exact", value, fitting)
    if len(fitting) > 1:
        return SizeMatch("between", value, fitting)
    if rows and value < min(row.min_cm for row in rows):
        return SizeMatch("below", value)
    return SizeMatch("above", value)


def size_guide(product, offers) -> SizeGuide | None:
    """The size guide of a parent product whose variants say which measurements they fit
    (`offers`: what its page sells, shop.selectors.product_offers); None for any other
    product."""
    if not product.is_parent:
        return None
    variants = [
        Variant(
            product=offer.product,
            size=offer.size,
            colour=offer.colour,
            min_cm=int(offer.attributes["measure_min_cm"]),
            max_cm=int(offer.attributes["measure_max_cm"]),
            price=offer.price,
            currency=offer.currency,
            num_available=offer.num_available,
            available=offer.available,
        )
        for offer in offers
        if {"size", "measure_min_cm", "measure_max_cm"} <= offer.attributes.keys()
    ]
    if not variants:
        return None
    variants.sort(key=lambda v: (v.min_cm, v.colour))
    colours = tuple(dict.fromkeys(v.colour for v in variants))
    by_size = {}
    for variant in variants:
        by_size.setdefault(variant.size, {})[variant.colour] = variant
    rows = [
        SizeRow(
            size,
            next(iter(cells.values())).min_cm,
            next(iter(cells.values())).max_cm,
            tuple(cells.get(colour) for colour in colours),
        )
        for size, cells in by_size.items()
    ]
    return SizeGuide(
        measured_at=str(getattr(product.attr, "measured_at", None) or "waist"),
        colours=colours,
        rows=tuple(rows),
        variants=tuple(variants),
    )


@dataclass(frozen=True)
class Sizing:
    """What a product page shows about sizes: the guide, the finder's answer if the customer
    asked, and the variant to preselect in the basket form."""

    guide: SizeGuide
    match: SizeMatch | None
    chosen: Variant | None


def sizing_for(product, offers, request, *, param: str = "waist") -> Sizing | None:
    guide = size_guide(product, offers)
    if guide is None:
        return None
    match = guide.find(request.GET[param]) if param in request.GET else None
    chosen = guide.preferred_variant(match.size) if match and match.size else None
    if chosen is None:
        chosen = next((v for v in guide.variants if v.available), guide.variants[0])
    return Sizing(guide=guide, match=match, chosen=chosen)
