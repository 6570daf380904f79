"""The demo catalogue: Bauerfeind supports for an Australian shop, the LumboTrain featured.

A `load_demo` step. The partner, categories, product class and its attributes, products and the
featured range are each found by a natural key (code, slug, UPC) and created only when missing;
a product's stock record, pictures and children are created with it. Nothing that exists is
saved again, so a second run changes no row, and what staff have since changed in the
dashboard survives the `load_demo` that every `make run` does.

Prices are shelf prices in AUD with the 10% GST inside, as Australian consumer law requires
them to be shown; the partner strategy works the GST component out of them.

Pictures are drawn here with Pillow (no network, nothing to ship in the repository).
"""

import textwrap
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from oscar.core.loading import get_model
from PIL import Image, ImageDraw, ImageFont

from shop.selectors import FEATURED_RANGE_SLUG

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductAttribute = get_model("catalogue", "ProductAttribute")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductClass = get_model("catalogue", "ProductClass")
ProductImage = get_model("catalogue", "ProductImage")
Range = get_model("offer", "Range")
StockRecord = get_model("partner", "StockRecord")

CURRENCY = "AUD"
PARTNER_CODE = "bauerfeind-au"
PARTNER_NAME = "Bauerfeind Australia"
IMAGE_FOLDER = "images/products/demo"

# In this order: the first root category is the one the site features.
CATEGORIES = [
    (
        "back-and-spine",
        "Back and spine",
        "Back supports and braces for the lumbar spine and the sacroiliac joint: knitted "
        "supports that stabilise and relieve the lower back, and adjustable braces for when "
        "it needs firmer hold.",
    ),
    (
        "knee",
        "Knee",
        "Knee supports of knitted compression fabric that stabilise the joint and relieve "
        "the kneecap during everyday movement and sport.",
    ),
    (
        "ankle-and-foot",
        "Ankle and foot",
        "Ankle supports, an ankle brace, heel cushions and insoles that stabilise the ankle "
        "and cushion the foot with every step.",
    ),
    (
        "wrist-and-hand",
        "Wrist and hand",
        "Wrist supports and braces that stabilise the wrist and thumb while keeping the "
        "fingers free to move.",
    ),
]

ATTRIBUTES = [
    ("health_fund_rebate", "Eligible for a health-fund rebate", ProductAttribute.BOOLEAN),
    ("material", "Material", ProductAttribute.TEXT),
    ("care", "Care", ProductAttribute.TEXT),
    ("size", "Size", ProductAttribute.TEXT),
    ("colour", "Colour", ProductAttribute.TEXT),
    ("measure_min_cm", "Measurement from (cm)", ProductAttribute.INTEGER),
    ("measure_max_cm", "Measurement to (cm)", ProductAttribute.INTEGER),
    ("measured_at", "Where to measure", ProductAttribute.TEXT),
]

KNIT = "Knitted compression fabric: polyamide and elastane, with silicone inserts"
KNIT_CARE = "Hand wash at 30 °C with mild detergent; dry flat, away from direct heat"
BRACE = "Breathable knitted fabric with removable plastic and aluminium stays"
BRACE_CARE = "Remove the stays, then hand wash at 30 °C; dry flat, away from direct heat"
KNEE = "thigh 10 cm above the kneecap"


@dataclass(frozen=True)
class Support:
    upc: str  # also the partner SKU
    title: str
    category: str  # slug
    price: str  # AUD, GST included
    stock: int
    description: str
    material: str
    care: str
    measured_at: str
    health_fund_rebate: bool = True
    colour: str = "titanium"


