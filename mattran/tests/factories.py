"""Tiny unit trees and officers for tests (never the whole of Lạng Sơn)."""
from django.contrib.auth import get_user_model

from mattran.models import Officer, OfficerRole, Unit, UnitKind

DEMO_PASSWORD = "matran@2016"


def make_unit(code, name, kind, parent=None, **extra) -> Unit:
    return Unit.objects.create(code=code, name=name, kind=kind, parent=parent, **extra)


def make_tree(*, districts=2, communes=2, areas=3, province_code="20", prefix="") -> Unit:
    """A province with ``districts`` districts, each with ``communes`` communes of ``areas`` areas.

    Codes: province "20", district "D1", commune "D1C1", area "D1C1A1", and so on (after ``prefix``).
    """
    province = make_unit(province_code, "Tỉnh Thử", UnitKind.PROVINCE)
    for d in range(1, districts + 1):
        district = make_unit(f"{prefix}D{d}", f"Huyện {d}", UnitKind.DISTRICT, province)
        for c in range(1, communes + 1):
            commune = make_unit(f"{prefix}D{d}C{c}", f"Xã {d}.{c}", UnitKind.COMMUNE, district)
            for a in range(1, areas + 1):
                make_unit(f"{prefix}D{d}C{c}A{a}", f"Thôn {d}.{c}.{a}", UnitKind.AREA, commune, division_type="thôn")
    return province


def make_officer(username, unit, role=OfficerRole.DISTRICT_OFFICER, password=DEMO_PASSWORD):
    user = get_user_model().objects.create_user(username=username, password=password)
    Officer.objects.create(user=user, unit=unit, role=role)
    return user
