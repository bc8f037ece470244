"""import_areas: residential areas from .xlsx or .csv, rejected whole on any error."""
import datetime
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from mattran.area_import import AreaImportError, areas_import
from mattran.models import Unit, UnitKind
from tests.factories import make_unit

pytestmark = pytest.mark.django_db

HEADER = "ma_xa,ma_kdc,ten_kdc,loai,hieu_luc_tu,hieu_luc_den"


@pytest.fixture
def communes():
    province = make_unit("20", "Tỉnh Lạng Sơn", UnitKind.PROVINCE)
    district = make_unit("178", "Thành phố Lạng Sơn", UnitKind.DISTRICT, province)
    return (
        make_unit("05971", "Phường Hoàng Văn Thụ", UnitKind.COMMUNE, district, division_type="phường"),
        make_unit("05974", "Xã Mai Pha", UnitKind.COMMUNE, district, division_type="xã"),
    )


def csv_bytes(*lines, header=HEADER):
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


GOOD = csv_bytes(
    "05971,05971-01,Khối 1,khối phố,,",
    "05971,05971-02,Tổ dân phố 2,tổ dân phố,01/01/2018,",
    "05974,05974-01,Thôn Nà Pài,thôn,,31/12/2019",
    "05974,05974-02,Bản Khuổi Lặng,Bản,,",
)


def test_a_good_csv_file_creates_areas_under_their_communes(communes):
    """Given two communes, when a good .csv is imported, then each area sits under its commune with its dates."""
    result = areas_import(name="kdc.csv", content=GOOD)

    assert (result.inserted, result.updated, result.unchanged) == (4, 0, 0)
    area = Unit.objects.get(code="05974-01")
    assert (area.kind, area.name, area.division_type, area.parent) == (UnitKind.AREA, "Thôn Nà Pài", "thôn", communes[1])
    assert area.valid_to == datetime.date(2019, 12, 31) and area.valid_from is None
    assert Unit.objects.get(code="05971-02").valid_from == datetime.date(2018, 1, 1)
    assert Unit.objects.get(code="05974-02").division_type == "bản"
    assert (area.commune_id, area.district_id, area.province_id, area.area_id) == (
        communes[1].pk, communes[1].district_id, communes[1].province_id, area.pk,
    )


def test_a_good_xlsx_file_is_read_the_same_way_including_real_dates(communes, tmp_path):
    """An .xlsx with a date cell and a number-typed commune code is accepted through the command."""
    book = Workbook()
    sheet = book.active
    sheet.append(["ma_xa", "ma_kdc", "ten_kdc", "loai", "hieu_luc_tu"])
    sheet.append(["05971", "05971-01", "Khối 1", "khối phố", datetime.datetime(2017, 3, 1)])
    sheet.append([5974, "05974-01", "Thôn Nà Pài", "thôn", "15/06/2016"])
    path = tmp_path / "kdc.xlsx"
    book.save(path)
    out = StringIO()

    call_command("import_areas", str(path), stdout=out)

    assert Unit.objects.get(code="05971-01").valid_from == datetime.date(2017, 3, 1)
    assert Unit.objects.get(code="05974-01").parent == communes[1]
    assert "thêm mới 2" in out.getvalue()


def test_reimporting_updates_names_and_dates_and_leaves_the_rest(communes):
    """Given areas imported, when a file renames one and ends another, then only those two change."""
    areas_import(name="kdc.csv", content=GOOD)
    first_ids = dict(Unit.objects.filter(kind=UnitKind.AREA).values_list("code", "id"))

    again = areas_import(name="kdc.csv", content=GOOD)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)

    changed = csv_bytes(
        "05971,05971-01,Khối 1 (mới),khối phố,,",
        "05971,05971-02,Tổ dân phố 2,tổ dân phố,01/01/2018,30/06/2020",
        "05974,05974-01,Thôn Nà Pài,thôn,,31/12/2019",
        "05974,05974-02,Bản Khuổi Lặng,bản,,",
    )
    result = areas_import(name="kdc.csv", content=changed)

    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 2)
    assert Unit.objects.get(code="05971-01").name == "Khối 1 (mới)"
    assert Unit.objects.get(code="05971-02").valid_to == datetime.date(2020, 6, 30)
    assert dict(Unit.objects.filter(kind=UnitKind.AREA).values_list("code", "id")) == first_ids


