"""Fixtures of the target computation tests: a small tree, the 2019 festival records, a year of months."""

import pytest

from mattran.models import Unit, UnitKind
from programs.loaders import load_indicators
from reports.models import (
    SubmissionStatus,
)
from reports.tests.computation_world import YEAR, unit
from reports.tests.target_factories import festival, submit
from tests.factories import make_tree


@pytest.fixture
def tree():
    """Province 20; districts D1, D2; communes D1C1, D1C2, D2C1, D2C2; three areas in each commune."""
    return make_tree(districts=2, communes=2, areas=3)


@pytest.fixture
def festival_2019(tree):
    """D1: all six areas held it (approved). D2C1: A1 yes, A2 no, A3 missing (submitted, not approved).
    D2C2: a draft saying yes everywhere, which must not count."""
    festival(unit("D1"), YEAR, {a: True for a in Unit.objects.filter(district__code="D1", kind=UnitKind.AREA)})
    festival(unit("D2"), YEAR, {unit("D2C1A1"): True, unit("D2C1A2"): False}, status=SubmissionStatus.SUBMITTED)
    draft = submit("ngay_hoi", unit("D2C2"), YEAR, {
        ("ngay_hoi_to_chuc", a): True for a in Unit.objects.filter(commune__code="D2C2", kind=UnitKind.AREA)
    }, status=SubmissionStatus.DRAFT)
    return draft


@pytest.fixture
def monthly(tree):
    """D1C1 reports fund raised = month number for 12 months; D1C2 reports 10 a month for January–June.
    A test-only stock indicator (LAST) is 100 + month for D1C1 and 7 in January–February only for D1C2."""
    load_indicators({"ton_quy_test": ("Tồn quỹ (thử)", "triệu đồng", "DECIMAL", None, "LAST", 2)})
    for month in range(1, 13):
        period = f"{YEAR}-{month:02d}"
        values = {("quy_vnn_thu", unit("D1C1")): month, ("ton_quy_test", unit("D1C1")): 100 + month}
        if month <= 6:
            values[("quy_vnn_thu", unit("D1C2"))] = 10
        if month <= 2:
            values[("ton_quy_test", unit("D1C2"))] = 7
        submit("bao_cao_thang", unit("D1"), period, values)
    submit("bao_cao_thang", unit("D2"), f"{YEAR}-01", {("quy_vnn_thu", unit("D2C1")): 1000}, status=SubmissionStatus.DRAFT)
