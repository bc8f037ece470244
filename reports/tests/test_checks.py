"""The system check names every indicator code a rule in code depends on that no indicator has."""
import pytest

from programs.models import Indicator
from reports.checks import indicator_codes_exist
from reports.indicator_codes import FUND_SPENT, RULES_BY_CODE

pytestmark = pytest.mark.django_db


def test_the_catalogue_has_every_code_the_rules_need():
    assert set(RULES_BY_CODE) <= set(Indicator.objects.values_list("code", flat=True))
    assert indicator_codes_exist() == []


def test_renaming_a_code_in_the_admin_is_named_at_start_up_not_silently_ignored():
    Indicator.objects.filter(code=FUND_SPENT).update(code="quy_vnn_chi_moi")
    warnings = indicator_codes_exist()
    assert [w.id for w in warnings] == ["reports.W001"]
    assert FUND_SPENT in warnings[0].msg and "headline" in warnings[0].msg


