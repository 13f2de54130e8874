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
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("NIC1000_REQUIRE_SECRET_KEY", False):
        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "nic1000-insecure-development-key-change-me"
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
    "django_tasks",
    "django_tasks_db",
    "nic1000.core",
    "nic1000.audit",
    "nic1000.registry",
    "nic1000.accounts",
    "nic1000.designations",
    "nic1000.rounds",
    "nic1000.finance",
    "nic1000.monitoring",
    "nic1000.demo",
    "nic1000.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "core:home"
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
# E-mail (password reset links). Development prints mail to the console; production sets EMAIL_BACKEND to
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST etc.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nic1000 <noreply@localhost>")
# ---- end of accounts' block ----------------------------------------------------------------------------------

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Seoul"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor", PROJECT_DIR / "node_modules")]
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
# ---- end of uploads and free text ---------------------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

DATA_DIR.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
