"""import_units: the official division list from the vietnam_provinces package."""
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mattran.models import Unit, UnitKind
from mattran.services import division_type_of, gso_code, units_import_from_package

pytestmark = pytest.mark.django_db


def kinds_count(**filters):
    return {k: Unit.objects.filter(kind=k, **filters).count() for k in (UnitKind.PROVINCE, UnitKind.DISTRICT, UnitKind.COMMUNE)}


def test_importing_lang_son_gives_1_province_11_districts_194_communes():
    """Given an empty tree, when Lạng Sơn (20) is imported, then 1 + 11 + 194 units exist with GSO codes."""
    out = StringIO()
    call_command("import_units", "--province", "20", stdout=out)

    assert kinds_count() == {UnitKind.PROVINCE: 1, UnitKind.DISTRICT: 11, UnitKind.COMMUNE: 194}
    province = Unit.objects.get(code="20")
    assert province.name == "Tỉnh Lạng Sơn" and province.division_type == "tỉnh"
    city = Unit.objects.get(code="178")
    assert city.name == "Thành phố Lạng Sơn" and city.division_type == "thành phố" and city.parent == province
    ward = Unit.objects.get(code="05971")
    assert ward.name == "Phường Hoàng Văn Thụ" and ward.division_type == "phường" and ward.parent == city
    assert Unit.objects.filter(valid_from__isnull=False).count() == 0
    assert "Thêm mới 206" in out.getvalue()


def test_reimporting_changes_nothing_and_says_so():
    """Given Lạng Sơn imported, when imported again, then nothing is inserted or updated."""
    units_import_from_package(province_code="20")
    before = list(Unit.objects.values_list("id", "code", "name", "parent_id", "division_type", "district_id"))

    counts = units_import_from_package(province_code=20)

    assert (counts.inserted, counts.updated, counts.unchanged) == (0, 0, 206)
    assert list(Unit.objects.values_list("id", "code", "name", "parent_id", "division_type", "district_id")) == before


def test_reimport_repairs_an_edited_name():
    """Given a commune renamed by hand, when re-imported, then the official name comes back (one update)."""
    units_import_from_package(province_code="20")
    Unit.objects.filter(code="05971").update(name="Tên sai")

    counts = units_import_from_package(province_code="20")

    assert (counts.inserted, counts.updated) == (0, 1)
    assert Unit.objects.get(code="05971").name == "Phường Hoàng Văn Thụ"


def test_ancestor_columns_point_to_the_right_units_after_import():
    """Every imported unit's ancestor columns name its province, district and commune (own column = itself)."""
    units_import_from_package(province_code="20")
    province, city, ward = (Unit.objects.get(code=c) for c in ("20", "178", "05971"))

    assert (province.province_id, province.district_id, province.commune_id) == (province.pk, None, None)
    assert (city.province_id, city.district_id, city.commune_id) == (province.pk, city.pk, None)
    assert (ward.province_id, ward.district_id, ward.commune_id) == (province.pk, city.pk, ward.pk)
    assert Unit.objects.within(province).count() == 206
    assert Unit.objects.within(city).count() == 1 + Unit.objects.filter(parent=city).count()
    assert ward.is_within(city) and not city.is_within(ward)


def test_importing_everything_gives_63_696_10051_and_is_idempotent():
    """--all imports the whole country; a second run changes nothing."""
    call_command("import_units", "--all", stdout=StringIO())
    assert kinds_count() == {UnitKind.PROVINCE: 63, UnitKind.DISTRICT: 696, UnitKind.COMMUNE: 10051}
    assert Unit.objects.filter(kind=UnitKind.COMMUNE, district__isnull=True).count() == 0
    assert Unit.objects.get(code="01").division_type == "thành phố trung ương"

    counts = units_import_from_package()
    assert (counts.inserted, counts.updated) == (0, 0)


def test_an_unknown_province_code_is_refused_with_a_vietnamese_message():
    with pytest.raises(CommandError, match="Không có tỉnh"):
        call_command("import_units", "--province", "99", stdout=StringIO())
    assert Unit.objects.count() == 0


@pytest.mark.parametrize(
    ("kind", "name", "expected"),
    [
        (UnitKind.PROVINCE, "Thành phố Hà Nội", "thành phố trung ương"),
        (UnitKind.DISTRICT, "Thị xã Sơn Tây", "thị xã"),
        (UnitKind.DISTRICT, "Quận Ba Đình", "quận"),
        (UnitKind.COMMUNE, "Thị trấn Đồng Đăng", "thị trấn"),
        (UnitKind.COMMUNE, "Xã Mai Pha", "xã"),
    ],
)
def test_division_type_is_read_from_the_name_prefix(kind, name, expected):
    assert division_type_of(kind, name, "generic") == expected


def test_gso_codes_are_zero_padded_by_level():
    assert (gso_code(UnitKind.PROVINCE, 1), gso_code(UnitKind.DISTRICT, 1), gso_code(UnitKind.COMMUNE, 5971)) == (
        "01", "001", "05971",
    )
