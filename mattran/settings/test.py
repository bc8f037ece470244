"""Settings for the test suite: fast hashing, in-memory mail, eager Celery unless a broker is set."""
from .base import *  # noqa: F401,F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-key-not-for-production")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["*"]

# Tasks run in-process unless a test starts a real worker (see reports/tests/worker.py).
CELERY_TASK_ALWAYS_EAGER = True
if env.bool("MATTRAN_TEST_WORKER", default=False):
    # A worker started by a test publishes what it queues to the broker, as in production.
    CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=20),
    # Look for messages of killed workers every 2 s (kombu's default scans every 100 s).
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
}
AXES_FAILURE_LIMIT = 5
# One process: the in-memory cache is shared by every request, as Redis is in production.
DASHBOARD_CACHE_SECONDS = 300

# Target computation (issue 4): a pause between targets so worker tests can kill a run midway;
# the test worker imports the module that adds it (production code knows nothing of it).
TARGETS_TEST_DELAY_SECONDS = env.float("TARGETS_TEST_DELAY_SECONDS", default=0)
if TARGETS_TEST_DELAY_SECONDS:
    CELERY_IMPORTS = ["reports.tests.slow_targets"]
