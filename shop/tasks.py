"""The shop's periodic work. Its e-mails are the outbox's (shop/emails.py declares them;
core.tasks sends them)."""

from celery import shared_task

from shop.analytics import product_views_flush


@shared_task
def flush_product_views() -> int:
    """Beat, every minute: product page views counted in Redis into Oscar's ProductRecord."""
    return product_views_flush()


@shared_task
def watch_stock_alerts() -> int:
    """Beat, every minute: sizes back in stock (however their stock changed) tell their
    waiters (shop/alerts.py)."""
    from shop.alerts import stock_alerts_watch

    return stock_alerts_watch()
