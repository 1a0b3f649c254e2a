"""kepu settings: one module, every deployment-specific value read from the environment.

Development (`make run`, tests) works with no environment at all: SQLite under var/, a generated
secret key kept in var/, DEBUG on. Production is selected with KEPU_ENV=production and then refuses
to start without a secret key, a data key, allowed hosts and a database from the environment. See
docs/operations.md for the full list.
"""

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KEPU_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

KEPU_ENV = os.environ.get("KEPU_ENV", "development")
PRODUCTION = KEPU_ENV == "production"


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise RuntimeError(f"KEPU_ENV=production needs the environment variable {name}")
    return value


def _development_key(name: str, generate: Callable[[], str]) -> str:
    # A per-checkout random key under var/, so that no secret is ever committed.
    key_file = VAR_DIR / name
    if not key_file.exists():
        key_file.write_text(generate())
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _valid_data_key(value: str, name: str = "KEPU_DATA_KEY") -> str:
    # Checked at start, not at the first encrypted read: a typo must stop the deployment, not a page.
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise RuntimeError(
            f"{name} must be 32 random bytes in URL-safe base64 ({name} 须为 32 字节的 URL 安全 "
            "Base64 编码); make one with: python -c \"import base64,os;"
            "print(base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip('='))\""
        )
    return value


def _new_data_key() -> str:
    # 32 random bytes, URL-safe base64: the form kepu.core.protected expects of KEPU_DATA_KEY.
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


if PRODUCTION:
    SECRET_KEY = _required("KEPU_SECRET_KEY")
    # Encrypts ID numbers and phones at rest. Losing it loses them: back it up apart from the database.
    KEPU_DATA_KEY = _valid_data_key(_required("KEPU_DATA_KEY"))
    if not os.environ.get("DATABASE_URL") and os.environ.get("KEPU_ALLOW_SQLITE") != "1":
        # Production runs on PostgreSQL; an embedded file database must be asked for explicitly.
        raise RuntimeError("KEPU_ENV=production needs the environment variable DATABASE_URL "
                           "(or KEPU_ALLOW_SQLITE=1 to run on SQLite under KEPU_VAR_DIR)")
    ALLOWED_HOSTS = _env_list("KEPU_ALLOWED_HOSTS") or [_required("KEPU_ALLOWED_HOSTS")]
    DEBUG = False
