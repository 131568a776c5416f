"""Settings for the PCEP Exam Accelerator, driven by environment variables (django-environ)."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

# Development gets a throwaway key; anything else must be configured explicitly.
_DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-never-used-when-debug-is-off"
SECRET_KEY = env.str("SECRET_KEY", default=_DEVELOPMENT_SECRET_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
# Every missing production setting is named at once, so a server is configured in one go.
_missing = []
if not SECRET_KEY:
    _missing.append(
        "SECRET_KEY is not set: set SECRET_KEY to a long random value (for example "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)"
    )
elif not DEBUG and SECRET_KEY == _DEVELOPMENT_SECRET_KEY:
    _missing.append("SECRET_KEY: the development SECRET_KEY cannot be used with DEBUG off")
if not DEBUG and not ALLOWED_HOSTS:
    _missing.append(
        "ALLOWED_HOSTS must be set when DEBUG is off: the host names this site is served "
        "under, comma-separated (for example ALLOWED_HOSTS=pcep.example.org)"
    )
if _missing:
    raise ImproperlyConfigured(
        "The production settings are incomplete (set these in the environment or in .env, "
        "or set DEBUG=true for local development; see docs/deploy.md):\n- " + "\n- ".join(_missing)
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "exams",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise: static files (scripts, the Pyodide worker) carry no page policy.
    "csp.middleware.CSPMiddleware",
    "pcep_site.security.PermissionsPolicyMiddleware",
    # ETag on every GET, and 304 for a matching If-None-Match (API reads, pages alike).
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The colour theme and the learner's time zone (activated for the request).
    "accounts.middleware.DisplayPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pcep_site.urls"

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

WSGI_APPLICATION = "pcep_site.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several app-server processes write at once: WAL lets readers proceed during a write,
    # the timeout makes a writer wait instead of failing, and IMMEDIATE takes the write lock
    # at BEGIN so two transactions never deadlock upgrading a read lock.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a shared in-memory database unless told otherwise; the concurrency tests need
    # a real file (WAL, busy timeout), as production has: set TEST_SQLITE_FILE for them.
    if env.str("TEST_SQLITE_FILE", default=""):
        DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_SQLITE_FILE")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))

AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="pcep_site.storage.CompressedStaticFilesStorage",
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pcep-accelerator@localhost")

# --- Accounts hardening (docs/accounts-security.md) ------------------------------------------
# Outgoing mail in production (verification links, password resets). TLS on the submission
# port unless told otherwise; the defaults suit a mail relay on the same machine.
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Brute-force protection on log-in (django-axes). Failures are counted in the database
# (AxesDatabaseHandler), so every app-server process sees the same count; the lock is per
# username and client address, so an attacker cannot lock a learner out from elsewhere.
INSTALLED_APPS += ["axes"]
# Last, as axes asks: it turns the backend's refusal into accounts.security's lockout page.
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AUTHENTICATION_BACKENDS = [
    "accounts.security.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
# Successful log-ins are already in User.last_login; a row per log-in would only grow.
AXES_DISABLE_ACCESS_LOG = True
# Behind deploy/nginx.conf, which overwrites X-Forwarded-For with the client's address, set
# TRUST_X_FORWARDED_FOR=true: otherwise every client has the proxy's address, and the limits
# below would be shared by everyone.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
# Failed log-ins from one client address, whatever the usernames, in 15 minutes: stops
# password spraying and keeps a burst of ~0.2 s password checks from starving answer saves.
# Generous, because a whole school may share one address.
LOGIN_FAILURES_PER_IP_PER_15_MINUTES = env.int("LOGIN_FAILURES_PER_IP_PER_15_MINUTES", default=50)
# Sign-ups, password-reset and verification mails per hour (accounts.security.RateLimit).
SIGNUPS_PER_IP_PER_HOUR = env.int("SIGNUPS_PER_IP_PER_HOUR", default=5)
PASSWORD_RESETS_PER_IP_PER_HOUR = env.int("PASSWORD_RESETS_PER_IP_PER_HOUR", default=5)
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = env.int("PASSWORD_RESETS_PER_EMAIL_PER_HOUR", default=3)
VERIFICATION_MAILS_PER_USER_PER_HOUR = env.int("VERIFICATION_MAILS_PER_USER_PER_HOUR", default=3)
# A verification link works this long (accounts.verification).
EMAIL_VERIFICATION_DAYS = env.int("EMAIL_VERIFICATION_DAYS", default=7)
# --- end of accounts hardening ---------------------------------------------------------------

REST_FRAMEWORK = {
    # Tokens first: an anonymous request then gets a 401 with a Bearer challenge, not a 403.
    # The session serves the site's own JavaScript, with Django's CSRF check.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "pcep_site.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pcep_site.api.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_CLASSES": [
        "pcep_site.api.UserRateThrottle",
        "pcep_site.api.TokenRateThrottle",
    ],
    # Per process (the default local-memory cache): with N app-server processes a client can
    # get up to N times the rate. Enough to stop a runaway script; see docs/api.md.
    "DEFAULT_THROTTLE_RATES": {
        "user": env.str("API_RATE_USER", default="1200/minute"),
        "token": env.str("API_RATE_TOKEN", default="600/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PCEP Exam Accelerator API",
    "DESCRIPTION": (
        "The learner flow (syllabus, mock exams, practice, answers, reports, progress), "
        "authoring and results for integrations. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from the installed sidecar package: the docs work offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge (Swagger UI would fetch it from the validator's site).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content Security Policy (django-csp): every script is a file of ours, so no inline script
# and no eval can run even if some text slipped through sanitising; nothing loads from
# another origin (the product works offline anyway). The API docs pages widen style-src
# for their own renderer only (pcep_site/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if not DEBUG:
    # Production is served over HTTPS (docs/deploy.md). HTTPS=false is for trying the
    # production configuration over plain HTTP on a trusted machine (`make serve` here):
    # `manage.py check --deploy` then says what that gives up.
    HTTPS = env.bool("HTTPS", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=HTTPS)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=HTTPS)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=HTTPS)
    # The load balancer asks over plain HTTP from inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # Behind a reverse proxy that terminates TLS (deploy/nginx.conf sets this header and
    # overwrites any the client sent): only then may the header say the request was secure.
    if env.bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Errors (with tracebacks) to stderr: plain text in development, one JSON object a line in
# production (pcep_site/log_format.py) for a log collector; LOG_FORMAT chooses either.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "pcep_site.log_format.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# The design names one index idx_user_responses_is_bookmarked (32 characters). Django's
# 30-character limit exists for Oracle only; SQLite and PostgreSQL (63) accept the name.
SILENCED_SYSTEM_CHECKS = ["models.E034"]
