"""import_units --as-of: the July 2025 two-level reform as data (vietnamadminunits), on the dated tree."""
import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mattran.models import Unit, UnitKind, UnitPlacement, UnitSuccession
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

REFORM = datetime.date(2025, 7, 1)
END_2020, END_2025 = datetime.date(2020, 12, 31), datetime.date(2025, 12, 31)
LEVELS = (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)


def tree_on(day, province=None):
    placements = UnitPlacement.objects.on(day)
    if province is not None:
        placements = placements.filter(province=province)
    return {kind: placements.filter(kind=kind).count() for kind in LEVELS}


def snapshot():
    return (
        sorted(UnitPlacement.objects.values_list("unit_id", "parent_id", "district_id", "commune_id", "valid_from", "valid_to")),
        sorted(UnitSuccession.objects.values_list("predecessor_id", "successor_id", "is_default", "valid_from")),
        sorted(Unit.objects.values_list("id", "code", "name", "parent_id", "valid_from", "valid_to", "successor_id")),
    )


@pytest.fixture
def areas():
    """Lạng Sơn before the reform with residential areas under two old wards of TP Lạng Sơn
    (one ended in 2022) and one under a commune the crosswalk divides (Hồng Phong, Bình Gia)."""
    call_command("import_units", "--province", "20", stdout=StringIO())
    made = {}
    for code, commune, extra in [
        ("A1", "05971", {}), ("A2", "05971", {}), ("A3", "05977", {}),
        ("A4", "05977", {"valid_to": datetime.date(2022, 12, 31)}),
    ]:
        made[code] = make_unit(code, f"Khối {code}", UnitKind.AREA, Unit.objects.get(code=commune), **extra)
    divided = Unit.objects.get(kind=UnitKind.COMMUNE, name="Xã Hồng Phong", district__code="181")
    made["A5"] = make_unit("A5", "Thôn Hồng Phong", UnitKind.AREA, divided)
    return made


def test_lang_son_before_and_after_the_reform(areas):
    out = StringIO()
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=out)

    province = Unit.objects.get(code="20")
    assert tree_on(END_2020, province) == {UnitKind.PROVINCE: 1, UnitKind.DISTRICT: 11, UnitKind.COMMUNE: 194}
    assert tree_on(END_2025, province) == {UnitKind.PROVINCE: 1, UnitKind.DISTRICT: 0, UnitKind.COMMUNE: 65}
    assert "65 xã (thêm mới 65)" in out.getvalue()
    # The old districts and communes end on 30/06/2025; every new commune is directly under the province.
    old = Unit.objects.filter(kind__in=[UnitKind.DISTRICT, UnitKind.COMMUNE], valid_from__isnull=True)
    assert set(old.values_list("valid_to", flat=True)) == {datetime.date(2025, 6, 30)}
    new = Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=REFORM)
    assert set(new.values_list("parent_id", flat=True)) == {province.pk} and new.count() == 65
    # Every old commune has a successor, exactly one of them the default (also on Unit.successor).
    old_communes = old.filter(kind=UnitKind.COMMUNE)
    assert not old_communes.filter(successions__isnull=True).exists()
    defaults = UnitSuccession.objects.filter(is_default=True)
    assert defaults.count() == 194 and defaults.values("predecessor").distinct().count() == 194
    assert not old_communes.filter(successor__isnull=True).exists()
    divided = Unit.objects.get(pk=areas["A5"].parent_id)
    assert set(divided.successions.values_list("successor__name", "is_default")) == {("Xã Hồng Phong", True), ("Xã Đồng Đăng", False)}


def test_a_code_names_a_unit_as_at_a_date(areas):
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    old, new = Unit.objects.by_code("05977", END_2020), Unit.objects.by_code("05977", END_2025)
    assert (old.name, new.name) == ("Phường Vĩnh Trại", "Phường Đông Kinh") and old.pk != new.pk
    assert Unit.objects.by_code("05977").pk == new.pk  # today
    assert Unit.objects.by_code("178").name == "Thành phố Lạng Sơn"  # abolished: still reachable


def test_areas_follow_their_commune_from_the_reform_and_keep_their_place_before(areas):
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    active_both = [a for a in areas.values() if a.valid_to is None]
    for area in active_both:
        before = UnitPlacement.objects.on(END_2020).get(unit=area)
        after = UnitPlacement.objects.on(END_2025).get(unit=area)
        assert before.commune_id == area.parent_id and before.district_id is not None
        assert after.commune.valid_from == REFORM and after.district_id is None
        area.refresh_from_db()
        assert area.parent_id == after.commune_id  # today's tree on the unit itself
    # The divided commune's area goes to the default successor; the area ended in 2022 does not move.
    assert UnitPlacement.objects.on(END_2025).get(unit=areas["A5"]).commune.name == "Xã Hồng Phong"
    assert list(UnitPlacement.objects.filter(unit=areas["A4"]).values_list("valid_to", flat=True)) == [datetime.date(2022, 12, 31)]
    assert UnitPlacement.objects.on(END_2025).get(unit=areas["A1"]).commune.name == "Phường Kỳ Lừa"


def test_running_it_again_changes_nothing(areas):
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    before = snapshot()
    out = StringIO()
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=out)
    call_command("import_units", "--province", "20", stdout=out)
    assert snapshot() == before
    assert "thêm mới 0); kết thúc 0 đơn vị cũ; ghi 0 quan hệ kế thừa; chuyển 0 khu dân cư" in out.getvalue()
    assert "Thêm mới 0, cập nhật 0, không đổi 206" in out.getvalue()


def test_an_empty_tree_gets_both_lists_and_a_bad_date_or_province_is_refused():
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    assert tree_on(END_2020) == {UnitKind.PROVINCE: 1, UnitKind.DISTRICT: 11, UnitKind.COMMUNE: 194}
    with pytest.raises(CommandError, match="không đúng dạng YYYY-MM-DD"):
        call_command("import_units", "--province", "20", "--as-of", "1/7/2025")
    with pytest.raises(CommandError, match="Không có tỉnh, thành phố nào mã 99"):
        call_command("import_units", "--province", "99", "--as-of", "2025-07-01")


@pytest.mark.slow
def test_the_whole_country_becomes_34_provinces_and_3321_communes():
    call_command("import_units", "--all", "--as-of", "2025-07-01", stdout=StringIO())
    assert tree_on(END_2025) == {UnitKind.PROVINCE: 34, UnitKind.DISTRICT: 0, UnitKind.COMMUNE: 3321}
    assert tree_on(END_2020)[UnitKind.PROVINCE] == 63 and tree_on(END_2020)[UnitKind.DISTRICT] == 696
    # Bắc Giang and Bắc Ninh merged: the new Bắc Ninh takes Bắc Giang's code 24 from 1/7/2025.
    assert Unit.objects.by_code("24", END_2020).name == "Tỉnh Bắc Giang"
    assert Unit.objects.by_code("24", END_2025).name == "Tỉnh Bắc Ninh"
