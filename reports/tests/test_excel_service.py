"""The Excel round trip at the service level: template out, changed workbook in, preview, apply."""
import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from mattran.spreadsheets import read_table
from reports.models import DataValue, Submission
from reports.periods import Period
from reports.spreadsheets.importing import StaleImport, import_apply, import_prepare
from reports.spreadsheets.template import template_build
from reports.tests import excel_tree as t

pytestmark = pytest.mark.django_db
YEAR = Period.parse("2019")


@pytest.fixture
def units():
    return t.tree()


@pytest.fixture
def festival():
    return t.form("xls_ngay_hoi")


def workbook_of(data: bytes):
    return load_workbook(io.BytesIO(data))


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def row_of(sheet, code):
    return next(row[0].row for row in sheet.iter_rows() if row[0].value == code)


def test_a_downloaded_template_changed_and_uploaded_lists_old_and_new_then_saves(units, festival):
    """Given a stored value, when the template is changed and uploaded, the preview shows old → new and applying saves it."""
    officer = t.officer("huyen1", units["d1"])
    t.value(festival, units["d1"], units["c1a1"], "ngay_hoi_to_chuc", "2019", value_bool=False)
    book = workbook_of(template_build(form=festival, period=YEAR, unit=units["d1"]))
    sheet = book.worksheets[0]
    row = row_of(sheet, units["c1a1"].code)
    assert sheet.cell(row, 3).value == "Không"
    sheet.cell(row, 3).value = "Có"
    sheet.cell(row, 4).value = datetime.datetime(2019, 11, 15)

    plan = import_prepare(form=festival, period=YEAR, table=read_table(saved(book), "mau.xlsx"), by=officer, unit=units["d1"])

    assert plan.errors == []
    assert {(c.unit_code, c.indicator_code, c.old, c.new) for c in plan.changes} == {
        (units["c1a1"].code, "ngay_hoi_to_chuc", "Không", "Có"),
        (units["c1a1"].code, "ngay_hoi_ngay", "", "15/11/2019"),
    }
    import_apply(plan=plan, by=officer)
    stored = DataValue.objects.get(unit=units["c1a1"], indicator__code="ngay_hoi_to_chuc", period="2019")
    assert stored.value_bool is True
    assert stored.history.first().history_user == officer
    assert DataValue.objects.get(unit=units["c1a1"], indicator__code="ngay_hoi_ngay").value_date == datetime.date(2019, 11, 15)


def test_an_unchanged_template_changes_nothing(units, festival):
    """Uploading the template as downloaded lists no change."""
    officer = t.officer("huyen1", units["d1"])
    t.value(festival, units["d1"], units["c1a1"], "ngay_hoi_ngay", "2019", value_date=t.FESTIVAL_DAY)
    data = template_build(form=festival, period=YEAR, unit=units["d1"])
    plan = import_prepare(form=festival, period=YEAR, table=read_table(data, "mau.xlsx"), by=officer, unit=units["d1"])
    assert plan.errors == [] and plan.changes == [] and plan.unchanged == 1


def test_a_preview_made_stale_by_another_save_is_refused(units, festival):
    """Given a preview, when someone else saves the submission first, applying it is refused and nothing is saved."""
    officer = t.officer("huyen1", units["d1"])
    csv = f"ma_don_vi,ngay_hoi_to_chuc\n{units['c1a1'].code},có\n".encode()
    plan = import_prepare(form=festival, period=YEAR, table=read_table(csv, "a.csv"), by=officer, unit=units["d1"])
    assert plan.errors == []
    submission = Submission.objects.create(form=festival, unit=units["d1"], period="2019", year=2019, version=3)
    with pytest.raises(StaleImport):
        import_apply(plan=plan, by=officer)
    assert not DataValue.objects.filter(submission=submission).exists()


def test_a_plain_sheet_with_codes_in_the_first_row_is_accepted(units):
    """A CSV whose first row is ma_don_vi and indicator codes loads numbers, with a Vietnamese decimal comma."""
    officer = t.officer("huyen1", units["d1"])
    monthly = t.form("xls_thang")
    csv = f"ma_don_vi;quy_vnn_thu;hoa_giai_vu\n{units['c1'].code};12,5;3\n{units['c2'].code};;\n".encode()
    plan = import_prepare(form=monthly, period=Period.parse("2019-03"), table=read_table(csv, "thang.csv"),
                          by=officer, unit=units["d1"])
    assert plan.errors == []
    assert plan.created == 2
    import_apply(plan=plan, by=officer)
    assert DataValue.objects.get(unit=units["c1"], indicator__code="quy_vnn_thu").value_number == Decimal("12.5")


def test_a_plain_xlsx_sheet_reads_typed_cells(units, festival):
    """An .xlsx whose first row is ma_don_vi and codes: real dates and TRUE/FALSE cells are read as such."""
    from openpyxl import Workbook

    officer = t.officer("huyen1", units["d1"])
    book = Workbook()
    book.active.append(["ma_don_vi", "ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_bua_com"])
    book.active.append([units["c2a2"].code, True, datetime.datetime(2019, 11, 18), "FALSE"])
    plan = import_prepare(form=festival, period=YEAR, table=read_table(saved(book), "tho.xlsx"), by=officer, unit=units["d1"])
    assert plan.errors == []
    assert {(c.indicator_code, c.new) for c in plan.changes} == {
        ("ngay_hoi_to_chuc", "Có"), ("ngay_hoi_ngay", "18/11/2019"), ("ngay_hoi_bua_com", "Không"),
    }


