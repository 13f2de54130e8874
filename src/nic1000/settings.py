"""Settings, read from the environment. Bad values fail loudly at start-up.

SQLite is the embedded default; DATABASE_URL switches to PostgreSQL.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


DEBUG = env_bool("DEBUG", False)
# Production refuses to start on a missing, short or the development key (only DEBUG falls back to it).
_DEVELOPMENT_SECRET_KEY = "nic1000-insecure-development-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY == _DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters unless DEBUG is on "
        "(generate one: python -c 'import secrets; print(secrets.token_urlsafe(50))')"
    )
SECRET_KEY = SECRET_KEY or _DEVELOPMENT_SECRET_KEY
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

DATA_DIR = Path(os.environ.get("NIC1000_DATA_DIR", PROJECT_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",  # login throttling (accounts' block below)
    "django_htmx",
    "ninja",  # its static Swagger UI for /api/docs (else django-ninja loads it from a CDN)
    "django_tasks",
    "django_tasks_db",
    "nic1000.core",
    "nic1000.audit",
    "nic1000.activity",  # no models: its hourly e-mail sweep (apps.py) and its pages
    "nic1000.registry",
    "nic1000.accounts",
    "nic1000.designations",
    "nic1000.rounds",
    "nic1000.calls",
    "nic1000.finance",
    "nic1000.monitoring",
    "nic1000.appeals",
    "nic1000.reports",
    "nic1000.search",
    "nic1000.home",
    "nic1000.demo",
    "csp",
    "health_check",
    "nic1000.ops",
]

MIDDLEWARE = [
    "nic1000.ops.middleware.RequestIdMiddleware",
    # Outermost but one: it marks the final answer (the API's JSON errors are made further in).
    "nic1000.ops.middleware.PrivateNoStoreMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "nic1000.core.middleware.ApiJsonErrorsMiddleware",  # every /api/ error answer is JSON (API edges)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "nic1000.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # turns a login lockout into accounts' lockout page
]

ROOT_URLCONF = "nic1000.urls"
WSGI_APPLICATION = "nic1000.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "nic1000.core.context_processors.navigation",
            ],
        },
    },
]

_default_db = f"sqlite:///{DATA_DIR / 'nic1000.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "") or _default_db
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
except Exception as exc:  # dj_database_url raises several types
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {exc}") from exc
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers proceed while the worker writes; a busy timeout instead of "database is locked".
    _db["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
        ),
    }
    _db["CONN_MAX_AGE"] = 0
    _db["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home:home"
LOGOUT_REDIRECT_URL = "home:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "nic1000.accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]

# ---- accounts: login throttling (django-axes), second factor, passwords and e-mail ----------------------------
# Failed logins are counted by django-axes in the database, which every worker shares. After
# LOGIN_FAILURE_LIMIT failures for one account from one client address within LOGIN_FAILURE_WINDOW_SECONDS,
# that account is refused from that address until the window has passed since the last failure; other users
# behind the same address are not affected. LOGIN_ACCOUNT_FAILURE_LIMIT failures for one account from any
# addresses refuse that account everywhere (a guess spread over many addresses).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 900)
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 4 * LOGIN_FAILURE_LIMIT)
# Reverse proxies in front of the application that append to X-Forwarded-For. 0: the client address is
# REMOTE_ADDR and X-Forwarded-For is ignored (anyone can send it); 1: one proxy (nginx) that sets it, and so on.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    "nic1000.accounts.throttle.LoginThrottleBackend",  # refuses a locked-out login before the password check
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "nic1000.accounts.throttle.LoginThrottleHandler"
AXES_FAILURE_LIMIT = "nic1000.accounts.throttle.failure_limit"  # LOGIN_FAILURE_LIMIT, read when used
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # the per-account total is added by the handler
AXES_COOLOFF_TIME = "nic1000.accounts.throttle.cool_off"
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "nic1000.accounts.throttle.client_ip"
AXES_LOCKOUT_CALLABLE = "nic1000.accounts.views.lockout_response"
AXES_ENABLE_ADMIN = False  # accounts.admin shows the attempts read-only
AXES_VERBOSE = False
# Sensitive pages (programme settings, API tokens, round publication and settings, second-factor resets) ask
# an enrolled user for a fresh authenticator code when the last one is older than this.
SECOND_FACTOR_RECENT_SECONDS = env_int("SECOND_FACTOR_RECENT_SECONDS", 900)
# Password reset links (e-mailed) stay valid this long; reset requests per address and per e-mail per hour.
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3600)
PASSWORD_RESET_REQUESTS_PER_HOUR = env_int("PASSWORD_RESET_REQUESTS_PER_HOUR", 5)
# E-mail (password reset links, notifications). By default mail is written to files in EMAIL_FILE_PATH (the
# demo's thousands of notifications would flood a console); production sets EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nic1000 <noreply@localhost>")
# An invitation link (accounts.Invitation) works this many days.
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 7)
# ---- end of accounts' block ----------------------------------------------------------------------------------

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers per language (docs/architecture.md, Conventions): core/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["nic1000.core.formats"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Only the parts of the npm packages pages use (collectstatic hashes and compresses every file it finds).
_NODE = PROJECT_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/krds-uiux/resources", _NODE / "krds-uiux" / "resources"),
    # KRDS's component.css asks for its icons at ../../img/img/component/icon/ (one "img" too many): serve the
    # package's icons there too, or selects lose their arrow and ticked check boxes show as solid squares.
    ("vendor/krds-uiux/resources/img/img", _NODE / "krds-uiux" / "resources" / "img"),
    ("vendor/htmx.org/dist", _NODE / "htmx.org" / "dist"),
    ("vendor/chart.js/dist", _NODE / "chart.js" / "dist"),
]
STATICFILES_FINDERS = [
    "nic1000.ops.storage.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# ---- Uploads and free text (issue 11: uploads cannot exhaust memory; no unbounded text) -------------------
# Imports larger than this are refused before they are read (the form checks the upload's size, the view the
# request's Content-Length, the import service the bytes it reads).
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 40 * 1024 * 1024)
# An XLSX is refused unparsed, from its ZIP directory, when its parts unpack to more than this many bytes...
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", 256 * 1024 * 1024)
# ...when a sheet (over 1 MiB unpacked) is compressed more than this many times (a ZIP bomb)...
IMPORT_MAX_COMPRESSION_RATIO = env_int("IMPORT_MAX_COMPRESSION_RATIO", 100)
# ...or when a sheet declares more cells than this (its <dimension>: rows x columns). An import's peak memory
# is about 85 MB + 0.65 KB per cell (bench/bench_upload_memory.py: 100,000 companies = 1.2 M cells, 850 MB
# peak): the default 3 M cells bounds an import near 2 GB (100,000 companies fit; larger files are split, as
# IMPORT_MAX_BYTES already asks of a 300,000-statement file).
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", 3_000_000)
# Every free-text input (reasons, notes, comments, descriptions) is refused above this many characters.
TEXT_MAX_CHARS = env_int("TEXT_MAX_CHARS", 10_000)
# An uploaded file stops being stored (memory or temporary file) once past IMPORT_MAX_BYTES.
FILE_UPLOAD_HANDLERS = [
    "nic1000.core.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Documents companies attach to finance applications: at most this many bytes each, kept in a private directory
# that nothing serves (not MEDIA_ROOT, not STATIC_ROOT); only finance's download view reads it.
FINANCE_DOCUMENT_MAX_BYTES = env_int("FINANCE_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
FINANCE_DOCUMENT_ROOT = Path(os.environ.get("FINANCE_DOCUMENT_ROOT", DATA_DIR / "private" / "finance"))
# Appeal documents, private in the same way (only the appeals' download view reads them).
APPEALS_FILES_DIR = Path(os.environ.get("APPEALS_FILES_DIR", DATA_DIR / "private" / "appeals"))
# Reminders (rounds' daily jobs): days before the scoring deadline and before nominations close.
ROUNDS_REVIEW_DUE_DAYS = env_int("ROUNDS_REVIEW_DUE_DAYS", 3)
ROUNDS_NOMINATIONS_CLOSING_DAYS = env_int("ROUNDS_NOMINATIONS_CLOSING_DAYS", 3)
# ---- end of uploads and free text ---------------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# ---- E-mail delivery of notifications (issue 13; README, "E-mail") ----------------------------------------
# Every notification also goes out by e-mail (activity.delivery) through EMAIL_BACKEND above; links in it are
# made absolute with NIC1000_SITE_URL. A failed send is retried after these delays (minutes, the last one
# repeated) until NIC1000_EMAIL_MAX_ATTEMPTS sends have failed; then it stays failed in the outbox until the
# programme office retries it. One task sends at most NIC1000_EMAIL_BATCH messages.
_retry = os.environ.get("NIC1000_EMAIL_RETRY_MINUTES", "1,5,30,120,720")
if not all(m.strip().isdigit() for m in _retry.split(",")):
    raise ImproperlyConfigured(
        f"NIC1000_EMAIL_RETRY_MINUTES must be minutes separated by commas, got {_retry!r}"
    )
NIC1000_EMAIL_RETRY_MINUTES = [int(m) for m in _retry.split(",")]
NIC1000_EMAIL_MAX_ATTEMPTS = env_int("NIC1000_EMAIL_MAX_ATTEMPTS", 6)
NIC1000_EMAIL_BATCH = env_int("NIC1000_EMAIL_BATCH", 100)
if NIC1000_EMAIL_MAX_ATTEMPTS < 1 or NIC1000_EMAIL_BATCH < 1:
    raise ImproperlyConfigured("NIC1000_EMAIL_MAX_ATTEMPTS and NIC1000_EMAIL_BATCH must be at least 1")
# ---- end of e-mail delivery ---------------------------------------------------------------------------------

# --- Transport, cookies, sessions and Content-Security-Policy (issue 11) -----------------------------------
# Production is https only: redirect, HSTS, Secure cookies. NIC1000_INSECURE_HTTP=1 (implied by DEBUG) serves
# plain http for a local demo. Behind a TLS-terminating proxy set NIC1000_BEHIND_PROXY=1 so that the proxy's
# X-Forwarded-Proto tells Django the request was https (only when the proxy sets it and clients cannot).
NIC1000_INSECURE_HTTP = env_bool("NIC1000_INSECURE_HTTP", DEBUG)
SECURE_SSL_REDIRECT = not NIC1000_INSECURE_HTTP
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]  # load balancers probe over plain http
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if NIC1000_INSECURE_HTTP else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("NIC1000_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not NIC1000_INSECURE_HTTP
CSRF_COOKIE_SECURE = not NIC1000_INSECURE_HTTP
# A working day's session that also ends when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# django-csp: scripts and styles only from our own static files (no inline script, no inline style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

OTP_TOTP_ISSUER = "nic1000"
# Institutions' API: requests per token per minute before 429.
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 120)
# API edges: the largest request body the API reads (bytes, capped by DATA_UPLOAD_MAX_MEMORY_SIZE); above it
# the answer is 413 in the API's JSON error shape.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", 1024 * 1024)


def env_json_object(name: str) -> dict[str, object]:
    """A JSON object given inline (`{...}`) or as the path of a JSON file; {} when unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw if raw.startswith("{") else Path(raw).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object or the path of a JSON file: {exc}") from exc
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, got {type(value).__name__}")
    return value


