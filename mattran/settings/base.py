"""Settings shared by every environment, read from the environment with django-environ.

With nothing configured the portal runs on SQLite with Celery tasks executed eagerly;
DATABASE_URL switches to PostgreSQL and CELERY_BROKER_URL to Redis with a real worker.
"""
import ipaddress
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "simple_history",
    "axes",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "mattran",
    "programs",
    "campaigns",
    "reports",
    "registers",
    "emulation",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "mattran.middleware.NoStoreForSignedInMiddleware",  # outermost but security: sees every response
    "mattran.middleware.RejectNulCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mattran.middleware.SwitcherLocaleMiddleware",  # Vietnamese unless switched
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "mattran.middleware.DeferredWorkNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mattran.urls"
WSGI_APPLICATION = "mattran.wsgi.application"

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
                "mattran.context_processors.officer",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The demo server's background thread writes too: a writer waits for the other, never fails.
    DATABASES["default"].setdefault("OPTIONS", {}).update(timeout=30, transaction_mode="IMMEDIATE")
DATABASE_WEB_OPTIONS = env("DATABASE_PG_OPTIONS", default="-c jit=off -c max_parallel_workers_per_gather=0")
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Every web connection is set for the short queries of a web request (measured in benchmarks/RESULTS.md):
    # no JIT compilation (the names page once spent 1.0 s of 1.2 s compiling), no parallel workers
    # (aggregate_values got a parallel plan 6-8x slower than the serial one). The yearly recompute
    # gets them back per transaction (reports/targets/rollups.py ROLLUP_SETTINGS), and the Celery worker's
    # connections keep the server's own settings (mattran/celery.py).
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", DATABASE_WEB_OPTIONS)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=0))
# A persistent connection may have been cut (a database restart, a failover): check it before each
# request reuses it, or that request answers 500.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", DATABASES["default"]["CONN_MAX_AGE"] != 0)

# Cache: per process unless CACHE_URL names a shared one (production, `make serve`, `make loadtest`:
# rediscache://127.0.0.1:6379/2). The dashboard's data version lives there, so gunicorn workers and
# the Celery worker must share it (reports/cache.py). Sessions stay in the database, never in the
# cache: cached_db sessions made every signed-in page answer 500 while Redis was down, and a logout
# during an outage could not reach the cache to forget the session.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A frozen or unreachable Redis fails a cache call within a second, then at once for a while
    # (mattran/cache.py); callers fall back to no cache.
    CACHES["default"]["BACKEND"] = "mattran.cache.FailFastRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=1.0), socket_connect_timeout=1.0,
    )
CACHE_IS_SHARED = not CACHES["default"]["BACKEND"].endswith(("LocMemCache", "DummyCache"))
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# Pages are cached only with a shared cache: per-process caches would not all see a new data version.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=300 if CACHE_IS_SHARED else 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "mattran.auth_backends.OfficerBackend",  # ModelBackend, the officer and unit read with the user
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures, by username and IP together, released after a cool-off.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client; the lockout counts
# the client's real address behind them. Empty: REMOTE_ADDR is the client (no proxy).
# Parsed here so that a mistyped entry stops the start, not each login.
TRUSTED_PROXIES = [str(ipaddress.ip_network(entry, strict=False)) for entry in env.list("DJANGO_TRUSTED_PROXIES", default=[])]
AXES_CLIENT_IP_CALLABLE = "mattran.proxies.client_ip"

# A commune officer sees and edits only the own commune's rows of the district's shared forms; the
# province may let them also read (never write) the other communes of their district.
COMMUNE_OFFICERS_SEE_DISTRICT = env.bool("DJANGO_COMMUNE_OFFICERS_SEE_DISTRICT", default=False)

# Vietnamese first, English second; Vietnamese dates and numbers.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["mattran.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Whether district officers may upload their district's residential-area list (the province decides).
AREAS_UPLOAD_BY_DISTRICTS = env.bool("AREAS_UPLOAD_BY_DISTRICTS", default=False)

FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Cổng MTTQ Lạng Sơn <noreply@localhost>")

EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("DJANGO_EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=20)
# Links in e-mails are absolute, built on this address (no request is at hand in a task).
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Celery: eager in-process with no broker, Redis with a real worker when configured.
# Work is queued through mattran.queue (one helper, one set of task options).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 600
CELERY_TASK_TIME_LIMIT = 660
# A hung broker (frozen Redis, a partition) costs a request about a second, never a minute:
# every socket to it times out quickly, and publishing does not retry (mattran.queue records
# the work instead). A message whose worker died is handed out again after the visibility
# timeout, so a killed worker's job is redone within two minutes; a longer job may be handed out
# twice, which the year locks and upserts make harmless.
BROKER_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=1.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=90),
    "socket_timeout": BROKER_SOCKET_TIMEOUT,
    "socket_connect_timeout": BROKER_SOCKET_TIMEOUT,
    "retry_on_timeout": False,
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False
CELERY_REDIS_SOCKET_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = BROKER_SOCKET_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"socket_timeout": BROKER_SOCKET_TIMEOUT, "socket_connect_timeout": BROKER_SOCKET_TIMEOUT}
# The worker waits for the broker as long as it takes (the web tier serves without it).
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# One beat in the whole deployment: every host may start one, the one holding the scheduler lock
# sends (mattran.beat), the others stand by and take over if it stops.
CELERY_BEAT_SCHEDULER = "mattran.beat:LockedDatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
# Targets (issue 4): dirty years every 5 minutes, the current year every night.
CELERY_BEAT_SCHEDULE["pending-tasks"] = {"task": "mattran.flush_pending_tasks", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["targets-dirty-years"] = {"task": "reports.recompute_dirty_years", "schedule": 120.0}
CELERY_BEAT_SCHEDULE["emulation-dirty-years"] = {"task": "emulation.recompute_dirty_years", "schedule": 120.0}
CELERY_BEAT_SCHEDULE["targets-current-year-nightly"] = {
    "task": "reports.compute_current_year",
    "schedule": crontab(hour=1, minute=30),
}
# Reminders (issue 6): deadline reminders every morning, the weekly summary on Monday.
CELERY_BEAT_SCHEDULE["reports-deadline-reminders"] = {
    "task": "reports.send_deadline_reminders",
    "schedule": crontab(hour=7, minute=0),
}
CELERY_BEAT_SCHEDULE["reports-weekly-summary"] = {
    "task": "reports.send_weekly_summary",
    "schedule": crontab(hour=7, minute=30, day_of_week=1),
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MTTQ Lạng Sơn API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Like the API it describes: signed-in users and tokens only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# Content-Security-Policy: everything from this server, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}