def test_a_plan_form_round_trips_through_plan_values(units):
    """A yearly plan set by provincial staff (rows are districts) is exported and saved as plan values."""
    from mattran.models import OfficerRole
    from reports.models import FormIndicator, PlanValue, ReportForm

    plan_form = ReportForm.objects.create(
        code="xls_ke_hoach", name="Kế hoạch", kind="PLAN", period_type="YEARLY", row_kind="DISTRICT",
        submitter_kind="PROVINCE",
    )
    FormIndicator.objects.create(form=plan_form, indicator=t.indicator("quy_vnn_thu"), order=1)
    staff = t.officer("tinh", units["province"], role=OfficerRole.PROVINCE_STAFF)
    book = workbook_of(template_build(form=plan_form, period=YEAR, unit=units["province"]))
    sheet = book.worksheets[0]
    sheet.cell(row_of(sheet, "180"), 3).value = 150.5
    plan = import_prepare(form=plan_form, period=YEAR, table=read_table(saved(book), "kh.xlsx"), by=staff,
                          unit=units["province"])
    assert plan.errors == [] and plan.created == 1
    import_apply(plan=plan, by=staff)
    assert PlanValue.objects.get(unit=units["d1"], year=2019).value == Decimal("150.5")
    again = workbook_of(template_build(form=plan_form, period=YEAR, unit=units["province"])).worksheets[0]
    assert again.cell(row_of(again, "180"), 3).value == 150.5


def test_a_number_cell_holding_text_names_the_cell(units):
    """Text in a number column is refused with the cell reference and the value quoted."""
    officer = t.officer("huyen1", units["d1"])
    monthly = t.form("xls_thang")
    csv = f"ma_don_vi,hoa_giai_vu\n{units['c1'].code},ba vụ\n".encode()
    plan = import_prepare(form=monthly, period=Period.parse("2019-03"), table=read_table(csv, "a.csv"), by=officer,
                          unit=units["d1"])
    assert len(plan.errors) == 1 and plan.errors[0].startswith("Ô B2:") and "ba vụ" in plan.errors[0]


def test_a_rule_across_cells_is_reported_at_its_cell(units):
    """More successful mediations than cases is an error at the hoa_giai_thanh cell."""
    officer = t.officer("huyen1", units["d1"])
    monthly = t.form("xls_thang")
    csv = f"ma_don_vi,hoa_giai_vu,hoa_giai_thanh\n{units['c1'].code},2,3\n".encode()
    plan = import_prepare(form=monthly, period=Period.parse("2019-03"), table=read_table(csv, "a.csv"), by=officer,
                          unit=units["d1"])
    assert len(plan.errors) == 1 and plan.errors[0].startswith("Ô C2")


def test_a_template_downloaded_before_someone_elses_save_warns_on_preview(units, festival):
    """A template of version 0 uploaded after a save (version 2) warns that the data moved on since download."""
    officer = t.officer("huyen1", units["d1"])
    data = template_build(form=festival, period=YEAR, unit=units["d1"])
    Submission.objects.create(form=festival, unit=units["d1"], period="2019", year=2019, version=2)
    plan = import_prepare(form=festival, period=YEAR, table=read_table(data, "mau.xlsx"), by=officer, unit=units["d1"])
    assert plan.errors == [] and "phiên bản 0 → 2" in plan.warnings[0]


@pytest.mark.parametrize("code", ["ngay_hoi", "xep_loai_bctmt", "xep_loai_mttq_xa", "xep_loai_mttq_huyen", "bao_cao_thang", "ke_hoach"])
def test_every_loaded_form_template_uploads_back_unchanged(units, code):
    """The template of each form the data migration loads reads back cleanly, listing no change."""
    from django.contrib.auth import get_user_model

    from mattran.models import UnitKind
    from reports.models import ReportForm

    form = ReportForm.objects.filter(code=code).first()
    if form is None:
        pytest.skip(f"form {code} is not loaded")
    admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    submitter = units["province"] if form.submitter_kind == UnitKind.PROVINCE else units["d1"]
    period = Period.all_in_year(2019, form.period_type)[-1]
    data = template_build(form=form, period=period, unit=submitter)
    plan = import_prepare(form=form, period=period, table=read_table(data, "mau.xlsx"), by=admin, unit=submitter)
    assert plan.errors == [] and plan.changes == []
    assert plan.rows_read > 0


def test_a_stored_unusual_date_the_upload_leaves_alone_raises_no_warning(units, festival):
    """Warnings concern the cells an upload changes, not values already stored beside them."""
    officer = t.officer("huyen1", units["d1"])
    t.value(festival, units["d1"], units["c1a1"], "ngay_hoi_to_chuc", "2019", value_bool=True)
    t.value(festival, units["d1"], units["c1a1"], "ngay_hoi_ngay", "2019", value_date=datetime.date(2019, 12, 1))
    csv = f"ma_don_vi,ngay_hoi_bua_com\n{units['c1a1'].code},có\n".encode()
    plan = import_prepare(form=festival, period=YEAR, table=read_table(csv, "a.csv"), by=officer, unit=units["d1"])
    assert plan.errors == [] and plan.warnings == [] and plan.created == 1
