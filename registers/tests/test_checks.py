"""The system check names a register's indicator code that no indicator has."""
import pytest

from programs.models import Indicator
from registers.checks import register_indicator_codes_exist

pytestmark = pytest.mark.django_db


def test_a_register_whose_indicator_code_is_renamed_is_named_at_start_up():
    assert register_indicator_codes_exist() == []
    Indicator.objects.filter(code="kien_nghi_cu_tri").update(code="kien_nghi")
    assert ["kien_nghi_cu_tri"] == [w.obj for w in register_indicator_codes_exist()]