# Monitoring: alert-rule thresholds overriding monitoring.rules.RuleConfig (unknown keys are refused); an
# inspection claim without heartbeat for this long is taken over; a failed inspection is retried after this.
NIC1000_MONITORING_RULES = env_json_object("NIC1000_MONITORING_RULES")
NIC1000_INSPECTION_STALE_SECONDS = env_int("NIC1000_INSPECTION_STALE_SECONDS", 120)
NIC1000_INSPECTION_RETRY_SECONDS = env_int("NIC1000_INSPECTION_RETRY_SECONDS", 600)

# --- Audit trail: the chain's key and its anchors (issue 11) -------------------------------------------------
# AUDIT_KEY: the secret the audit chain is signed with (HMAC-SHA256), at least 32 characters, kept OUTSIDE the
#   database (whoever can write the database must not know it). Or AUDIT_KEY_FILE: the path of a file holding it
#   (surrounding whitespace ignored). Without either, the app refuses to run (system check audit.E001 stops every
#   command, the first audit write raises) unless DEBUG is on or the tests run: those use AUDIT_DEVELOPMENT_KEY,
#   which is public and marks nothing as trustworthy. Losing the key means `audit verify` can no longer vouch
#   for the trail: back it up apart from the database.
# AUDIT_ANCHOR_FILE: the append-only file (JSON lines) `nic1000 audit anchor` appends the chain's head to, and
#   the worker does daily; `audit verify` checks the trail against every line. One file per database; keep it
#   (or copies of it) where database writers cannot reach. Default var/audit-anchors.jsonl (tests: a file per
#   test process in the temporary directory, so a developer's anchors never meet the test databases).
TESTING = "pytest" in sys.modules
AUDIT_DEVELOPMENT_KEY = "nic1000-insecure-development-audit-key-not-for-production"


