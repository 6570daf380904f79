from celery import shared_task
from django.conf import settings

from shop.analytics import product_views_flush
from shop.services import order_confirmation_send, order_confirmations_resend_owed


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),  # SMTP and connection errors
    retry_backoff=True,
    retry_backoff_max=settings.CELERY_MAX_RETRY_DELAY,
    max_retries=8,
)
def send_order_confirmation(self, order_id: int) -> None:
    """Queued on commit when an order is placed; safe to run twice (see the service)."""
    order_confirmation_send(order_id=order_id)


@shared_task
def flush_product_views() -> int:
    """Beat, every minute: product page views counted in Redis into Oscar's ProductRecord."""
    return product_views_flush()


@shared_task(acks_late=True)
def sweep_owed_order_confirmations() -> int:
    """Every minute (beat): order confirmations still owed because their message was lost."""
    return order_confirmations_resend_owed()
