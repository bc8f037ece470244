"""The score sheet tests' world: a district guide of 2031 over a small tree, with officers."""
import pytest

from . import factories as f
from .sheet_world import YEAR


@pytest.fixture
def world():
    t = f.tree(districts=2, communes=2, areas=2)
    t["guide"] = f.guide(YEAR)
    t["province_user"] = f.officer(t["province"])
    t["d1"] = t["districts"][0]
    t["d1_user"] = f.officer(t["d1"])
    t["d2_user"] = f.officer(t["districts"][1])
    return t