def _audit_key() -> str | None:
    raw = os.environ.get("AUDIT_KEY", "")
    path = os.environ.get("AUDIT_KEY_FILE", "")
    if raw and path:
        raise ImproperlyConfigured("set AUDIT_KEY or AUDIT_KEY_FILE, not both")
    if path:
        try:
            raw = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"AUDIT_KEY_FILE cannot be read: {exc}") from exc
    if raw and len(raw) < 32:
        raise ImproperlyConfigured(
            "the audit key (AUDIT_KEY or AUDIT_KEY_FILE) must be at least 32 characters"
        )
    if not raw and (DEBUG or TESTING):
        return AUDIT_DEVELOPMENT_KEY
    return raw or None  # None: system check audit.E001 refuses to run


AUDIT_KEY = _audit_key()
AUDIT_ANCHOR_FILE = Path(
    os.environ.get("AUDIT_ANCHOR_FILE", "")
    or (
        Path(tempfile.gettempdir()) / f"nic1000-test-audit-anchors-{os.getpid()}.jsonl"
        if TESTING
        else DATA_DIR / "audit-anchors.jsonl"
    )
)
# How often the worker anchors the chain (seconds; daily).
AUDIT_ANCHOR_INTERVAL_SECONDS = env_int("AUDIT_ANCHOR_INTERVAL_SECONDS", 24 * 3600)
# --- end of the audit trail block ------------------------------------------------------------------------------