SUPPORTS = [
    Support(
        "SACROLOC",
        "SacroLoc Back Brace",
        "back-and-spine",
        "279.95",
        9,
        "<p>A pelvic brace that stabilises the sacroiliac joint. Its knitted body sits on "
        "the hips, and a pad over the lower back applies gentle pressure as you move.</p>"
        "<p>Two adjustable straps set how firmly it holds.</p>",
        BRACE,
        BRACE_CARE,
        "hips, at the level of the hip joints",
    ),
    Support(
        "LUMBOLOC",
        "LumboLoc Back Brace",
        "back-and-spine",
        "249.95",
        11,
        "<p>An adjustable back brace that stabilises the lumbar spine and relieves the lower "
        "back. Flexible stays in the back shape themselves to the spine, and a two-part "
        "strap lets you set the support yourself.</p>",
        BRACE,
        BRACE_CARE,
        "waist",
    ),
    Support(
        "LUMBOLOC-FORTE",
        "LumboLoc Forte Back Brace",
        "back-and-spine",
        "319.95",
        4,
        "<p>The firmer LumboLoc: a back brace with a rigid back plate and stronger straps "
        "that stabilises the lumbar spine when it needs more hold than a knitted support "
        "gives.</p><p>The straps are easy to tighten and release with one hand.</p>",
        BRACE,
        BRACE_CARE,
        "waist",
    ),
    Support(
        "GENUTRAIN",
        "GenuTrain Knee Support",
        "knee",
        "189.95",
        18,
        "<p>A knitted knee support with a ring-shaped silicone pad around the kneecap that "
        "stabilises the knee and relieves it while you move.</p><p>The breathable fabric "
        "is comfortable enough to wear all day.</p>",
        KNIT,
        KNIT_CARE,
        KNEE,
    ),
    Support(
        "GENUTRAIN-S",
        "GenuTrain S Knee Support",
        "knee",
        "299.95",
        6,
        "<p>The GenuTrain with hinged side stays: a knitted knee support that stabilises "
        "the knee from the side as well as around the kneecap.</p><p>A strap sets how "
        "firmly the stays hold.</p>",
        KNIT,
        "Remove the side stays, then hand wash at 30 °C; dry flat, away from direct heat",
        KNEE,
    ),
    Support(
        "GENUTRAIN-P3",
        "GenuTrain P3 Knee Support",
        "knee",
        "199.95",
        8,
        "<p>A knitted knee support with a silicone pad shaped to guide the kneecap, and a "
        "strap that adjusts its hold. It stabilises the kneecap and relieves the front of "
        "the knee.</p>",
        KNIT,
        KNIT_CARE,
        KNEE,
    ),
    Support(
        "MALLEOTRAIN",
        "MalleoTrain Ankle Support",
        "ankle-and-foot",
        "159.95",
        15,
        "<p>A knitted ankle support with two silicone pads that lie around the ankle bones. "
        "It stabilises the ankle and relieves it with every step, and fits in an everyday "
        "shoe.</p>",
        KNIT,
        KNIT_CARE,
        "ankle, just above the ankle bones",
    ),
    Support(
        "MALLEOLOC",
        "MalleoLoc Ankle Brace",
        "ankle-and-foot",
        "169.95",
        7,
        "<p>A lightweight ankle brace with a moulded shell on each side and a padded "
        "lining. It stabilises the ankle against rolling outwards and fits in a lace-up "
        "shoe.</p>",
        "Polypropylene shells with a padded, breathable lining",
        "Wipe the shells clean; hand wash the lining at 30 °C",
        "ankle, just above the ankle bones",
        colour="grey",
    ),
    Support(
        "VISCOSPOT",
        "ViscoSpot Heel Cushions",
        "ankle-and-foot",
        "59.95",
        24,
        "<p>A pair of soft silicone heel cushions that absorb the jolt of each heel strike "
        "and relieve the heel. A softer spot sits under the most sensitive point.</p>",
        "Medical-grade silicone",
        "Rinse in lukewarm water and air dry",
        "shoe size (EU)",
        health_fund_rebate=False,
        colour="blue",
    ),
    Support(
        "ERGOPAD-WF",
        "ErgoPad Weightflex Insoles",
        "ankle-and-foot",
        "139.95",
        12,
        "<p>Supportive insoles for everyday shoes. A flexible core supports the arch of "
        "the foot and a cushioned heel absorbs shock.</p><p>Trim them to fit your "
        "shoe.</p>",
        "Flexible polyurethane core with a cushioned, moisture-wicking top cover",
        "Wipe with a damp cloth and air dry; do not machine wash",
        "shoe size (EU)",
        health_fund_rebate=False,
        colour="black",
    ),
    Support(
        "MANUTRAIN",
        "ManuTrain Wrist Support",
        "wrist-and-hand",
        "149.95",
        14,
        "<p>A knitted wrist support with a shaped silicone pad that stabilises the wrist "
        "and relieves it, while the hand and fingers stay free to move. A strap adjusts "
        "the hold.</p>",
        KNIT,
        KNIT_CARE,
        "wrist",
    ),
    Support(
        "MANULOC",
        "ManuLoc Wrist Brace",
        "wrist-and-hand",
        "164.95",
        5,
        "<p>A wrist brace with a removable palm splint that stabilises the wrist and keeps "
        "it in a comfortable position. Two straps set the hold; the fingers stay "
        "free.</p>",
        BRACE,
        BRACE_CARE,
        "wrist",
    ),
    Support(
        "RHIZOLOC",
        "RhizoLoc Thumb Brace",
        "wrist-and-hand",
        "139.95",
        3,
        "<p>A brace for the base of the thumb: a shaped splint stabilises the thumb's "
        "saddle joint while the wrist and the other fingers keep moving freely.</p>",
        BRACE,
        BRACE_CARE,
        "wrist",
    ),
]

