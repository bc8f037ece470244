"""The Excel pages: download a template, upload it, preview the changes, confirm; scoping and bad files."""
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reports.models import DataValue, Submission
from reports.tests import excel_tree as t

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def units():
    return t.tree()


@pytest.fixture
def festival():
    return t.form("xls_ngay_hoi")


@pytest.fixture
def officer(units):
    return t.officer("huyen1", units["d1"])


def urls(form, unit, period="2019"):
    args = [form.code, unit.code, period]
    return reverse("reports:template_download", args=args), reverse("reports:upload", args=args)


def upload(client, url, name, data):
    return client.post(url, {"file": _named(name, data)})


def _named(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def xlsx_bytes(rows, *, formulas=()):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    for ref, formula in formulas:
        sheet[ref] = formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_round_trip_download_change_upload_preview_confirm(client, units, festival, officer):
    """Given a value, when the downloaded template is changed and uploaded, the preview shows old → new and confirming saves it with history."""
    t.value(festival, units["d1"], units["c1a1"], "ngay_hoi_to_chuc", "2019", value_bool=False)
    client.force_login(officer)
    download, upload_url = urls(festival, units["d1"])

    response = client.get(download)
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    row = next(r[0].row for r in sheet.iter_rows() if r[0].value == units["c1a1"].code)
    sheet.cell(row, 3).value = "có"
    buffer = io.BytesIO()
    book.save(buffer)

    response = upload(client, upload_url, "mau.xlsx", buffer.getvalue())
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    body = preview.content.decode()
    assert f"C{row}" in body and "Không" in body and "Có" in body
    assert not DataValue.objects.filter(value_bool=True).exists()  # nothing saved before confirming

    confirmed = client.post(response["Location"])
    assert confirmed.status_code == 302
    assert confirmed["Location"] == reverse("reports:grid", args=[festival.code, units["d1"].code, "2019"])
    value = DataValue.objects.get(unit=units["c1a1"], indicator__code="ngay_hoi_to_chuc")
    assert value.value_bool is True
    assert [h.value_bool for h in value.history.order_by("history_date")] == [False, True]
    assert Submission.objects.get(form=festival, unit=units["d1"]).version == 2


def test_a_stale_preview_is_refused_at_confirmation(client, units, festival, officer):
    """Given a preview, when another save moves the submission on, confirming is refused and nothing is saved."""
    client.force_login(officer)
    _download, upload_url = urls(festival, units["d1"])
    response = upload(client, upload_url, "a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1a1'].code},x\n".encode())
    assert response.status_code == 302
    Submission.objects.create(form=festival, unit=units["d1"], period="2019", year=2019, version=5)

    confirmed = client.post(response["Location"], follow=False)
    assert confirmed.status_code == 302 and confirmed["Location"] == upload_url
    assert DataValue.objects.count() == 0


def test_another_districts_officer_gets_404_and_changes_nothing(client, units, festival, officer):
    """An officer of district 181 cannot download, upload or confirm district 180's form."""
    client.force_login(officer)
    _download, upload_url = urls(festival, units["d1"])
    response = upload(client, upload_url, "a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1a1'].code},x\n".encode())
    confirm_url = response["Location"]

    client.force_login(t.officer("huyen2", units["d2"]))
    download, upload_url = urls(festival, units["d1"])
    assert client.get(download).status_code == 404
    assert client.get(upload_url).status_code == 404
    assert upload(client, upload_url, "a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1a1'].code},x\n".encode()).status_code == 404
    assert client.get(confirm_url).status_code == 404
    assert client.post(confirm_url).status_code == 404
    assert DataValue.objects.count() == 0


def test_anonymous_visitors_are_sent_to_login(client, units, festival):
    """Every Excel page asks an anonymous visitor to log in."""
    download, upload_url = urls(festival, units["d1"])
    for url in (download, upload_url, upload_url + "abc/"):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_row_of_another_district_in_the_file_is_refused_with_its_cell(client, units, festival, officer):
    """A file naming an area of district 181 is refused whole, naming cell A3."""
    client.force_login(officer)
    _download, upload_url = urls(festival, units["d1"])
    csv = f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1a1'].code},x\n{units['c3a1'].code},x\n".encode()
    response = upload(client, upload_url, "a.csv", csv)
    assert response.status_code == 400
    assert "Ô A3" in response.content.decode()
    assert DataValue.objects.count() == 0


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def bad_files(units):
    a1 = units["c1a1"].code
    template_parts = {"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook"}  # broken XML
    return {
        "an image named .xlsx": ("anh.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "không phải bảng tính"),
        "a pdf": ("bao_cao.pdf", b"%PDF-1.4 ...", ".xlsx hoặc .csv"),
        "a zip that is not a workbook": ("nen.xlsx", _zip({"a.txt": "x"}), "thiếu thành phần"),
        "a zip bomb": ("bom.xlsx", lambda: _zip({**template_parts, "xl/worksheets/sheet1.xml": b"\0" * (51 * 1024 * 1024)}),
                       "quá lớn"),
        "a malformed workbook": ("hong.xlsx", _zip(template_parts), "bị hỏng"),
        "a legacy .xls": ("cu.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        "a zip named .csv": ("a.csv", _zip({"a.txt": "x"}), "không phải văn bản CSV"),
        "text in a date cell": ("a.csv", f"ma_don_vi,ngay_hoi_ngay\n{a1},hôm qua\n".encode(), "Ô B2"),
        "text in a yes/no cell": ("a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{a1},chắc là có\n".encode(), "Ô B2"),
        "a formula in a csv": ("a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{a1},=1+1\n".encode(), "Ô B2"),
        "a formula cell": ("f.xlsx", xlsx_bytes([["ma_don_vi", "ngay_hoi_to_chuc"], [a1, None]], formulas=[("B2", "=TRUE()")]),
                           "B2"),
        "an unknown unit code": ("a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{a1},x\nKHONGCO,x\n".encode(), "Ô A3"),
        "a commune where an area is expected": ("a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1'].code},x\n".encode(), "Ô A2"),
        "an indicator of another form": ("a.csv", f"ma_don_vi,xep_loai_bctmt\n{a1},Tốt\n".encode(), "Ô B1"),
        "no ma_don_vi header": ("a.csv", f"ma,ngay_hoi_to_chuc\n{a1},x\n".encode(), "ma_don_vi"),
        "a non-UTF-8 csv": ("a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{a1},không\n".encode("cp1258"), "UTF-8"),
        "over 20,000 rows": ("a.csv", lambda: ("ma_don_vi,ngay_hoi_to_chuc\n" + f"{a1},x\n" * 20_011).encode(), "quá nhiều dòng"),
        "over 5 MB": ("a.csv", lambda: b"ma_don_vi,ngay_hoi_to_chuc\n" + b" " * (5 * 1024 * 1024), "5 MB"),
        "the wrong form's template": ("mau.xlsx", None, "xls_xep_loai_bctmt"),
    }


BAD_FILE_NAMES = [
    "an image named .xlsx", "a pdf", "a zip that is not a workbook", "a zip bomb", "a malformed workbook",
    "a legacy .xls", "a zip named .csv", "text in a date cell", "text in a yes/no cell", "a formula in a csv",
    "a formula cell", "an unknown unit code", "a commune where an area is expected", "an indicator of another form",
    "no ma_don_vi header", "a non-UTF-8 csv", "over 20,000 rows", "over 5 MB", "the wrong form's template",
]


@pytest.mark.parametrize("kind", BAD_FILE_NAMES)
def test_each_kind_of_bad_file_is_refused_whole_and_saves_nothing(client, units, festival, officer, kind):
    """A bad file answers 400 with a Vietnamese message (with the cell where there is one); no value is stored."""
    t.value(festival, units["d1"], units["c1a2"], "ngay_hoi_to_chuc", "2019", value_bool=True)
    before = list(DataValue.objects.values_list("pk", "value_bool"))
    client.force_login(officer)
    name, data, expected = bad_files(units)[kind]
    if callable(data):
        data = data()
    if data is None:  # a real template of another form, offered to this one
        download, _ = urls(t.form("xls_xep_loai_bctmt"), units["d1"])
        data = client.get(download).content
    _download, upload_url = urls(festival, units["d1"])
    good_row = f"\n{units['c2a1'].code},x"  # a valid row beside the bad one must not be saved either
    if name.endswith(".csv") and kind not in ("a zip named .csv", "over 5 MB", "a non-UTF-8 csv"):
        data = data + good_row.encode()

    response = upload(client, upload_url, name, data)

    assert response.status_code == 400
    assert expected in response.content.decode()
    assert list(DataValue.objects.values_list("pk", "value_bool")) == before


def test_exports_neutralise_formula_injection(client, units, festival, officer):
    """A unit name that looks like a formula is written as quoted text, never as a formula."""
    area = units["c1a1"]
    area.name = '=HYPERLINK("http://evil.example","bấm")'
    area.save()
    client.force_login(officer)
    download, _upload = urls(festival, units["d1"])
    sheet = load_workbook(io.BytesIO(client.get(download).content)).worksheets[0]
    cell = next(r[1] for r in sheet.iter_rows() if r[0].value == area.code)
    assert cell.data_type == "s"
    assert cell.value.startswith("'=")
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_the_template_has_dropdowns_frozen_panes_hidden_codes_and_metadata(client, units, festival, officer):
    """The template carries drop-downs for yes/no, a hidden row of codes and a hidden metadata sheet."""
    client.force_login(officer)
    download, _upload = urls(festival, units["d1"])
    book = load_workbook(io.BytesIO(client.get(download).content))
    sheet = book.worksheets[0]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert '"Có,Không"' in lists
    assert sheet.freeze_panes == "C4"
    assert sheet.row_dimensions[2].hidden and sheet["A2"].value == "ma_don_vi" and sheet["C2"].value == "ngay_hoi_to_chuc"
    meta = dict(book["_thong_tin"].iter_rows(values_only=True))
    assert book["_thong_tin"].sheet_state == "hidden"
    assert meta["bieu_mau"] == festival.code and meta["ky_bao_cao"] == "2019" and meta["don_vi"] == units["d1"].code


def test_a_rating_template_offers_the_levels_and_reads_them_in_any_case(client, units, officer):
    """The rating column lists the scale's levels; an upload in lower case is read as the level."""
    ratings = t.form("xls_xep_loai_bctmt")
    client.force_login(officer)
    download, upload_url = urls(ratings, units["d1"])
    sheet = load_workbook(io.BytesIO(client.get(download).content)).worksheets[0]
    assert '"Tốt,Khá,Trung bình,Yếu"' in [v.formula1 for v in sheet.data_validations.dataValidation]
    response = upload(client, upload_url, "r.csv", f"ma_don_vi,xep_loai_bctmt\n{units['c1a1'].code},khá\n".encode())
    client.post(response["Location"])
    assert DataValue.objects.get(unit=units["c1a1"]).rating_level == t.level("bctmt", "kha")


def _grow(units, count):
    from mattran.models import UnitKind

    for n in range(count):
        t.unit(f"X{n:05d}", f"Thôn mới {n}", UnitKind.AREA, units["c2"])


def test_download_and_preview_query_counts_do_not_grow_with_rows(client, units, festival, officer, django_assert_max_num_queries):
    """Downloading, uploading and previewing 60 rows takes no more queries than 4 rows, and at most 15 a page."""
    client.force_login(officer)
    download, upload_url = urls(festival, units["d1"])

    def counted():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as download_queries:
            content = client.get(download).content
        with CaptureQueriesContext(connection) as upload_queries:
            response = upload(client, upload_url, "mau.xlsx", content)
        with CaptureQueriesContext(connection) as preview_queries:
            assert client.get(response["Location"]).status_code == 200
        return len(download_queries), len(upload_queries), len(preview_queries)

    small = counted()
    _grow(units, 56)
    large = counted()
    assert large == small
    assert max(large) <= 15


def test_a_festival_date_outside_the_usual_days_is_a_warning_that_confirming_accepts(client, units, festival, officer):
    """A date outside 1–18/11 shows as a warning on the preview; confirming saves it anyway."""
    client.force_login(officer)
    _download, upload_url = urls(festival, units["d1"])
    csv = f"ma_don_vi,ngay_hoi_to_chuc,ngay_hoi_ngay\n{units['c1a1'].code},có,25/12/2019\n".encode()
    response = upload(client, upload_url, "a.csv", csv)
    preview = client.get(response["Location"]).content.decode()
    assert "alert-warning" in preview and "Ô C2" in preview
    client.post(response["Location"])
    assert DataValue.objects.get(indicator__code="ngay_hoi_ngay").value_date.isoformat() == "2019-12-25"


def test_x_marks_yes_and_an_empty_cell_beside_it_means_no(client, units, festival, officer):
    """In a column that marks yes with x, an empty cell of a filled row is read as Không; a blank row is skipped."""
    client.force_login(officer)
    _download, upload_url = urls(festival, units["d1"])
    csv = (f"ma_don_vi,ngay_hoi_to_chuc,ngay_hoi_bua_com\n{units['c1a1'].code},x,x\n"
           f"{units['c1a2'].code},x,\n{units['c2a1'].code},,\n").encode()
    response = upload(client, upload_url, "a.csv", csv)
    client.post(response["Location"])
    stored = {(v.unit.code, v.indicator.code): v.value_bool for v in DataValue.objects.select_related("unit", "indicator")}
    assert stored == {
        (units["c1a1"].code, "ngay_hoi_to_chuc"): True, (units["c1a1"].code, "ngay_hoi_bua_com"): True,
        (units["c1a2"].code, "ngay_hoi_to_chuc"): True, (units["c1a2"].code, "ngay_hoi_bua_com"): False,
    }


def test_a_commune_officer_gets_only_their_communes_rows(client, units, festival):
    """A commune officer's template holds their own commune's areas; a row of another commune is refused."""
    from mattran.models import OfficerRole

    client.force_login(t.officer("xa1", units["c1"], role=OfficerRole.COMMUNE_OFFICER))
    download, upload_url = urls(festival, units["d1"])
    sheet = load_workbook(io.BytesIO(client.get(download).content)).worksheets[0]
    codes = {r[0].value for r in sheet.iter_rows(min_row=4) if r[0].value}
    assert codes == {units["c1a1"].code, units["c1a2"].code}
    response = upload(client, upload_url, "a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{units['c2a1'].code},x\n".encode())
    assert response.status_code == 400 and "Ô A2" in response.content.decode()
    assert DataValue.objects.count() == 0


def test_an_approved_report_cannot_be_changed_by_upload(client, units, festival, officer):
    """Uploading into an approved (locked) report is refused with its status; nothing changes."""
    from reports.models import SubmissionStatus

    Submission.objects.create(form=festival, unit=units["d1"], period="2019", year=2019, status=SubmissionStatus.APPROVED)
    client.force_login(officer)
    _download, upload_url = urls(festival, units["d1"])
    response = upload(client, upload_url, "a.csv", f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1a1'].code},x\n".encode())
    assert response.status_code == 400 and "Đã duyệt" in response.content.decode()
    assert DataValue.objects.count() == 0


def test_the_upload_page_offers_the_template_and_explains_the_formats(client, units, festival, officer):
    """The upload page links to the template and names the accepted formats."""
    client.force_login(officer)
    download, upload_url = urls(festival, units["d1"])
    body = client.get(upload_url).content.decode()
    assert download in body and "ma_don_vi" in body and 'enctype="multipart/form-data"' in body