# --- Operations: server, cache, static files, logs, health (issue 11) -------------------------------------
# `nic1000 serve` (gunicorn): address, worker processes, threads per worker, request timeout in seconds.
NIC1000_BIND = os.environ.get("NIC1000_BIND", "127.0.0.1:8000")
NIC1000_WEB_WORKERS = env_int("NIC1000_WEB_WORKERS", min(2 * (os.cpu_count() or 1) + 1, 9))
NIC1000_WEB_THREADS = env_int("NIC1000_WEB_THREADS", 1)
NIC1000_WEB_TIMEOUT = env_int("NIC1000_WEB_TIMEOUT", 60)
# /healthz fails when no `nic1000 worker` wrote its heartbeat for this long.
NIC1000_WORKER_STALE_SECONDS = env_int("NIC1000_WORKER_STALE_SECONDS", 120)
# One cache every process shares (web workers on several hosts, the worker): a table in the database.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "nic1000_cache",
        "OPTIONS": {"MAX_ENTRIES": env_int("NIC1000_CACHE_MAX_ENTRIES", 20_000)},
    },
    # In front of it, for what never changes once made (a published selection's page): no query at all.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "nic1000-local",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
# A published selection's public page is kept this long in the cache (it never changes once published).
NIC1000_PUBLIC_CACHE_SECONDS = env_int("NIC1000_PUBLIC_CACHE_SECONDS", 3600)
# Reports (issue 14): the site's address printed in certificates' QR codes when a certificate is made by the
# command line (pages use the request's own address), and the links in notification e-mails; and how many
# verifications one client may make a minute.
NIC1000_SITE_URL = os.environ.get("NIC1000_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
NIC1000_VERIFY_PER_MINUTE = env_int("NIC1000_VERIFY_PER_MINUTE", 30)
# Production serves hashed, compressed static files (collected by `nic1000 serve`/collectstatic); DEBUG
# serves them straight from the sources.
# NIC1000_STATIC_MANIFEST=0: pages rendered in-process without collectstatic (the page benchmark).
if not DEBUG and env_bool("NIC1000_STATIC_MANIFEST", True):
    STORAGES["staticfiles"] = {"BACKEND": "nic1000.ops.storage.StaticFilesStorage"}
# Logs: one JSON object per line on stderr, each with the request id (LOG_FORMAT=text for a terminal).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "nic1000.ops.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # One line per request (method, path, status, duration) at INFO from nic1000.ops.
        "nic1000.requests": {"level": os.environ.get("NIC1000_ACCESS_LOG_LEVEL", "INFO")},
        # A failing check is in /healthz's answer; its traceback on every probe would drown the log.
        "health_check": {"level": "ERROR"},
    },
}

DATA_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
