from django.db import models


class ProductSearchDocument(models.Model):
    """The words a product is found by (title, UPC, description, categories, and its
    variants'), one row per browsable product, kept current by shop/receivers.py. The search
    index is built over it: PostgreSQL's full-text GIN index, or SQLite's FTS5 table (the
    migration 0002 makes whichever fits the database)."""

    product = models.OneToOneField(
        "catalogue.Product", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    text = models.TextField()

    def __str__(self):
        return f"Search document of product {self.product_id}"


class Wearer(models.Model):
    """Who will wear what an order bought, when the buyer named someone else at checkout: the
    health-fund part of the receipt names them (receipts/), as the fund pays its member."""

    order = models.OneToOneField("order.Order", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)

    def __str__(self):
        return f"Wearer for order {self.order_id}"
