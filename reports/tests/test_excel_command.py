"""``import_values``: the upload's checks from the command line, scoped to the user's unit."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import DataValue, Submission, SubmissionStatus
from reports.tests import excel_tree as t

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    return t.tree()


@pytest.fixture
def officer(units):
    return t.officer("huyen1", units["d1"])


def run(path, *extra, form="xls_xep_loai_bctmt", period="2019", user="huyen1"):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_values", str(path), "--form", form, "--period", period, "--as", user, *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sheet(tmp_path, units, rows, name="xep_loai.csv"):
    path = tmp_path / name
    path.write_text("ma_don_vi,xep_loai_bctmt\n" + "".join(f"{units[k].code},{v}\n" for k, v in rows), encoding="utf-8")
    return path


def test_a_good_file_is_saved_and_summarised(tmp_path, units, officer):
    """Given a plain sheet, the command saves every value and prints what it did."""
    t.form("xls_xep_loai_bctmt")
    out, _err = run(sheet(tmp_path, units, [("c1a1", "Tốt"), ("c1a2", "KHÁ")]))
    assert "Đã đọc 2 dòng: 2 giá trị mới, 0 giá trị sửa" in out
    assert {v.unit.code: v.rating_level.code for v in DataValue.objects.select_related("unit", "rating_level")} == {
        units["c1a1"].code: "tot", units["c1a2"].code: "kha",
    }


def test_a_dry_run_saves_nothing(tmp_path, units, officer):
    """``--dry-run`` checks and summarises but writes no value."""
    t.form("xls_xep_loai_bctmt")
    out, _err = run(sheet(tmp_path, units, [("c1a1", "Tốt")]), "--dry-run")
    assert "1 giá trị mới" in out and "không lưu" in out
    assert DataValue.objects.count() == 0


def test_errors_exit_non_zero_with_cell_references_and_save_nothing(tmp_path, units, officer):
    """A bad cell among good ones: the command fails naming the cell, and no value is stored."""
    t.form("xls_xep_loai_bctmt")
    err = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_values", str(sheet(tmp_path, units, [("c1a1", "Tốt"), ("c1a2", "Xuất sắc")])),
                     "--form", "xls_xep_loai_bctmt", "--period", "2019", "--as", "huyen1", stderr=err)
    assert failure.value.returncode == 1
    assert "Ô B3" in err.getvalue()
    assert DataValue.objects.count() == 0


def test_a_unit_outside_the_users_district_is_an_error(tmp_path, units, officer):
    """An officer of district 180 cannot load a row of district 181."""
    t.form("xls_xep_loai_bctmt")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_values", str(sheet(tmp_path, units, [("c1a1", "Tốt"), ("c3a1", "Tốt")])),
                     "--form", "xls_xep_loai_bctmt", "--period", "2019", "--as", "huyen1", stderr=err)
    assert "Ô A3" in err.getvalue() and "phạm vi" in err.getvalue()
    assert DataValue.objects.count() == 0


def test_submit_sends_the_report_after_saving(tmp_path, units, officer):
    """``--submit`` saves and then submits the district's report."""
    t.form("xls_xep_loai_bctmt")
    rows = [("c1a1", "Tốt"), ("c1a2", "Khá"), ("c2a1", "Trung bình"), ("c2a2", "Yếu")]
    out, _err = run(sheet(tmp_path, units, rows), "--submit")
    assert "gửi" in out
    assert Submission.objects.get(unit=units["d1"]).status == SubmissionStatus.SUBMITTED


def test_an_administrator_loads_several_districts_at_once(tmp_path, units):
    """A superuser's bulk load spreads the rows over each district's submission."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    t.form("xls_xep_loai_bctmt")
    run(sheet(tmp_path, units, [("c1a1", "Tốt"), ("c3a1", "Khá")]), user="admin")
    assert set(Submission.objects.values_list("unit__code", flat=True)) == {"180", "181"}
    assert DataValue.objects.count() == 2


def test_an_unknown_form_or_a_wrong_period_is_refused(tmp_path, units, officer):
    """The command names a bad form code or a period of the wrong kind."""
    path = sheet(tmp_path, units, [("c1a1", "Tốt")])
    with pytest.raises(CommandError, match="khong_co"):
        run(path, form="khong_co")
    t.form("xls_xep_loai_bctmt")
    with pytest.raises(CommandError, match="2019-11"):
        run(path, period="2019-11")


def test_a_file_of_20001_rows_is_refused_for_its_size_not_its_duplicates(tmp_path, units, officer):
    """The row limit counts rows, duplicates included: the first row past 20,000 is named."""
    t.form("xls_xep_loai_bctmt")
    keys = ["c1a1", "c1a2", "c2a1", "c2a2", "c1"]
    path = sheet(tmp_path, units, [(keys[n % 5], "Tốt") for n in range(20_001)])

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 lỗi"):
        call_command("import_values", str(path), "--form", "xls_xep_loai_bctmt", "--period", "2019", "--as", "huyen1",
                     stdout=out, stderr=err)
    assert err.getvalue().strip() == "Dòng 20002: tệp có quá 20,000 dòng số liệu; tối đa 20,000 dòng mỗi lần nhập."
    assert "Đã đọc 20001 dòng" in out.getvalue()
    assert DataValue.objects.count() == 0


def test_a_utf16_csv_is_refused_with_the_encoding_message(tmp_path, units, officer):
    t.form("xls_xep_loai_bctmt")
    path = tmp_path / "xep_loai.csv"
    path.write_text(f"ma_don_vi,xep_loai_bctmt\n{units['c1a1'].code},Tốt\n", encoding="utf-16")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_values", str(path), "--form", "xls_xep_loai_bctmt", "--period", "2019", "--as", "huyen1",
                     stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == "Tệp CSV phải được lưu với bảng mã UTF-8."
