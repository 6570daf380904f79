from django import template

from shop.models import ReturnRequest
from shop.returns import line_left_to_return, returns_open_until

register = template.Library()


@register.simple_tag
def returns_for(order):
    """What the order's page shows about exchanges and returns: until when they may be asked
    for (None before dispatch), each line with the units left to ask for, and the requests
    made. `{% returns_for order as returns %}`."""
    requests = list(
        ReturnRequest.objects.filter(order=order)
        .select_related("line", "replacement__product")
        .order_by("created_at")
    )
    return {
        "open_until": returns_open_until(order),
        "lines": [(line, line_left_to_return(line)) for line in order.lines.all()],
        "requests": requests,
    }