BAD_FILES = {
    "unknown commune": (csv_bytes("05971,A1,Khối 1,khối phố,,", "99999,A2,Thôn X,thôn,,"), ["Dòng 3", "99999"]),
    "duplicate code": (csv_bytes("05971,A1,Khối 1,khối phố,,", "05971,A1,Khối 2,khối phố,,"), ["Dòng 3", "trùng với dòng 2"]),
    "empty name": (csv_bytes("05971,A1,Khối 1,khối phố,,", "05971,A2,,khối phố,,"), ["Dòng 3", "thiếu tên"]),
    "bad date": (csv_bytes("05971,A1,Khối 1,khối phố,,", "05971,A2,Khối 2,khối phố,31/02/2019,"), ["Dòng 3", "dd/mm/yyyy"]),
    "bad loai": (csv_bytes("05971,A1,Khối 1,khối phố,,", "05971,A2,Khối 2,làng,,"), ["Dòng 3", "loại"]),
    "end before start": (
        csv_bytes("05971,A1,Khối 1,khối phố,,", "05971,A2,Khối 2,khối phố,01/01/2020,31/12/2019"),
        ["Dòng 3", "trước ngày bắt đầu"],
    ),
    "missing column": (csv_bytes("05971,A1,khối phố", header="ma_xa,ma_kdc,loai"), ["Thiếu cột", "ten_kdc"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_is_rejected_whole_naming_the_row_and_saving_nothing(communes, case, tmp_path):
    """Given a file with one bad row after a good one, when imported, then nothing is saved and the row is named."""
    content, expected = BAD_FILES[case]
    before = Unit.objects.count()
    path = tmp_path / "kdc.csv"
    path.write_bytes(content)
    err = StringIO()

    with pytest.raises(CommandError, match="không có gì được lưu"):
        call_command("import_areas", str(path), stdout=StringIO(), stderr=err)

    assert Unit.objects.count() == before
    for text in expected:
        assert text in err.getvalue()


def test_every_error_of_a_file_is_listed_in_row_order(communes):
    content = csv_bytes("99999,A1,,thôn,,", "05971,A2,Khối 2,làng,xx,")
    with pytest.raises(AreaImportError) as info:
        areas_import(name="kdc.csv", content=content)
    rows = [m.split(":")[0] for m in info.value.errors]
    assert rows == sorted(rows) and len(info.value.errors) == 4
    assert Unit.objects.filter(kind=UnitKind.AREA).count() == 0


def test_a_file_that_is_not_xlsx_or_csv_is_refused(communes):
    with pytest.raises(AreaImportError, match=".xlsx hoặc .csv"):
        areas_import(name="kdc.txt", content=b"ma_xa")


def test_an_area_code_already_used_by_a_commune_is_refused(communes):
    with pytest.raises(AreaImportError, match="đã dùng cho đơn vị khác"):
        areas_import(name="kdc.csv", content=csv_bytes("05971,05974,Khối 1,khối phố,,"))
    assert Unit.objects.get(code="05974").kind == UnitKind.COMMUNE


# --- the shared hardened reader (issue 19) ------------------------------------------------


def zip_bomb_xlsx(inflated_bytes: int) -> bytes:
    """A workbook whose sheet unpacks to ``inflated_bytes`` of blank XML from a few hundred kilobytes."""
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1 << 20)
            for _ in range(inflated_bytes >> 20):
                sheet.write(chunk)
    return buffer.getvalue()


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refused(content, name="kdc.csv") -> list[str]:
    with pytest.raises(AreaImportError) as info:
        areas_import(name=name, content=content)
    assert Unit.objects.filter(kind=UnitKind.AREA).count() == 0
    return info.value.errors


def test_a_zip_bombed_xlsx_is_refused_before_unpacking(communes, tmp_path):
    """A 60 MB-inflating .xlsx is refused by the command at once, as ``import_values`` refuses it."""
    path = tmp_path / "kdc.xlsx"
    path.write_bytes(zip_bomb_xlsx(60 << 20))
    err = StringIO()

    with pytest.raises(CommandError, match="không có gì được lưu"):
        call_command("import_areas", str(path), stdout=StringIO(), stderr=err)

    assert "giải nén ra quá lớn" in err.getvalue()


def test_a_part_packed_far_beyond_any_workbook_is_refused_even_when_small(communes):
    """Two megabytes that pack to a few kilobytes are a bomb by ratio, below the total cap."""
    assert "giải nén ra quá lớn" in refused(zip_bomb_xlsx(2 << 20), name="kdc.xlsx")[0]


def test_a_utf16_csv_is_refused_with_the_encoding_message_not_a_traceback(communes):
    content = "\n".join([HEADER, "05971,A1,Khối 1,khối phố,,"]).encode("utf-16")
    assert refused(content) == ["Tệp CSV phải được lưu với bảng mã UTF-8."]


@pytest.mark.parametrize("code", ["H5/X-01", "A 1", "../x", "<b>", "Khối-1", "-01", "X" * 21])
def test_an_area_code_that_does_not_fit_the_pattern_is_refused(communes, code):
    errors = refused(csv_bytes(f"05971,{code},Khối 1,khối phố,,"))
    assert errors[0].startswith("Dòng 2: mã khu dân cư") and "không hợp lệ" in errors[0]


def test_every_imported_area_code_opens_its_unit_page(communes, client, django_user_model):
    """Codes the pattern allows reverse into /don-vi/<code>/; the commune page linking them answers 200."""
    areas_import(name="kdc.csv", content=csv_bytes("05971,KDC_1.a-2,Khối 1,khối phố,,"))
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.org", "x"))
    assert client.get("/don-vi/05971/").status_code == 200
    assert client.get("/don-vi/KDC_1.a-2/").status_code == 200


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-1+2", "@cmd", "<script>alert(1)</script>", "Khối <b>1</b>"])
def test_a_name_that_is_a_formula_or_markup_is_refused(communes, name):
    line = f'05971,A1,"{name.replace(chr(34), chr(34) * 2)}",khối phố,,'
    errors = refused(csv_bytes(line))
    assert errors[0].startswith("Dòng 2: tên khu dân cư") and "không được phép" in errors[0]


def test_more_than_20000_rows_are_refused_at_the_first_row_too_many(communes):
    lines = [f"05971,A{n},Khối {n},khối phố,," for n in range(20_001)]
    assert refused(csv_bytes(*lines)) == [
        "Dòng 20002: tệp có quá 20,000 dòng số liệu; tối đa 20,000 dòng mỗi lần nhập."
    ]


def test_a_formula_in_the_name_column_is_refused_as_a_formula(communes):
    content = xlsx_bytes([["ma_xa", "ma_kdc", "ten_kdc", "loai"], ["05971", "A1", "=\"Khối \"&1", "khối phố"]])
    errors = refused(content, name="kdc.xlsx")
    assert len(errors) == 1 and "công thức ở ô C2" in errors[0]


def test_a_dry_run_checks_and_counts_but_saves_nothing(communes):
    """The web upload's preview: the same checks and counts, no unit written."""
    result = areas_import(name="kdc.csv", content=GOOD, dry_run=True)
    assert (result.inserted, result.updated) == (4, 0)
    assert Unit.objects.filter(kind=UnitKind.AREA).count() == 0


@pytest.mark.parametrize("code", ["H5/X-01", "Khối 1", "a?b"])
def test_the_admin_refuses_a_unit_code_that_cannot_be_a_url_segment(communes, code):
    """The model's validator (run by the admin's forms) holds the same rule as the import."""
    from django.core.exceptions import ValidationError

    unit = Unit(code=code, name="Khối 1", kind=UnitKind.AREA, parent=communes[0])
    with pytest.raises(ValidationError) as info:
        unit.full_clean()
    assert "code" in info.value.message_dict
