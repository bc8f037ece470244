from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for Lạng Sơn (``seed_demo``): sits above every app, and no app imports it."""

    name = "demo"
    verbose_name = _("Dữ liệu mẫu")
