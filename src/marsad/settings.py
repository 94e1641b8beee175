"""Marsad's one settings module; everything that varies between machines comes from the environment.

MARSAD_ENV selects the profile: ``development`` (the default, used by ``make demo``),
``test`` (fast hashers, immediate tasks) or ``production`` (refuses to start insecurely).
"""

import importlib.util
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MARSAD_VAR_DIR", PROJECT_DIR / "var"))

ENVIRONMENT = os.environ.get("MARSAD_ENV", "development")
if ENVIRONMENT not in {"development", "test", "production"}:
    raise ImproperlyConfigured(
        f"MARSAD_ENV must be development, test or production, not {ENVIRONMENT!r}."
    )
PRODUCTION = ENVIRONMENT == "production"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


INSECURE_SECRET_KEY = "marsad-development-key-not-for-production"  # noqa: S105
SECRET_KEY = os.environ.get("MARSAD_SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = _env_bool("MARSAD_DEBUG", default=ENVIRONMENT == "development")
ALLOWED_HOSTS = _env_list(
    "MARSAD_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver,[::1]"
)
CSRF_TRUSTED_ORIGINS = _env_list("MARSAD_CSRF_TRUSTED_ORIGINS", "")

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("Refusing to start: MARSAD_DEBUG is on in production.")
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Refusing to start: set MARSAD_SECRET_KEY to a random value of at least 50 "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Refusing to start: set MARSAD_ALLOWED_HOSTS.")

INSTALLED_APPS = [
    "marsad.core.apps.MarsadAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "marsad.core",
    "marsad.accounts",
    "marsad.geo",
    "marsad.partners",
    "marsad.displacement",
    "marsad.registry",
    "marsad.linkage",
    "marsad.assistance",
    "marsad.border",
    "marsad.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "marsad.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "marsad.urls"
WSGI_APPLICATION = "marsad.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "marsad.core.context_processors.marsad",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'marsad.sqlite3'}"),
        conn_max_age=int(os.environ.get("MARSAD_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the background worker write while the web process reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # PostgreSQL's planner assumes spinning disks (random_page_cost 4) unless told otherwise,
    # and so reads a whole table to find one round's rows of forty instead of following the
    # index: the dashboard's figures took several times longer (bench/displacement). Marsad's
    # database servers have SSDs; 1.1 is the usual figure for them. Set the variable empty to
    # keep the server's own (a pooler in transaction mode refuses startup options).
    random_page_cost = os.environ.get("MARSAD_PG_RANDOM_PAGE_COST", "1.1").strip()
    if random_page_cost:
        try:
            cost = float(random_page_cost)  # a typo fails here, not at the first connection
        except ValueError:
            cost = -1.0
        if not 0 < cost < float("inf"):
            raise ImproperlyConfigured(
                "MARSAD_PG_RANDOM_PAGE_COST must be a number above 0 such as 1.1 (or empty), "
                f"not {random_page_cost!r}."
            )
        options = DATABASES["default"].setdefault("OPTIONS", {})
        startup = options.get("options", "")
        if "random_page_cost" not in startup:
            options["options"] = f"{startup} -c random_page_cost={random_page_cost}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes): per user name and address together, so one
# attacker cannot lock every officer out of an office that shares one address.
AXES_FAILURE_LIMIT = int(os.environ.get("MARSAD_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("MARSAD_LOGIN_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("MARSAD_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("MARSAD_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(os.environ.get("MARSAD_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic")), ("ckb", _("Kurdish (Sorani)"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("MARSAD_TIME_ZONE", "Asia/Baghdad")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"


def _package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImproperlyConfigured(f"The package providing {module} is not installed.")
    return Path(spec.origin).parent


# Front-end libraries come from their PyPI packages (plotly ships plotly.min.js,
# xstatic-leaflet ships Leaflet), served by staticfiles: nothing copied, no CDN.
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("vendor/plotly", _package_dir("plotly") / "package_data"),
    ("vendor/leaflet", _package_dir("xstatic.pkg.leaflet") / "data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024

REST_FRAMEWORK = {
    # Token first, so a missing or bad credential answers 401 with "WWW-Authenticate: Token".
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "marsad.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "marsad.core.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": "60/minute"},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Marsad API",
    "DESCRIPTION": (
        "Marsad's REST API. Authenticate with a session or with a token "
        "(`Authorization: Token <key>`; `marsad drf_create_token USER` makes one). Every list "
        "is paginated (`page`, `page_size`) and scoped to what your memberships allow. "
        'Errors have one shape: `{"errors": [{"field", "code", "message"}]}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "HouseholdStatusEnum": "marsad.registry.models.HouseholdStatus",
        "CrossingDecisionEnum": "marsad.border.models.Decision",
        "TaskRunStatusEnum": "marsad.core.models.TaskStatus",
    },
    # Swagger UI from the drf-spectacular-sidecar package, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

TASKS = {
    "default": {
        "BACKEND": os.environ.get("MARSAD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "marsad",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MARSAD_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Marsad's own settings.
MARSAD_MAP_TILE_URL = os.environ.get("MARSAD_MAP_TILE_URL", "")
# Published aggregates hide cells of fewer families than this (aggregate viewers' exports).
MARSAD_SMALL_CELL_THRESHOLD = int(os.environ.get("MARSAD_SMALL_CELL_THRESHOLD", "5"))
# Household-size multipliers for estimating individuals from families (DTM practice: 6, 5 in camps).
MARSAD_HOUSEHOLD_SIZE = int(os.environ.get("MARSAD_HOUSEHOLD_SIZE", "6"))
MARSAD_HOUSEHOLD_SIZE_CAMP = int(os.environ.get("MARSAD_HOUSEHOLD_SIZE_CAMP", "5"))
# Record linkage: pairs at or above MARSAD_LINKAGE_AUTO_LINK are linked without review, pairs
# from MARSAD_LINKAGE_REVIEW up go to clerical review (match probabilities; a new model takes
# them when trained).
MARSAD_LINKAGE_AUTO_LINK = float(os.environ.get("MARSAD_LINKAGE_AUTO_LINK", "0.99"))
MARSAD_LINKAGE_REVIEW = float(os.environ.get("MARSAD_LINKAGE_REVIEW", "0.8"))
# The embedded DuckDB of a linkage run holds at most this much memory and spills the rest to
# MARSAD_LINKAGE_DUCKDB_TEMP (default: a folder in the system's temporary directory).
MARSAD_LINKAGE_DUCKDB_MEMORY = os.environ.get("MARSAD_LINKAGE_DUCKDB_MEMORY", "4GB")
MARSAD_LINKAGE_DUCKDB_TEMP = os.environ.get("MARSAD_LINKAGE_DUCKDB_TEMP", "")
# The registration form's "possibly already registered" panel asks this function first (the
# trained model, when one is in use); empty: the registry's own key-based rules.
MARSAD_DUPLICATE_FINDER = os.environ.get(
    "MARSAD_DUPLICATE_FINDER", "marsad.linkage.matching.find_duplicates"
)