LUMBOTRAIN = Support(
    "LUMBOTRAIN",
    "LumboTrain Back Support",
    "back-and-spine",
    "",  # each size and colour has its own price
    0,
    "<p>The LumboTrain is a back support, a soft back brace of breathable knitted compression "
    "fabric, that stabilises the lumbar spine and relieves the lower back.</p>"
    "<p>An integrated massage pad lies along the lower back and, as you move, stimulates "
    "the back muscles. It is worn for back spasms, muscular tension and lumbar pain.</p>"
    "<p>Choose your size by your waist circumference. Made in Germany.</p>",
    "Knitted compression fabric: polyamide and elastane, with a silicone massage pad",
    KNIT_CARE,
    "waist",
)
# Sizes 1-7 by waist circumference in cm. Neighbouring sizes share a boundary on purpose: a
# customer who measures exactly on it may choose either.
LUMBOTRAIN_SIZES = {size: (60 + 10 * size, 70 + 10 * size) for size in range(1, 8)}
LUMBOTRAIN_COLOURS = {"titanium": "TIT", "black": "BLK"}
# Unusual stock levels, so the product page shows "out of stock" and "only 2 left".
LUMBOTRAIN_STOCK = {("1", "titanium"): 0, ("7", "black"): 0, ("3", "black"): 2}


def load(stdout) -> None:
    partner, _ = Partner.objects.get_or_create(code=PARTNER_CODE, defaults={"name": PARTNER_NAME})
    categories = _categories()
    support = _product_class()
    stdout.write(f"Catalogue: partner {partner.name}, {len(categories)} categories")

    for item in SUPPORTS:
        product, created = _product(item, support, categories[item.category])
        if created:
            _stockrecord(product, partner, sku=item.upc, price=item.price, stock=item.stock)
            _image(product, f"demo-{item.upc.lower()}", f"{item.title} in {item.colour}", item)

    lumbotrain, created = _product(
        LUMBOTRAIN, support, categories[LUMBOTRAIN.category], structure=Product.PARENT
    )
    if created:
        for order, colour in enumerate(LUMBOTRAIN_COLOURS):
            caption = f"{LUMBOTRAIN.title} in {colour}, front view"
            code = f"demo-lumbotrain-{colour}"
            _image(lumbotrain, code, caption, LUMBOTRAIN, colour=colour, display_order=order)
        _lumbotrain_variants(lumbotrain, partner)
    stdout.write(
        f"Catalogue: {len(SUPPORTS) + 1} products, "
        f"{lumbotrain.children.count()} LumboTrain variants"
    )

    featured, created = Range.objects.get_or_create(
        slug=FEATURED_RANGE_SLUG,
        defaults={
            "name": "Featured supports",
            "description": "The home page features the first public support of this range.",
            "is_public": True,
        },
    )
    if created:
        # Only into a new range: staff who replaced the LumboTrain keep their choice.
        featured.add_product(lumbotrain)
    stdout.write(f'Catalogue: range "{featured.name}" ready')


def _categories():
    """The root categories by slug; Back and spine is made first, so it is the first root."""
    categories = {}
    for slug, name, description in CATEGORIES:
        category = Category.get_root_nodes().filter(slug=slug).first()
        if category is None:
            category = Category.add_root(name=name, slug=slug, description=description)
        categories[slug] = category
    return categories


def _product_class():
    support, _ = ProductClass.objects.get_or_create(
        slug="support",
        defaults={"name": "Support", "requires_shipping": True, "track_stock": True},
    )
    for code, name, type_ in ATTRIBUTES:
        ProductAttribute.objects.get_or_create(
            product_class=support, code=code, defaults={"name": name, "type": type_}
        )
    return support


def _product(item, product_class, category, structure=Product.STANDALONE):
    """The product with `item`'s UPC, and whether it was created just now.

    Its stock record, pictures and (for the LumboTrain) children are made only together with
    it: what staff later remove or replace in the dashboard, such as a demo picture swapped
    for a photo, must not come back on the next `make run`.
    """
    product = Product.objects.filter(upc=item.upc).first()
    if product is not None:
        return product, False
    product = Product(
        upc=item.upc,
        title=item.title,
        description=item.description,
        structure=structure,
        product_class=product_class,
    )
    product.attr.health_fund_rebate = item.health_fund_rebate
    product.attr.material = item.material
    product.attr.care = item.care
    product.attr.measured_at = item.measured_at
    if structure == Product.STANDALONE:
        product.attr.colour = item.colour  # a parent's colours belong to its children
    product.clean()  # checks the attribute values against their types
    product.save()
    ProductCategory.objects.create(product=product, category=category)
    return product, True


