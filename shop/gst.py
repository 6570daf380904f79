"""Australian GST on prices that already include it.

Australian consumer law requires the price a shopper sees to be the full price, GST included,
so a stock record's `price` is that shelf price. The GST component of a GST-inclusive amount is
one eleventh of it (10% of the GST-exclusive amount). It is rounded to the cent per unit, the
way ATO's GSTR 2001/6 allows ("taxable supply basis"), and the GST-exclusive part is what is
left, so GST-exclusive + GST always adds up to the shelf price exactly, on every line and total.
"""

from decimal import ROUND_HALF_UP, Decimal

GST_RATE = Decimal("0.10")
CENT = Decimal("0.01")


def gst_component(amount_incl_gst: Decimal) -> Decimal:
    """The GST inside a GST-inclusive amount: amount / 11, to the cent, halves rounded up."""
    return (Decimal(amount_incl_gst) * GST_RATE / (1 + GST_RATE)).quantize(CENT, ROUND_HALF_UP)


def split_gst(amount_incl_gst: Decimal) -> tuple[Decimal, Decimal]:
    """(GST-exclusive part, GST) of a GST-inclusive amount; the two add up to it exactly."""
    amount = Decimal(amount_incl_gst).quantize(CENT, ROUND_HALF_UP)
    gst = gst_component(amount)
    return amount - gst, gst
