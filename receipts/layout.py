"""How a tax invoice, a credit note and a quote look: the one place to restyle them (fonts,
colours, columns, wording).

A4 portrait, DejaVu Sans embedded (receipts/fonts/, free licence beside it), text selectable.
`invoice_pdf(context)` takes plain data (receipts/selectors.py: `invoice_context`,
`credit_note_context`, `quote_context`) and returns the PDF's bytes;
it reads no database, so the same data always makes the same document.
"""

from pathlib import Path

from fpdf import FPDF

from receipts.selectors import money

FONTS = Path(__file__).resolve().parent / "fonts"
BRAND = (0, 83, 159)  # the site's --brand
INK = (31, 41, 51)
MUTED = (74, 85, 97)
MARGIN = 18
# The lines table: (heading, width in mm, alignment)
COLUMNS = (
    ("Description", 84, "L"),
    ("SKU", 28, "L"),
    ("Qty", 12, "R"),
    ("Unit price", 25, "R"),
    ("Total", 25, "R"),
)


RECEIPT_FOOTNOTE = (
    "Delivery is shown on its own line: health funds do not pay towards it. Your fund "
    "decides what it pays; keep this receipt for your claim."
)


class _Document(FPDF):
    def __init__(self, context: dict):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.context = context
        self.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN + 6)
        self.set_title(f"{context['title']} {context['number']}")
        self.set_author(context["business"]["name"])
        self.set_creator(context["business"]["name"])
        self.set_creation_date(context["issued_at"])  # not the time it was drawn

    def footer(self):
        self.set_y(-MARGIN)
        self.set_font("DejaVu", "", 8)
        self.set_text_color(*MUTED)
        business = self.context["business"]
        self.cell(
            0, 5, f"{business['name']} · ABN {business['abn']} · {business['phone']}", align="C"
        )


def _text(pdf, size, text, *, bold=False, colour=INK, height=None, align="L"):
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_text_color(*colour)
    pdf.multi_cell(0, height or size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")


def _pair(pdf, label, value):
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_text_color(*INK)
    pdf.cell(38, 5.5, label)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5.5, value, new_x="LMARGIN", new_y="NEXT")


def _amount_row(pdf, label, amount, *, bold=False):
    width = sum(w for _, w, _ in COLUMNS)
    pdf.set_font("DejaVu", "B" if bold else "", 10 if bold else 9)
    pdf.cell(width - 25, 6.5, label, align="R")
    pdf.cell(25, 6.5, amount, align="R", new_x="LMARGIN", new_y="NEXT")


def invoice_pdf(context: dict) -> bytes:
    pdf = _Document(context)
    pdf.add_page()
    business = context["business"]

    _text(pdf, 20, context["title"], bold=True, colour=BRAND, height=10)
    if context.get("paid"):
        _text(pdf, 10, f"and receipt: paid in full on {context['paid']}", colour=MUTED)
    if context.get("valid_until"):
        _text(
            pdf,
            10,
            f"Valid until {context['valid_until']}. Prices include GST. This is not a tax invoice.",
            colour=MUTED,
        )
    if context["replaces"]:
        _text(pdf, 9, f"This replaces tax invoice {context['replaces']}.", colour=MUTED)
    if context.get("credits"):
        _text(
            pdf,
            10,
            f"Adjustment note: it reduces tax invoice {context['credits']} by the amounts below.",
            colour=MUTED,
        )
    pdf.ln(2)
    _text(pdf, 11, business["name"], bold=True)
    _text(pdf, 9, f"ABN {business['abn']}")
    _text(pdf, 9, business["address"])
    _text(pdf, 9, f"Phone {business['phone']}")
    pdf.ln(4)

    _pair(pdf, context["number_label"], context["number"])
    if context.get("credits"):
        _pair(pdf, "Tax invoice", context["credits"])
    if context.get("order_number"):
        _pair(pdf, "Order number", context["order_number"])
    _pair(pdf, "Date of issue", context["issued"])
    if context.get("paid"):
        _pair(pdf, "Date paid", context["paid"])
    if context.get("buyer"):
        _pair(pdf, "Buyer", context["buyer"]["name"])
        _pair(pdf, "Buyer's address", context["buyer"]["address"])
    pdf.ln(4)

    # The lines
    pdf.set_fill_color(*BRAND)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("DejaVu", "B", 9)
    for heading, width, align in COLUMNS:
        pdf.cell(width, 7, heading, align=align, fill=True)
    pdf.ln()
    pdf.set_text_color(*INK)
    for line in context["lines"]:
        pdf.set_font("DejaVu", "", 9)
        values = (
            line["description"],
            line["sku"],
            str(line["quantity"]),
            money(line["unit_price"]),
            money(line["total"]),
        )
        for (_, width, align), value in zip(COLUMNS, values, strict=True):
            pdf.cell(width, 6.5, value, align=align)
        pdf.ln()
        if line["discount"]:
            pdf.set_font("DejaVu", "", 8)
            pdf.cell(0, 5, f"   includes a discount of {money(line['discount'])}")
            pdf.ln()
    pdf.ln(1)
    for discount in context["discounts"]:
        _amount_row(pdf, f"Discount: {discount['name']}", f"-{money(discount['amount'])}")
    delivery = context.get("delivery")
    if delivery:
        _amount_row(pdf, f"Delivery ({delivery['method']})", money(delivery["price"]))
    elif context.get("valid_until"):  # a quote: the basket has no delivery yet
        _amount_row(pdf, "Delivery", "at checkout")
    _amount_row(
        pdf, f"{context['total_label']} ({context['currency']})", money(context["total"]), bold=True
    )
    pdf.ln(1)
    gst_label = context.get("gst_label", "Total price includes GST of")
    _text(pdf, 9, f"{gst_label} {money(context['gst'])}.", align="R")
    if context.get("payment"):
        _text(pdf, 9, f"{context.get('payment_label', 'Paid by')} {context['payment']}.", align="R")
    for remark in context.get("remarks", ()):
        _pair(pdf, remark[0], remark[1])
    pdf.ln(6)

    # For the health fund
    fund = context["health_fund"]
    _text(pdf, 12, "For your health fund", bold=True, colour=BRAND, height=7)
    _pair(pdf, "Worn by", fund["wearer"] or "the buyer")
    _pair(pdf, "Item category", fund["category"])
    if fund["expert"]:
        fitted = fund["expert"]
        if fund["provider_number"]:
            fitted += f" (provider number {fund['provider_number']})"
        _pair(pdf, "Fitted by", f"{fitted}, in a video consultation with us")
    if fund.get("enquiry"):
        _pair(pdf, "Our enquiry ref.", fund["enquiry"])
    pdf.ln(2)
    _text(pdf, 8, context.get("footnote", RECEIPT_FOOTNOTE), colour=MUTED)
    return bytes(pdf.output())
