"""Reads of the catalogue that pages outside Oscar's own views need."""

from oscar.core.loading import get_model

Range = get_model("offer", "Range")

# Staff choose the home page's featured support by putting it in this Oscar range
# (Dashboard > Offers > Ranges), so no code change is needed to feature another product.
FEATURED_RANGE_SLUG = "featured"


def featured_product():
    """The first public product of the "featured" range, or None while there is none."""
    featured = Range.objects.filter(slug=FEATURED_RANGE_SLUG).first()
    if featured is None:
        return None
    return (
        featured.all_products()
        .filter(is_public=True)
        .browsable()
        .prefetch_related("images", "stockrecords")
        .first()
    )