def _lumbotrain_variants(parent, partner):
    """One child per size and colour, each with its own SKU, price, stock and picture."""
    for size, (measure_min, measure_max) in LUMBOTRAIN_SIZES.items():
        for colour, colour_code in LUMBOTRAIN_COLOURS.items():
            sku = f"LT-{size}-{colour_code}"
            child = Product(
                upc=sku,
                title=f"{parent.title}, size {size}, {colour}",
                structure=Product.CHILD,
                parent=parent,
            )
            child.attr.size = str(size)
            child.attr.colour = colour
            child.attr.measure_min_cm = measure_min
            child.attr.measure_max_cm = measure_max
            child.clean()
            child.save()
            _stockrecord(
                child,
                partner,
                sku=sku,
                price="289.95" if size <= 5 else "299.95",
                stock=LUMBOTRAIN_STOCK.get((str(size), colour), 6),
            )
            _image(
                child,
                f"demo-{sku.lower()}",
                f"{parent.title} in {colour}, size {size}",
                LUMBOTRAIN,
                colour=colour,
                label=f"Size {size}, {colour}",
            )


def _stockrecord(product, partner, *, sku, price, stock):
    StockRecord.objects.create(
        product=product,
        partner=partner,
        partner_sku=sku,
        price=Decimal(price),
        price_currency=CURRENCY,
        num_in_stock=stock,
    )


def _image(product, code, caption, item, *, colour=None, label="", display_order=0):
    """Attach a drawn picture, reusing the file when an earlier load already stored it.

    The file name follows from the image code, so loading into a fresh database (as every
    test run does) finds the file instead of piling up renamed copies of it.
    """
    name = f"{IMAGE_FOLDER}/{code}.png"
    if not default_storage.exists(name):
        picture = _draw(item.title, item.category, colour or item.colour, label)
        name = default_storage.save(name, ContentFile(picture))
    ProductImage.objects.create(
        product=product, code=code, original=name, caption=caption, display_order=display_order
    )


# --------------------------------------------------------------------------------------------
# Pictures: a flat silhouette of the support in its colour, the name on a brand-blue band.
# --------------------------------------------------------------------------------------------
SIZE = 600
BRAND_BLUE = "#00539f"
BACKGROUND = "#eef3f8"
COLOURS = {
    "titanium": "#c8c2b6",
    "black": "#2b2b2b",
    "grey": "#8c9199",
    "blue": "#6fa8dc",
}
SILHOUETTES = {
    # A band around the waist with the massage pad at the back.
    "back-and-spine": [("rounded", (90, 170, 510, 330), 60), ("ellipse", (250, 200, 350, 300))],
    # A sleeve with the ring around the kneecap.
    "knee": [("rounded", (200, 60, 400, 400), 70), ("ring", (245, 170, 355, 280))],
    # A sock-like sleeve: the leg and the foot.
    "ankle-and-foot": [("rounded", (230, 60, 350, 360), 50), ("rounded", (230, 280, 470, 370), 45)],
    # A short sleeve with the opening for the thumb.
    "wrist-and-hand": [("rounded", (220, 90, 380, 390), 60), ("ring", (355, 170, 415, 230))],
}


@lru_cache(maxsize=64)
def _draw(title, category, colour, label):
    """A small PNG (a few KB: flat colours compress well) for a product without a photo.
    Deterministic, so drawn once per process however often the demo is loaded."""
    fill = COLOURS.get(colour, COLOURS["titanium"])
    picture = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    draw = ImageDraw.Draw(picture)
    for shape, box, *extra in SILHOUETTES[category]:
        if shape == "rounded":
            draw.rounded_rectangle(box, radius=extra[0], fill=fill, outline=BRAND_BLUE, width=4)
        elif shape == "ellipse":
            draw.ellipse(box, fill=BRAND_BLUE)
        else:
            draw.ellipse(box, fill=BACKGROUND, outline=BRAND_BLUE, width=6)
    draw.rectangle((0, 440, SIZE, SIZE), fill=BRAND_BLUE)
    text = "\n".join([*textwrap.wrap(title, width=26), label]).strip()
    draw.multiline_text(
        (SIZE / 2, 520),
        text,
        fill="white",
        font=ImageFont.load_default(size=34),
        anchor="mm",
        align="center",
        spacing=6,
    )
    out = BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return out.getvalue()
