"""Settings for the procurement maturity tracker.

One file, driven by environment variables. With nothing set it runs in debug on SQLite,
so `make run` works on a fresh machine; production sets DJANGO_DEBUG=0, a secret key,
allowed hosts and DATABASE_URL (PostgreSQL).
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

# Django's generic classes (ModelForm[Model], QuerySet[Model], ...) can be subscripted at run
# time as they are in type annotations (django-stubs-ext).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_forms_gds",
    "simple_history",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts.apps.AccountsConfig",
    "maturity",
    "procurement",
    "socialvalue",
    "dashboards",
    "demo",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "accounts.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.errors.ErrorPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.role_flags",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A kept connection the server has closed (a restart) is replaced, not used and failed.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite has one writer at a time. A plain BEGIN reads first and fails with "database is
    # locked" when it then tries to write while another save holds the lock; BEGIN IMMEDIATE
    # waits for the lock instead, so the second of two simultaneous saves gets the stale-edit
    # message rather than an error page.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
else:
    # Progress of a background job is written on a connection of its own: the job's work runs
    # in one transaction on "default", and the job page must see the rows read while it does.
    # In tests it is a mirror of the test database (not flushed or restored a second time).
    DATABASES["jobs"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}

# Long work (spend imports of large files) runs off the request on django-tasks' database
# backend: `manage.py db_worker` runs it (`make run` starts one). See jobs/.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Spend files up to this size are imported inside the request (under a second); larger ones
# as a background job with a progress page.
SPEND_IMPORT_IN_REQUEST_BYTES = int(os.environ.get("SPEND_IMPORT_IN_REQUEST_BYTES", 1_000_000))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds page parts rendered once per data version (core.data_version). Each process
# keeps its own by default (`make run`); with CACHE_URL (or REDIS_URL), e.g.
# redis://127.0.0.1:6379/0, every app server shares one Redis cache and so one data version.
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL and not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL.")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "procurement"),
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",  # ModelBackend reading the user's roles in one query
]
# Pause sign-in for a username from one address after repeated failures (django-axes). The pair,
# not the address alone: behind a proxy every user shares an address, and failures with made-up
# names must not lock real users out.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# How many proxies of ours (the TLS proxy) stand in front: the client's address is read from
# X-Forwarded-For only when this is above 0, since a client can write that header itself.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            # whitenoise's compressed manifest storage, each URL worked out once a process
            "core.static.StaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded evidence lives outside the web root and is served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "var" / "uploads"))

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "procurement@localhost")

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "Worcestershire County Council")
# The council as a buyer in OCDS files: import_ocds keeps only releases whose buyer has one of
# these names (compared without case or punctuation) or identifiers, and counts the others.
OCDS_BUYER_NAMES = env_list("OCDS_BUYER_NAMES", COUNCIL_NAME)
OCDS_BUYER_IDS = env_list("OCDS_BUYER_IDS", "")
# Supplier names in spend files that stand for no one: their payments count as redacted spend and
# never become suppliers. A trailing "*" matches every name starting so; case and punctuation
# do not count.
SPEND_PLACEHOLDER_SUPPLIERS = [
    "REDACTED*",
    "Redacted - personal data",
    "Withheld*",
    "Personal data*",
    "Personal information*",
    "Unspecified",
    "Not specified",
    "Various",
    "Various -*",
    "Various suppliers",
    "Non Employee Expenses Supplier",
    "Sundry creditor*",
    "Confidential",
    "Commercially confidential",
]
# Where officers reach the site: the links in emails sent outside a request (renewal alerts).
SITE_URL = os.environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Renewal warnings go to each contract owner this many months before the end date.
CONTRACT_ALERT_MONTHS = tuple(
    int(months) for months in env_list("CONTRACT_ALERT_MONTHS", "9,6,3") if months.isdigit()
)
# The Procurement Act 2023 from the register (procurement/act.py cites the sections).
# A council's contract is notifiable from this value including VAT (s.87/s.88: £30,000 for an
# authority that is not central government).
ACT_NOTIFIABLE_THRESHOLD = Decimal(os.environ.get("ACT_NOTIFIABLE_THRESHOLD", "30000"))
# Schedule 1 thresholds for a council, including VAT (goods and services; works): above them a
# contract is a public contract, owing change and termination notices (s.75, s.80).
ACT_PUBLIC_CONTRACT_THRESHOLDS = {
    "goods": Decimal(os.environ.get("ACT_THRESHOLD_GOODS_SERVICES", "214904")),
    "works": Decimal(os.environ.get("ACT_THRESHOLD_WORKS", "5372609")),
}
# Contracts worth more than this need at least three KPIs (s.52(1)).
ACT_KPI_THRESHOLD = Decimal(os.environ.get("ACT_KPI_THRESHOLD", "5000000"))
# Contract owners are reminded this many days before a notice's deadline.
ACT_NOTICE_REMINDER_DAYS = int(os.environ.get("ACT_NOTICE_REMINDER_DAYS", "7"))
# The register's working deadline for a contract performance notice after a KPI assessment (the
# Act sets none: s.71(2)(b)).
ACT_PERFORMANCE_NOTICE_DAYS = int(os.environ.get("ACT_PERFORMANCE_NOTICE_DAYS", "30"))
# A pipeline notice is due when the council expects to pay more than this in the coming
# financial year (s.93(1)); it lists the planned procurements over the second amount (s.93(2)).
ACT_PIPELINE_THRESHOLD = Decimal(os.environ.get("ACT_PIPELINE_THRESHOLD", "100000000"))
ACT_PIPELINE_ITEM_THRESHOLD = Decimal(os.environ.get("ACT_PIPELINE_ITEM_THRESHOLD", "2000000"))
# Who is emailed about the council's own notices (pipeline, payments compliance): the head of
# procurement and the finance director, say; empty means every active administrator.
ACT_COUNCIL_NOTICE_EMAILS = env_list("ACT_COUNCIL_NOTICE_EMAILS", "")
# Uploads larger than this are refused before they are read (spend files, evidence).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Signed out after 8 hours without a request. The session's expiry moves forward at most every
# SESSION_REFRESH_SECONDS (accounts.middleware.SessionRefreshMiddleware), not with a database
# write on every request; sessions stay in the database, so signing out ends them at once.
# Django's database sessions in accounts.AccountSession, read with the signed-in user and their
# roles in one SQL statement written once (accounts/sessions.py).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", str(60 * 60 * 8)))
SESSION_REFRESH_SECONDS = int(os.environ.get("DJANGO_SESSION_REFRESH_SECONDS", str(5 * 60)))
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# No inline script and no eval: chart data reaches the page through json_script and static
# scripts draw it. plotly.js adds a <style> element for its own rules, hence inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Red flags in spend (procurement.flags). The split thresholds are the council's contract
# procedure rules: quotations from £5,000, a tender from £25,000, a key decision from £100,000.
SPEND_FLAGS = {
    "split_thresholds": env_list("SPEND_SPLIT_THRESHOLDS", "5000,25000,100000"),
    "split_days": int(os.environ.get("SPEND_SPLIT_DAYS", "30")),
    "duplicate_days": int(os.environ.get("SPEND_DUPLICATE_DAYS", "7")),
    "min_amount": os.environ.get("SPEND_FLAG_MIN_AMOUNT", "500"),
    # Payments this long after a contract's end are late invoices, not spend outside it; paid
    # to date this share past its value is a minor change (Procurement Act 2023, 10%).
    "contract_grace_days": int(os.environ.get("SPEND_CONTRACT_GRACE_DAYS", "90")),
    "contract_tolerance": os.environ.get("SPEND_CONTRACT_TOLERANCE", "0.10"),
    # Purposes paid per person or period: a repeated amount is the next child or week.
    "per_person": env_list(
        "SPEND_FLAG_PER_PERSON",
        "care,placement,fostering,nursing,residential,supported,day centre,agency staff,client,"
        "accommodation,floating support,support package,school transport,special school",
    ),
    # Purposes that are no purchase to split: grants, and charges coded to a contract.
    "not_split": env_list("SPEND_FLAG_NOT_SPLIT", "grant,contract"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"short_client_errors": {"()": "core.errors.ShortClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["short_client_errors"]}},
    # Django's own "django" handlers (a debug console, mail to ADMINS) would write each record
    # a second time beside the root's: its records go to the root's console only.
    "loggers": {"django": {"handlers": [], "propagate": True}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
