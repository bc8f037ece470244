"""Fixtures of the registers' tests: a tiny tree and one officer per level."""
import pytest

from mattran.models import OfficerRole

from .factories import make_officer, make_tree


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def province_staff(tree):
    return make_officer("tinh", tree.province, OfficerRole.PROVINCE_STAFF)


@pytest.fixture
def officer1(tree):
    """A district officer of district 1."""
    return make_officer("huyen1", tree.district1)


@pytest.fixture
def officer2(tree):
    """A district officer of district 2."""
    return make_officer("huyen2", tree.district2)


@pytest.fixture
def client1(client, officer1):
    client.force_login(officer1)
    return client
