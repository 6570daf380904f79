"""Keep each product's search document current (shop/search.py): any save or delete of a
product, its variants, its category links or a category's name rewrites the documents it
shows in. A save rewrites them at once, in the same transaction (so a rolled-back edit
changes nothing); a delete, once the transaction commits, when the deletion's cascade is over
(a document rewritten in the middle of it would point at a product about to go).

And a size's stock saved tells the customers waiting for it (shop/alerts.py); an order
delivered owes its buyer a review invitation (shop/reviews.py)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from oscar.apps.order.signals import order_status_changed
from oscar.core.loading import get_model

from shop.search import document_update

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
StockRecord = get_model("partner", "StockRecord")


def _after_commit(product_id) -> None:
    transaction.on_commit(lambda: document_update(product_id))


def product_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        document_update(instance.parent_id or instance.pk)


def product_deleted(sender, instance, **kwargs):
    _after_commit(instance.parent_id or instance.pk)


def category_link_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        document_update(instance.product_id)


def category_link_deleted(sender, instance, **kwargs):
    _after_commit(instance.product_id)


def categories_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """`product.categories.add(...)` and the like, which save no ProductCategory one by one."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        document_update(instance.pk)
    elif pk_set:  # category.product_set.add(...): the products are pk_set
        for product_id in pk_set:
            document_update(product_id)


def category_changed(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    for product_id in ProductCategory.objects.filter(category=instance).values_list(
        "product_id", flat=True
    ):
        document_update(product_id)


def stock_saved(sender, instance, raw=False, **kwargs):
    """A size's stock saved (the dashboard, an import): its waiters are told at once, after
    commit (shop/alerts.py; stock changed by `.update()` is seen by the minute's beat)."""
    if not raw:
        from shop.alerts import stock_alerts_watch

        record_id = instance.pk
        transaction.on_commit(lambda: stock_alerts_watch(stockrecord_ids=[record_id]))


def order_delivered(sender, order, old_status, new_status, **kwargs):
    """Delivered: "How is your support?" is owed some days later (shop/reviews.py)."""
    from shop.reviews import DELIVERED, review_invite

    if new_status == DELIVERED:
        review_invite(order)


def connect() -> None:
    order_status_changed.connect(order_delivered, dispatch_uid="reviews-order-delivered")
    post_save.connect(stock_saved, sender=StockRecord, dispatch_uid="stock-alerts-stock-saved")
    post_save.connect(product_changed, sender=Product, dispatch_uid="search-product-saved")
    post_delete.connect(product_deleted, sender=Product, dispatch_uid="search-product-deleted")
    post_save.connect(category_link_saved, sender=ProductCategory, dispatch_uid="search-link-saved")
    post_delete.connect(
        category_link_deleted, sender=ProductCategory, dispatch_uid="search-link-deleted"
    )
    post_save.connect(category_changed, sender=Category, dispatch_uid="search-category-saved")
    m2m_changed.connect(
        categories_changed, sender=Product.categories.through, dispatch_uid="search-categories"
    )
