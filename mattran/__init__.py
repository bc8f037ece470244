"""The Front's own structure (units, officers) and the project package."""
from .celery import app as celery_app

__all__ = ("celery_app",)
