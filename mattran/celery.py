"""Celery application; tasks run eagerly in-process when no broker is configured."""
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mattran.settings.local")

app = Celery("mattran")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def analytic_connections(databases: dict, web_options: str) -> None:
    """The worker's jobs are long statements (a year's recompute, the scores): its connections drop
    the web's short-query options (no JIT, no parallel workers, settings.base) for the server's own."""
    for database in databases.values():
        options = database.get("OPTIONS", {})
        if options.get("options") == web_options:
            del options["options"]


@worker_init.connect
def _worker_connections(**_kwargs):
    from django.conf import settings
    from django.db import connections

    analytic_connections(settings.DATABASES, getattr(settings, "DATABASE_WEB_OPTIONS", ""))
    connections.close_all()  # a connection opened before (at import) reconnects with them
