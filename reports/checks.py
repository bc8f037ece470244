"""System check: every indicator code a rule in code depends on exists (see reports/indicator_codes.py)."""
from django.core import checks
from django.db import DatabaseError

from reports.indicator_codes import RULES_BY_CODE


def missing_indicator_codes(rules_by_code: dict[str, str], check_id: str) -> list[checks.Warning]:
    """A warning naming each code of ``rules_by_code`` no indicator has, and the rule it switches off;
    nothing before the tables exist or while the catalogue is empty (a fresh database)."""
    from programs.models import Indicator

    try:
        known = set(Indicator.objects.filter(code__in=list(rules_by_code)).values_list("code", flat=True))
        if not known and not Indicator.objects.exists():
            return []
    except DatabaseError:
        return []  # no tables yet (before migrate)
    return [
        checks.Warning(
            f"Indicator code {code!r} does not exist: {rules_by_code[code]} switched off.",
            hint="Give an indicator this code in the admin (Chỉ số), or change the code where the rule names it.",
            obj=code,
            id=check_id,
        )
        for code in sorted(set(rules_by_code) - known)
    ]


@checks.register(checks.Tags.models)
def indicator_codes_exist(app_configs=None, **kwargs):
    return missing_indicator_codes(RULES_BY_CODE, "reports.W001")
