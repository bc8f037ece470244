"""System check: the indicator each register counts into exists (a renamed code would stop its counts)."""
from django.core import checks

from reports.checks import missing_indicator_codes

from .registry import REGISTERS


@checks.register(checks.Tags.models)
def register_indicator_codes_exist(app_configs=None, **kwargs):
    rules = {r.indicator_code: f"the yearly count of register {r.slug!r}" for r in REGISTERS.values() if r.indicator_code}
    return missing_indicator_codes(rules, "registers.W001")
