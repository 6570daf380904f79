"""What each landing page leads to: the article a visit read first, and the product views, fund
checks, calls and orders that followed in the same visit (README, "What each article sells").

- A visit is a trail in a signed cookie of the browser's session (no expiry date: it ends
  with the browser, and after FUNNEL_VISIT_HOURS in any case). It holds the landing (for
  instance "article:12") and the steps already counted, nothing else: no id, no address,
  nothing typed. A server-side session would have cost every reader of a cached article a
  database row; a signed cookie costs nothing and cannot be forged to count for another page.
- The first landing of a visit keeps it; each step counts once per visit, for that landing.
- Counts go to Redis (core/tallies.py, batched like product views), and the beat task
  `core.tasks.flush_funnel` adds them to `FunnelDay` rows per day, landing and step, so no
  page waits on Redis to show the figures and none is written to on a read.
- Staff are not counted (previews and checks are not customers).

Departments mark their moments without knowing each other: the blog calls `land(request,
"article:<id>")`, the shop `step(request, "product")` and `step(request, "order")`, the
fund check `step(request, "fund_check")`, the booking `step(request, "call")`.
`TrailMiddleware` writes the cookie when the trail changed. Reading: `figures()`.
"""

import contextlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Sum
from redis.exceptions import RedisError

from core import clock, pagecache
from core.tallies import Tally

COOKIE = "visit_trail"
SALT = "core.funnel.trail"
# The steps in funnel order; "read" is the landing itself.
STEPS = ("read", "product", "fund_check", "call", "order")
STEP_LABELS = {
    "read": "Readers",
    "product": "Product views",
    "fund_check": "Fund checks",
    "call": "Calls booked",
    "order": "Orders",
}
funnel = Tally("backcare:funnel")  # hash: "<day>|<landing>|<step>" -> count not yet flushed


class Trail:
    def __init__(self, landing: str, started: int, steps: str):
        self.landing, self.started, self.steps = landing, started, steps
        self.changed = False

    def dumps(self) -> str:
        return signing.dumps([self.landing, self.started, self.steps], salt=SALT)


def _trail(request) -> Trail | None:
    """The visit's trail, read from its cookie once per request; None when it has none, a
    forged or an old one."""
    if "_funnel_trail" not in request.__dict__:
        trail = None
        raw = request.COOKIES.get(COOKIE)
        if raw:
            try:
                landing, started, steps = signing.loads(raw, salt=SALT)
                age = clock.now().timestamp() - started
                if 0 <= age < settings.FUNNEL_VISIT_HOURS * 3600:
                    trail = Trail(str(landing), int(started), str(steps))
            except (signing.BadSignature, TypeError, ValueError):
                trail = None
        request._funnel_trail = trail
    return request._funnel_trail


def _counted(request) -> bool:
    user = getattr(request, "user", None)
    return not (user is not None and user.is_staff)


def _count(landing: str, step: str) -> None:
    day = clock.today().isoformat()
    with contextlib.suppress(RedisError):  # kept in the process for a later push
        funnel.add(f"{day}|{landing}|{step}")


def land(request, landing: str) -> None:
    """A page that can begin a visit's trail (an article) was shown. Also kept with the page
    in the page cache, so a copy served from it counts the same (`_on_page_cache_hit`)."""
    request.page_cache_context = {
        **getattr(request, "page_cache_context", {}),
        "funnel_landing": landing,
    }
    if not _counted(request) or _trail(request) is not None:
        return
    trail = Trail(landing, int(clock.now().timestamp()), "read")
    trail.changed = True
    request._funnel_trail = trail
    _count(landing, "read")


def step(request, name: str) -> None:
    """The visit took one of the STEPS after its landing: counted once per visit."""
    if request is None or not _counted(request):
        return
    trail = _trail(request)
    if trail is None or name in trail.steps.split(","):
        return
    trail.steps = f"{trail.steps},{name}"
    trail.changed = True
    _count(trail.landing, name)


def _on_page_cache_hit(request, response, entry) -> None:
    landing = entry["context"].get("funnel_landing")
    if landing:
        land(request, landing)


pagecache.on_hit(_on_page_cache_hit)


class TrailMiddleware:
    """Writes the trail's cookie when the request changed it. Above the page cache, so a page
    served from it gets its cookie too; the cookie is never stored with a page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        trail = request.__dict__.get("_funnel_trail")
        if trail is not None and trail.changed:
            response.set_cookie(
                COOKIE,
                trail.dumps(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


# --- the figures ---------------------------------------------------------------------------
def flush() -> int:
    """Beat: the counts in Redis into FunnelDay rows; returns how many were added."""
    return funnel.drain(_record)


def _record(counts: dict[str, int]) -> int:
    from core.models import FunnelDay

    kept = 0
    with transaction.atomic():
        for field, n in counts.items():
            day, landing, step_name = field.split("|")
            if step_name not in STEPS or len(landing) > 60:
                continue
            row, _ = FunnelDay.objects.get_or_create(day=day, landing=landing, step=step_name)
            FunnelDay.objects.filter(pk=row.pk).update(count=F("count") + n)
            kept += n
    return kept


def figures(*, prefix: str, days: int | None = None) -> dict[str, dict[str, int]]:
    """{landing: {step: count}} over the last `days` days (FUNNEL_DAYS unless given), for
    landings starting with `prefix` ("article:"); steps with no count are 0."""
    from core.models import FunnelDay

    days = days or settings.FUNNEL_DAYS
    since = clock.today() - timedelta(days=days - 1)
    rows = (
        FunnelDay.objects.filter(day__gte=since, landing__startswith=prefix)
        .values("landing", "step")
        .annotate(total=Sum("count"))
    )
    out: dict[str, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row["landing"], dict.fromkeys(STEPS, 0))[row["step"]] = row["total"]
    return out


FUNNEL_WIDTH, BAR_HEIGHT, BAR_GAP = 600, 30, 8
LABEL_WIDTH, COUNT_WIDTH = 130, 70  # the step's name left of its bar, the count right of it


def funnel_bars(totals: dict[str, int]) -> list[dict]:
    """The SVG funnel's bars, one per step in funnel order, each as long as the step's share
    of the longest (a step with none keeps a sliver, so it is still seen)."""
    longest = max([*totals.values(), 1])
    room = FUNNEL_WIDTH - LABEL_WIDTH - COUNT_WIDTH
    bars = []
    for i, name in enumerate(STEPS):
        n = totals.get(name, 0)
        width = round(max(room * n / longest, 2), 1)
        y = i * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            {
                "label": STEP_LABELS[name],
                "count": n,
                "y": y,
                "width": width,
                "text_y": round(y + BAR_HEIGHT * 0.68, 1),
                "count_x": round(LABEL_WIDTH + width + 6, 1),
            }
        )
    return bars


def funnel_height() -> int:
    return len(STEPS) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
