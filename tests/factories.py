"""The one test-data module every app's tests build on: factory-boy factories for units, users and
officers, and the one tiny unit tree (never the whole of Lạng Sơn).

App test helpers (``reports/tests/factories.py``'s ``make_world``, the registers' one row per
register, the emulation guides…) build their scenarios from these.
"""
import itertools

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from mattran.models import Officer, OfficerRole, Unit, UnitKind

DEMO_PASSWORD = "matran@2016"

# The role an officer of a unit of each kind has unless a test says otherwise.
ROLE_OF_KIND = {
    UnitKind.PROVINCE: OfficerRole.PROVINCE_STAFF,
    UnitKind.DISTRICT: OfficerRole.DISTRICT_OFFICER,
    UnitKind.COMMUNE: OfficerRole.COMMUNE_OFFICER,
}

_numbers = itertools.count(1)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n}")
    name = factory.LazyAttribute(lambda unit: f"Đơn vị {unit.code}")
    kind = UnitKind.AREA
    parent = None


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create and results:
            instance.save(update_fields=["password"])


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory, kind=UnitKind.DISTRICT)
    role = factory.LazyAttribute(lambda officer: ROLE_OF_KIND.get(officer.unit.kind, OfficerRole.DISTRICT_OFFICER))


def make_unit(code, name, kind, parent=None, **extra) -> Unit:
    return UnitFactory(code=code, name=name, kind=kind, parent=parent, **extra)


def make_officer(username, unit, role=OfficerRole.DISTRICT_OFFICER, password=DEMO_PASSWORD, email=""):
    """A user who is an officer of ``unit`` (none when ``unit`` is None); returns the user."""
    user = UserFactory(username=username, email=email, password=password)
    if unit is not None:
        OfficerFactory(user=user, unit=unit, role=role)
    return user


def make_tree(*, districts=2, communes=2, areas=3, province_code="20", prefix="", names=None) -> Unit:
    """A province with ``districts`` districts, each with ``communes`` communes of ``areas`` areas.

    Codes: province "20", district "D1", commune "D1C1", area "D1C1A1", and so on (after ``prefix``).
    ``names`` maps a kind to a name pattern over ``d``, ``c`` and ``a`` (defaults: "Huyện {d}",
    "Xã {d}.{c}", "Thôn {d}.{c}.{a}").
    """
    pattern = {UnitKind.DISTRICT: "Huyện {d}", UnitKind.COMMUNE: "Xã {d}.{c}", UnitKind.AREA: "Thôn {d}.{c}.{a}"}
    pattern.update(names or {})
    province = make_unit(province_code, "Tỉnh Thử", UnitKind.PROVINCE)
    for d in range(1, districts + 1):
        district = make_unit(f"{prefix}D{d}", pattern[UnitKind.DISTRICT].format(d=d), UnitKind.DISTRICT, province)
        for c in range(1, communes + 1):
            commune = make_unit(
                f"{prefix}D{d}C{c}", pattern[UnitKind.COMMUNE].format(d=d, c=c), UnitKind.COMMUNE, district,
            )
            for a in range(1, areas + 1):
                make_unit(
                    f"{prefix}D{d}C{c}A{a}", pattern[UnitKind.AREA].format(d=d, c=c, a=a), UnitKind.AREA, commune,
                    division_type="thôn",
                )
    return province