else:
    SECRET_KEY = os.environ.get("KEPU_SECRET_KEY") or _development_key("secret_key", lambda: secrets.token_urlsafe(50))
    KEPU_DATA_KEY = _valid_data_key(os.environ.get("KEPU_DATA_KEY") or _development_key("data_key", _new_data_key))
    ALLOWED_HOSTS = _env_list("KEPU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    DEBUG = os.environ.get("KEPU_DEBUG", "1") == "1"

# Key rotation (docs/security.md): further keys still read, and the key the lookup digests are made with.
KEPU_DATA_KEY_PREVIOUS = [_valid_data_key(k, "KEPU_DATA_KEY_PREVIOUS") for k in _env_list("KEPU_DATA_KEY_PREVIOUS")]
KEPU_INDEX_KEY = _valid_data_key(os.environ["KEPU_INDEX_KEY"], "KEPU_INDEX_KEY") if os.environ.get("KEPU_INDEX_KEY") else ""
if KEPU_DATA_KEY_PREVIOUS and not KEPU_INDEX_KEY:
    # Without it the digests would follow the new data key and every lookup by phone or ID number miss.
    raise RuntimeError(
        "KEPU_DATA_KEY_PREVIOUS is set but KEPU_INDEX_KEY is not: set KEPU_INDEX_KEY to the key the lookup "
        "digests were made with, normally the first KEPU_DATA_KEY (轮换数据密钥时须设置 KEPU_INDEX_KEY "
        "为生成查询摘要所用的密钥，通常即原 KEPU_DATA_KEY)"
    )

CSRF_TRUSTED_ORIGINS = _env_list("KEPU_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "django_tasks_db",
    "kepu.core",
    "kepu.org",
    "kepu.notifications",
    "kepu.plans",
    "kepu.literacy",
    "kepu.volunteers",
    "kepu.service_orders",
    "kepu.search",
    "kepu.backoffice",
    "kepu.portal",
    "kepu.api",
]

MIDDLEWARE = [
    "kepu.core.middleware.RequestSizeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kepu.core.middleware.RequestContextMiddleware",
    "kepu.core.middleware.ControlCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "kepu.core.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kepu.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "kepu" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "kepu.backoffice.context.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production), SQLite under var/ otherwise.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'kepu.sqlite3'}",
        conn_max_age=int(os.environ.get("KEPU_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["kepu.org.auth.KepuModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kepu.org.passwords.CharacterClassValidator"},
]

# Login protection (等保 2.0 level 2): lockout and idle timeout, in seconds.
KEPU_LOCKOUT_FAILURES = int(os.environ.get("KEPU_LOCKOUT_FAILURES", "5"))
KEPU_LOCKOUT_SECONDS = int(os.environ.get("KEPU_LOCKOUT_SECONDS", str(15 * 60)))
# Password spraying: failed sign-ins from one address, whatever the accounts (an office behind one
# NAT address makes a few mistakes an hour, not thirty).
KEPU_LOGIN_ADDRESS_FAILURES = int(os.environ.get("KEPU_LOGIN_ADDRESS_FAILURES", "30"))
KEPU_LOGIN_ADDRESS_SECONDS = int(os.environ.get("KEPU_LOGIN_ADDRESS_SECONDS", str(60 * 60)))
KEPU_IDLE_TIMEOUT_SECONDS = int(os.environ.get("KEPU_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
KEPU_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("KEPU_PASSWORD_MAX_AGE_DAYS", "90" if PRODUCTION else "0"))
KEPU_TOKEN_TTL_DAYS = int(os.environ.get("KEPU_TOKEN_TTL_DAYS", "90"))
# A volunteer who signs out of an activity sooner than this after signing in is asked to confirm
# (“您刚签到 X 分钟，确定签退吗？”), so a code entered twice does not end the service by accident.
KEPU_SIGN_OUT_MIN_MINUTES = int(os.environ.get("KEPU_SIGN_OUT_MIN_MINUTES", "10"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_FAILURE_VIEW = "kepu.core.errors_views.csrf_failure"
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
# Scripts only from our own origin or with the per-response nonce; styles may be inline (ECharts and
# Bootstrap set style attributes); nothing may frame the platform.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("KEPU_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = int(os.environ.get("KEPU_HSTS_SECONDS", "31536000"))
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Number of trusted reverse proxies in front of kepu; the client address is taken from
# X-Forwarded-For only that many hops back, never blindly.
KEPU_TRUSTED_PROXIES = int(os.environ.get("KEPU_TRUSTED_PROXIES", "0"))

# Background tasks: Django's tasks framework, database-backed worker by default.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KEPU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

CACHES = {
    "default": (
        # KEPU_REDIS_PREFIX keeps two deployments (or test runs) sharing one Redis apart.
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["KEPU_REDIS_URL"],
         "KEY_PREFIX": os.environ.get("KEPU_REDIS_PREFIX", "")}
        if os.environ.get("KEPU_REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
if os.environ.get("KEPU_REDIS_URL"):
    # Sessions read from Redis and kept in the database too: any web process serves any session, and a
    # Redis restart signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("KEPU_STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [
    BASE_DIR / "kepu" / "static",
    # Front-end packages installed from the npm registry by `npm ci`; served locally, never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
]


def _file_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """Where uploaded and generated files live: an S3-compatible bucket when KEPU_S3_BUCKET is set (any web
    host and worker reads what another wrote), the local disk under KEPU_MEDIA_ROOT otherwise."""
    bucket = environ.get("KEPU_S3_BUCKET", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    def first(*names: str) -> str | None:
        return next((environ[n] for n in names if environ.get(n)), None)

    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": first("KEPU_S3_ENDPOINT_URL", "AWS_S3_ENDPOINT_URL"),
            "region_name": first("KEPU_S3_REGION", "AWS_S3_REGION_NAME", "AWS_DEFAULT_REGION"),
            # None: boto3's own chain (AWS_ACCESS_KEY_ID…, the instance's role).
            "access_key": first("KEPU_S3_ACCESS_KEY_ID", "AWS_S3_ACCESS_KEY_ID", "AWS_ACCESS_KEY_ID"),
            "secret_key": first("KEPU_S3_SECRET_ACCESS_KEY", "AWS_S3_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"),
            "location": environ.get("KEPU_S3_PREFIX", "").strip("/"),
            "addressing_style": first("KEPU_S3_ADDRESSING_STYLE"),  # "path" for MinIO and most private clouds
            "signature_version": first("KEPU_S3_SIGNATURE_VERSION"),
            "verify": False if environ.get("KEPU_S3_VERIFY") == "0" else None,  # None: certificates checked
            # Personal files: private objects, never a public URL. Files are served only through kepu's
            # own views (kepu.core.files.serve); a URL, if ever asked for, is signed and short-lived.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            # A name taken is never overwritten by save() (as on the disk): the new file gets a name of its own.
            "file_overwrite": False,
            # Reading a stored file keeps 5 MB in memory at most, the rest in a temporary file.
            "max_memory_size": 5 * 1024 * 1024,
        },
    }


STORAGES = {
    "default": _file_storage(os.environ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("KEPU_MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The largest request kepu accepts (the largest upload, a survey wave, plus its form); the reverse proxy's
# client_max_body_size must match (docs/operations.md). Larger requests answer 413 before any reading.
KEPU_MAX_REQUEST_BYTES = int(os.environ.get("KEPU_MAX_REQUEST_BYTES", str(50 * 1024 * 1024)))
# Hostile files (kepu.core.uploads): Office packages, sheets, Word documents, images.
KEPU_UPLOAD_MAX_MEMBERS = 2000
KEPU_UPLOAD_MAX_UNPACKED_BYTES = int(os.environ.get("KEPU_UPLOAD_MAX_UNPACKED_BYTES", str(500 * 1024 * 1024)))
KEPU_DATA_FILE_MAX_UNPACKED_BYTES = 4 * 1024 * 1024 * 1024  # survey waves: 300,000 × 50 cells of sheet XML
KEPU_UPLOAD_MAX_RATIO = 200
KEPU_SHEET_MAX_COLUMNS = 500
KEPU_DOCX_MAX_PARAGRAPHS = 20_000
KEPU_IMAGE_MAX_PIXELS = 40_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

_MAIL_BACKEND = os.environ.get(
    "KEPU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _MAIL_BACKEND,
        "OPTIONS": (
            {
                "host": os.environ.get("KEPU_EMAIL_HOST", "localhost"),
                "port": int(os.environ.get("KEPU_EMAIL_PORT", "25")),
                "username": os.environ.get("KEPU_EMAIL_USER", ""),
                "password": os.environ.get("KEPU_EMAIL_PASSWORD", ""),
                "use_tls": os.environ.get("KEPU_EMAIL_TLS", "0") == "1",
            }
            if _MAIL_BACKEND.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("KEPU_EMAIL_FROM", "kepu@localhost")
# SMS goes through an adapter; the fake one records messages in the database for tests and demos.
# Verification codes one visitor (client address) may ask for in an hour, and all visitors in a day.
KEPU_SMS_PER_ADDRESS = int(os.environ.get("KEPU_SMS_PER_ADDRESS", "5"))
KEPU_SMS_DAILY_BUDGET = int(os.environ.get("KEPU_SMS_DAILY_BUDGET", "2000"))
# Anonymous submissions (orders, objections, registrations, leads) one visitor may make in an hour.
KEPU_ANONYMOUS_PER_ADDRESS = int(os.environ.get("KEPU_ANONYMOUS_PER_ADDRESS", "10"))
# Background work (kepu.core.leases): a running task silent this long has lost its worker and is retried
# (this many times) or failed; a task still queued after the timeout is failed (no worker is running).
KEPU_TASK_STALE_SECONDS = int(os.environ.get("KEPU_TASK_STALE_SECONDS", "600"))
KEPU_TASK_RETRIES = int(os.environ.get("KEPU_TASK_RETRIES", "1"))
KEPU_TASK_QUEUE_TIMEOUT_SECONDS = int(os.environ.get("KEPU_TASK_QUEUE_TIMEOUT_SECONDS", str(6 * 3600)))
# Exports with more rows than this are built in the background and downloaded from 我的导出.
KEPU_EXPORT_BACKGROUND_ROWS = int(os.environ.get("KEPU_EXPORT_BACKGROUND_ROWS", "5000"))
# API calls per signed-in caller and per anonymous address (ninja rate strings: N/s, N/m, N/h, N/d).
KEPU_API_RATE_CALLER = os.environ.get("KEPU_API_RATE_CALLER", "1200/m")
KEPU_API_RATE_VISITOR = os.environ.get("KEPU_API_RATE_VISITOR", "120/m")
KEPU_SMS_BACKEND = os.environ.get("KEPU_SMS_BACKEND", "kepu.notifications.sms.FakeSmsBackend")

# Logs never carry personal data: the formatter prints request paths, not query strings or bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEPU_LOG_LEVEL", "WARNING")},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # The fake SMS adapter shows messages (numbers masked) where `make run` prints its output.
        "kepu.notifications.sms": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

KEPU_CITY_NAME = os.environ.get("KEPU_CITY_NAME", "昆山市")
# Who signs what the office sends (督办单, 工作通报, certificates, the monitoring report): the 发文机关 in
# the 红头 and the 落款, and the code that starts its 文号 (昆科协督〔2026〕3号). Never the software's name.
KEPU_ISSUER_NAME = os.environ.get("KEPU_ISSUER_NAME", f"{KEPU_CITY_NAME}全民科学素质工作领导小组办公室")
KEPU_DOC_CODE = os.environ.get("KEPU_DOC_CODE", f"{KEPU_CITY_NAME[:1]}科协")
# A scanned seal (PNG) printed on certificates; none is drawn when it is not configured.
KEPU_SEAL_IMAGE = os.environ.get("KEPU_SEAL_IMAGE", "")

# Covering indexes (INCLUDE) serve the figures on PostgreSQL; SQLite keeps their key column only, which
# is still correct — so its warning says nothing to act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
