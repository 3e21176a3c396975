"""Silta settings, read from the environment (django-environ).

Every variable is listed with a comment in `.env.example`. Defaults suit the
local demo (SQLite, DEBUG on only when asked); with DEBUG off the settings
refuse to load without the secrets production needs.
"""

from pathlib import Path

import environ
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment wins

DEBUG = env.bool("DEBUG", default=False)


def _required_in_production(name, default=None):
    """A value that has a harmless demo default but must be set when DEBUG is off."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return default
    raise ImproperlyConfigured(f"{name} is not set. It is required when DEBUG is off; see .env.example.")


SECRET_KEY = _required_in_production("SECRET_KEY", "insecure-demo-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set. It is required when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Fernet keys for secrets at rest, newest first (comma-separated). The demo key
# below is public: never use it with real credentials.
SILTA_ENCRYPTION_KEYS = env.list(
    "SILTA_ENCRYPTION_KEYS",
    default=["ZGVtby1vbmx5LWtleS1kby1ub3QtdXNlLWluLXByb2Q="] if DEBUG else [],
)
if not SILTA_ENCRYPTION_KEYS:
    raise ImproperlyConfigured(
        "SILTA_ENCRYPTION_KEYS is not set. It is required when DEBUG is off; "
        "generate one with: python -c 'from cryptography.fernet import Fernet; "
        "print(Fernet.generate_key().decode())'"
    )

# Public base URL of this portal (used in OAuth redirects and webhook URLs).
SILTA_BASE_URL = env.str("SILTA_BASE_URL", default="http://127.0.0.1:8000")

# --- eAccounting (Visma) ---
# Production and Visma's sandbox companies use the same hosts; the local sandbox differs only here.
EACCOUNTING_CLIENT_ID = env.str("EACCOUNTING_CLIENT_ID", default="silta-demo")
EACCOUNTING_CLIENT_SECRET = env.str("EACCOUNTING_CLIENT_SECRET", default="silta-demo-secret")
EACCOUNTING_IDENTITY_URL = env.str("EACCOUNTING_IDENTITY_URL", default="https://identity.vismaonline.com")
EACCOUNTING_API_URL = env.str("EACCOUNTING_API_URL", default="https://eaccountingapi.vismaonline.com/v2")
EACCOUNTING_SCOPES = env.str(
    "EACCOUNTING_SCOPES", default="ea:api offline_access ea:sales ea:accounting_readonly ea:purchase_readonly"
)
EACCOUNTING_ACR_VALUES = env.str(
    "EACCOUNTING_ACR_VALUES",
    default="service:44643EB1-3F76-4C1C-A672-402AE8085934 forceselectcompany:true",
)
# The documented limit: requests per window per endpoint; shared by the whole installation
# ("client") or counted per connected company ("company"), which Visma leaves unclear.
EACCOUNTING_RATE_LIMIT = env.int("EACCOUNTING_RATE_LIMIT", default=600)
EACCOUNTING_RATE_WINDOW = env.float("EACCOUNTING_RATE_WINDOW", default=60.0)
EACCOUNTING_RATE_SCOPE = env.str("EACCOUNTING_RATE_SCOPE", default="client")
# Page size asked for; the answer's Meta.PageSize is what counts. 50 is the only documented figure.
EACCOUNTING_PAGE_SIZE = env.int("EACCOUNTING_PAGE_SIZE", default=50)
EACCOUNTING_TIMEOUT = env.float("EACCOUNTING_TIMEOUT", default=30.0)

# --- Sync ---
# A run that would change the price of more than this share of linked articles (e.g. after a VAT
# rate change) stops and waits for a person to confirm it.
SILTA_MASS_CHANGE_SHARE = env.float("SILTA_MASS_CHANGE_SHARE", default=0.2)
# How long an order transfer's claim lasts. A worker killed mid-call blocks that order this long;
# after it, the next run looks the document up in eAccounting before creating anything.
SILTA_ORDER_LEASE_SECONDS = env.int("SILTA_ORDER_LEASE_SECONDS", default=300)
# A tenant's catalogue or order jobs hold a lease renewed every quarter of this while they run;
# a killed worker's lease runs out after it and the next job goes on.
SILTA_JOB_LEASE_SECONDS = env.int("SILTA_JOB_LEASE_SECONDS", default=120)

# --- Database cleanup (`manage.py cleanup`, scheduled nightly as silta:cleanup) ---
# Days sync runs (with their events) and webhook deliveries are kept. A tenant's latest run of
# each kind is kept whatever its age.
SILTA_RUN_RETENTION_DAYS = env.int("SILTA_RUN_RETENTION_DAYS", default=90)
# Days django-q2's task results (successful and failed tasks) are kept.
SILTA_TASK_RETENTION_DAYS = env.int("SILTA_TASK_RETENTION_DAYS", default=14)

# --- Webshops ---
# Hosts where a shop may be reached over plain HTTP (the local sandbox); HTTPS everywhere else.
WEBSHOP_ALLOW_HTTP_HOSTS = env.list(
    "WEBSHOP_ALLOW_HTTP_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
# Hosts a shop may be on although they resolve to a loopback or private address (the local
# sandboxes of the demo and tests); every other shop must resolve to public addresses only.
WEBSHOP_ALLOW_PRIVATE_HOSTS = env.list("WEBSHOP_ALLOW_PRIVATE_HOSTS", default=WEBSHOP_ALLOW_HTTP_HOSTS)
WEBSHOP_TIMEOUT = env.float("WEBSHOP_TIMEOUT", default=30.0)
# Webhook deliveries larger than this are refused (413) unread.
WEBHOOK_MAX_BYTES = env.int("WEBHOOK_MAX_BYTES", default=1_000_000)
# Webhook deliveries per shop per minute that start work at once; more are recorded and left to the
# next scheduled run (which polls the shop), so a flood cannot fill the queue or eAccounting's budget.
WEBHOOK_MAX_PER_MINUTE = env.int("WEBHOOK_MAX_PER_MINUTE", default=120)
# The Silta app in Shopify's Partner Dashboard (Connect webshop → Shopify): Shopify
# signs webhook deliveries and install callbacks with its client secret. Unset: the Shopify
# sandbox's app when DEBUG is on, none otherwise (every Shopify delivery is then refused, 401).
SHOPIFY_CLIENT_ID = env.str("SHOPIFY_CLIENT_ID", default="") or ("silta-sandbox-app" if DEBUG else "")
SHOPIFY_CLIENT_SECRET = env.str("SHOPIFY_CLIENT_SECRET", default="") or (
    "silta-sandbox-secret" if DEBUG else ""
)
# The local Shopify sandbox (`python -m sandbox.shopify`, e.g. http://127.0.0.1:8103) standing in for every
# <name>.myshopify.com store: its approval page and API. Demo and tests only: refused with DEBUG off, where
# the store's own https://<name>.myshopify.com is always used.
SHOPIFY_SANDBOX_URL = env.str("SHOPIFY_SANDBOX_URL", default="")
if SHOPIFY_SANDBOX_URL and not DEBUG:
    raise ImproperlyConfigured(
        "SHOPIFY_SANDBOX_URL is for the demo and tests only: unset it when DEBUG is off."
    )

INSTALLED_APPS = [
    "portal.apps.SiltaAdminConfig",  # replaces django.contrib.admin: our AdminSite is the default
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_q",
    "axes",
    "django_otp",  # optional two-factor login (portal/otp_views.py)
    "django_otp.plugins.otp_totp",
    "integration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # after sessions, before common (Django's order)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): did this session give a code?
    "portal.time_zone.CompanyTimeZoneMiddleware",  # times on the company's clock (after auth)
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy (below)
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses locked-out logins first
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite under var/ for the demo; PostgreSQL (postgres://…) in production and tests.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'silta.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; the timeout rides out short locks.
    # IMMEDIATE: a transaction takes the write lock when it starts, so it waits its turn instead
    # of failing with "database is locked" when another process wrote meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# One cache every process shares: django-q2 keeps its cluster stats there, so
# /healthz in the web process can see the workers. Create it with createcachetable.
CACHES = {"default": env.cache("CACHE_URL", default="dbcache://silta_cache")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"  # when neither the language cookie nor the browser's Accept-Language picks one
LANGUAGES = [
    ("en", "English"),
    ("fi", "Suomi"),
    ("sv", "Svenska"),
]  # each in its own words: the chooser shows them
LOCALE_PATHS = [BASE_DIR / "locale"]
# The header's chooser sets this cookie; a year, so the choice outlives logging out and in again.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Helsinki")
USE_I18N = True
USE_TZ = True
# Our own formats first, then Django's locale formats (portal/formats/fi: "5.12.2026 klo 14.03")
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "static/"
# The portal's own CSS and JS (no inline styles or scripts in new pages). The portal's app config is the admin's
# (portal.apps.SiltaAdminConfig), so its static folder is not found as an app's: it is named here.
STATICFILES_DIRS = [BASE_DIR / "portal" / "static"]
# Where `collectstatic` puts the files WhiteNoise (or nginx) serves under /static/.
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

LOGIN_URL = "admin:login"
# Where a login lands when its `next` is missing or refused (an address on another site): the dashboard.
LOGIN_REDIRECT_URL = "admin:index"

# smtp+tls://user:password@smtp.example.com:587 in production; the console in the demo.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
# The demo's mailbox (make demo): e-mails are kept as files in var/demo-mail and a superuser reads them
# on the *Demo mailbox* page instead of in the terminal. Never in production: the page shows every e-mail.
SILTA_DEMO_MAILBOX = env.bool("SILTA_DEMO_MAILBOX", default=False)
if SILTA_DEMO_MAILBOX:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(BASE_DIR / "var" / "demo-mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="silta@localhost")
# Days an e-mailed invitation to join a company stays usable.
SILTA_INVITATION_DAYS = env.int("SILTA_INVITATION_DAYS", default=7)

# --- Security (production defaults; `manage.py check --deploy` is clean with DEBUG off) ---
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
# Seconds a login lasts (default 12 hours: a working day, not Django's two weeks).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=12 * 3600)
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and style sheets from this site only, inline ones
# only with the page's nonce (templates: nonce="{{ request.csp_nonce }}"); no inline event
# handlers. Style attributes are allowed (the admin's and the charts' SVG use them; they run no code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    },
}
# /healthz tells everyone ok/fail; the parts (database, queue length, clusters) only to a request
# carrying this token (header X-Health-Token, or ?token=). Empty: details to nobody.
SILTA_HEALTH_TOKEN = env.str("SILTA_HEALTH_TOKEN", default="")
# /healthz is probed over plain HTTP by the load balancer.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# --- Failed-login throttling (django-axes) ---
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # a lockout is one user from one address
AXES_RESET_ON_SUCCESS = True
# Proxies (addresses or networks) whose X-Forwarded-For is believed for the client's address: the
# nginx in front of gunicorn. Without it, behind a proxy every login comes from the proxy's address.
SILTA_TRUSTED_PROXIES = env.list("SILTA_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "integration.people.client_ip.client_ip"

# --- Two-factor login (django-otp, TOTP; optional per user) ---
OTP_TOTP_ISSUER = "Silta"  # the name authenticator apps show
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the superusers' device admin never shows a key or QR code

# --- django-q2 (ORM broker by default) ---
# Pitfalls: `retry` must exceed `timeout` plus the queue wait, or a slow task runs
# twice; `catch_up` off so a stopped cluster does not replay every missed schedule;
# failures acknowledged so they are not redelivered forever; attempts bounded.
Q_TIMEOUT = env.int("Q_TIMEOUT", default=600)
# Long work (a first sync creating thousands of articles) stops after this long and goes on in a
# new task, so no task runs into Q_TIMEOUT.
SILTA_TASK_SLICE_SECONDS = env.int("SILTA_TASK_SLICE_SECONDS", default=Q_TIMEOUT // 2)
# How far back each order poll reads again (clock differences between the shop and Silta).
SILTA_ORDER_POLL_OVERLAP_SECONDS = env.int("SILTA_ORDER_POLL_OVERLAP_SECONDS", default=120)
# While a shop's order webhooks arrive, its scheduled order poll (the safety net for a lost delivery)
# runs at most this often (integration/scheduling/order_polls.py).
SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS = env.int("SILTA_ORDER_POLL_WITH_WEBHOOKS_SECONDS", default=600)
Q_CLUSTER = {
    "name": "silta",
    "orm": "default",
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": Q_TIMEOUT,
    "retry": env.int("Q_RETRY", default=Q_TIMEOUT + 300),
    "max_attempts": env.int("Q_MAX_ATTEMPTS", default=3),
    "ack_failures": True,
    "catch_up": False,
    "save_limit": env.int("Q_SAVE_LIMIT", default=1000),
    "cache": "default",
    "poll": env.float("Q_POLL", default=0.5),
    "label": "Task queue",
    "ALT_CLUSTERS": {},  # needed by django-q2 when a cluster runs under another Q_CLUSTER_NAME
}
# A queue of its own for order work (tasks of Queue.ORDERS, integration/work/registry.py), run by a second cluster with
# Q_CLUSTER_NAME set to the same name: the default in production, so a paid order never waits
# behind catalogue jobs. Empty (the default with DEBUG, as `make demo` runs): one cluster runs everything.
SILTA_ORDERS_QUEUE = env.str("SILTA_ORDERS_QUEUE", default="" if DEBUG else "silta-orders")
if Q_CLUSTER["retry"] <= Q_CLUSTER["timeout"]:
    raise ImproperlyConfigured("Q_RETRY must be larger than Q_TIMEOUT, or tasks run twice.")
# Optional: django-q2's Redis broker (redis://host:6379/0). Tasks are then handed out through
# Redis instead of polling the database, and clusters report their health there. Redis does not
# acknowledge tasks: one whose worker dies is lost, not handed out again after Q_RETRY as with the
# ORM broker (the next scheduled run catches up). Schedules and results stay in the database.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    del Q_CLUSTER["orm"]
    Q_CLUSTER["redis"] = REDIS_URL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Never at DEBUG, whatever LOG_LEVEL says: SQL parameters and request URLs carry customers'
    # e-mails (a lookup by e-mail) and shop keys (WooCommerce's query-string authentication).
    "loggers": {"django.db.backends": {"level": "INFO"}, "urllib3": {"level": "INFO"}},
}
