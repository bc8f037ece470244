"""The reporting workflow: saving values, submit, return, approve, reopen, and every refusal."""
import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from reports.models import DataValue, PlanValue, SubmissionStatus
from reports.submissions.services import (
    submission_approve,
    submission_get_or_create,
    submission_reopen,
    submission_return,
    submission_submit,
    values_save,
)
from reports.tests.factories import cells, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def monthly(world):
    return submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)


def full_month(world, override=None):
    data = {}
    for commune in world.communes:
        data.update({(commune, "quy_vnn_thu"): "10,5", (commune, "quy_vnn_chi"): "2", (commune, "hoa_giai_vu"): "3",
                     (commune, "hoa_giai_thanh"): "1"})
    data.update(override or {})
    return cells(world, data)


def save(world, submission, data, by=None, **kwargs):
    submission.refresh_from_db()
    return values_save(submission=submission, values=data, by=by or world.officer,
                       expected_version=kwargs.pop("expected_version", submission.version), **kwargs)


def submitted(world, monthly):
    save(world, monthly, full_month(world))
    return submission_submit(submission=monthly, by=world.officer)


def test_a_draft_save_stores_typed_values_bumps_the_version_and_keeps_history(world, monthly):
    """Given an empty draft, when the officer saves, then values are typed, version +1, history names the officer."""
    result = save(world, monthly, full_month(world))
    assert result.saved and result.version == 2 and len(result.changes) == 8
    value = DataValue.objects.get(unit=world.communes[0], indicator=world.indicators["quy_vnn_thu"], period="2019-05")
    assert value.value_number == Decimal("10.50") and value.submission == monthly and value.year == 2019
    assert value.history.first().history_user == world.officer
    again = save(world, monthly, full_month(world, {(world.communes[0], "quy_vnn_thu"): "11"}))
    assert [str(c) for c in again.changes] == ["Xã 000 – Quỹ thu: 10,5 → 11"]
    assert value.history.count() == 2
    assert value.history.first().value_number == Decimal("11.00")


def test_a_stale_save_is_refused_and_saves_nothing(world, monthly):
    """Two people open version 1; the first saves; the second's save is refused, not merged."""
    save(world, monthly, full_month(world))
    with pytest.raises(ValidationError, match="Dữ liệu đã được người khác thay đổi") as error:
        save(world, monthly, cells(world, {(world.communes[0], "hoa_giai_vu"): "9"}), expected_version=1)
    assert error.value.code == "stale"
    assert DataValue.objects.get(unit=world.communes[0], indicator=world.indicators["hoa_giai_vu"]).value_number == 3


def test_one_bad_cell_saves_nothing_and_names_row_and_column(world, monthly):
    result = save(world, monthly, full_month(world, {(world.communes[1], "hoa_giai_vu"): "ba"}))
    assert not result.saved and not DataValue.objects.exists()
    assert str(result.errors[0]).startswith("Xã 001 – Vụ hòa giải: “ba” không phải là số")
    monthly.refresh_from_db()
    assert monthly.version == 1


def test_a_cross_cell_rule_uses_values_saved_earlier(world, monthly):
    save(world, monthly, full_month(world))
    result = save(world, monthly, cells(world, {(world.communes[0], "hoa_giai_thanh"): "4"}))
    assert not result.saved and "lớn hơn số vụ hòa giải (3)" in str(result.errors[0])


def test_a_festival_date_outside_the_window_needs_confirmation_then_saves(world):
    """Warnings stop the save until the officer confirms; confirming saves the same values."""
    festival = submission_get_or_create(form=world.festival, unit=world.district, period="2019", by=world.officer)
    data = cells(world, {(world.areas[0], "ngay_hoi_to_chuc"): "có", (world.areas[0], "ngay_hoi_ngay"): "25/11/2019"})
    first = save(world, festival, data)
    assert first.needs_confirmation and not DataValue.objects.exists()
    assert "Thôn 000-0 – Ngày tổ chức" in str(first.warnings[0])
    confirmed = save(world, festival, data, confirm_warnings=True)
    assert confirmed.saved
    assert DataValue.objects.get(indicator=world.indicators["ngay_hoi_ngay"]).value_date == datetime.date(2019, 11, 25)
    # Saving another cell of the row does not ask again about the date already confirmed.
    other = save(world, festival, cells(world, {(world.areas[0], "ngay_hoi_le_va_hoi"): "x"}))
    assert other.saved and not other.warnings


def test_a_dry_run_lists_changes_and_writes_nothing(world, monthly):
    result = save(world, monthly, full_month(world), dry_run=True)
    assert not result.saved and len(result.changes) == 8 and not DataValue.objects.exists()


def test_clearing_a_cell_empties_the_stored_value(world, monthly):
    save(world, monthly, full_month(world))
    save(world, monthly, cells(world, {(world.communes[0], "hoa_giai_thanh"): ""}))
    value = DataValue.objects.get(unit=world.communes[0], indicator=world.indicators["hoa_giai_thanh"])
    assert value.value_number is None


def test_a_commune_officer_saves_drafts_only_for_their_own_communes_rows(world, monthly):
    own = save(world, monthly, cells(world, {(world.communes[0], "hoa_giai_vu"): "1"}), by=world.commune_officer)
    assert own.saved
    other = save(world, monthly, cells(world, {(world.communes[1], "hoa_giai_vu"): "1"}), by=world.commune_officer)
    assert not other.saved and "chỉ được nhập các dòng thuộc Xã 000" in str(other.errors[0])
    assert not DataValue.objects.filter(unit=world.communes[1]).exists()


def test_a_commune_officer_cannot_submit(world, monthly):
    save(world, monthly, full_month(world))
    with pytest.raises(ValidationError, match="Chỉ cán bộ của đơn vị gửi"):
        submission_submit(submission=monthly, by=world.commune_officer)


def test_another_districts_officer_can_neither_open_nor_save(world, monthly):
    with pytest.raises(ValidationError):
        submission_get_or_create(form=world.monthly, unit=world.district, period="2019-06", by=world.other_officer)
    with pytest.raises(ValidationError, match="không có quyền"):
        save(world, monthly, full_month(world), by=world.other_officer)
    assert not DataValue.objects.exists()


def test_rows_outside_the_submission_are_refused(world, monthly):
    result = save(world, monthly, {(world.other_commune.pk, world.indicators["hoa_giai_vu"].pk): "1"})
    assert not result.saved and "không phải một dòng" in str(result.errors[0])


def test_the_wrong_period_or_unit_kind_cannot_start_a_submission(world):
    with pytest.raises(ValidationError, match="không phải kỳ"):
        submission_get_or_create(form=world.monthly, unit=world.district, period="2019", by=world.officer)
    with pytest.raises(ValidationError, match="không phải đơn vị gửi"):
        submission_get_or_create(form=world.monthly, unit=world.communes[0], period="2019-05", by=world.officer)


def test_submitting_with_missing_values_names_each_missing_row(world, monthly):
    save(world, monthly, cells(world, {(world.communes[0], code): "1" for code in
                                        ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}))
    with pytest.raises(ValidationError) as error:
        submission_submit(submission=monthly, by=world.officer)
    assert error.value.messages[1] == "Xã 001: thiếu Quỹ thu, Quỹ chi, Vụ hòa giải, Hòa giải thành."
    monthly.refresh_from_db()
    assert monthly.status == SubmissionStatus.DRAFT


def test_submit_records_who_and_when_and_mails_the_province(world, monthly, django_capture_on_commit_callbacks):
    save(world, monthly, full_month(world))
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_submit(submission=monthly, by=world.officer)
    assert submission.status == SubmissionStatus.SUBMITTED
    assert submission.submitted_by == world.officer and submission.submitted_at is not None
    assert [m.to for m in mail.outbox] == [["tinh@example.org"]]
    assert "Huyện Một đã gửi báo cáo" in mail.outbox[0].subject


def test_a_submitted_form_cannot_be_edited_or_submitted_again(world, monthly):
    submitted(world, monthly)
    with pytest.raises(ValidationError, match="đang chờ duyệt") as error:
        save(world, monthly, full_month(world))
    assert error.value.code == "locked"
    with pytest.raises(ValidationError):
        submission_submit(submission=monthly, by=world.officer)


def test_return_needs_a_reason_and_provincial_staff(world, monthly, django_capture_on_commit_callbacks):
    submitted(world, monthly)
    with pytest.raises(ValidationError, match="lý do"):
        submission_return(submission=monthly, by=world.staff, reason="  ")
    with pytest.raises(ValidationError, match="Chỉ cán bộ tỉnh"):
        submission_return(submission=monthly, by=world.officer, reason="tự trả")
    with django_capture_on_commit_callbacks(execute=True):
        returned = submission_return(submission=monthly, by=world.staff, reason="Xã 001 thiếu số quỹ")
    assert returned.status == SubmissionStatus.RETURNED and returned.returned_by == world.staff
    assert mail.outbox[0].to == ["huyen1@example.org"] and "Xã 001 thiếu số quỹ" in mail.outbox[0].body


def test_a_returned_form_is_corrected_and_resubmitted_as_often_as_needed(world, monthly):
    submitted(world, monthly)
    for round_ in range(2):
        submission_return(submission=monthly, by=world.staff, reason=f"lần {round_}")
        assert save(world, monthly, cells(world, {(world.communes[0], "hoa_giai_vu"): str(5 + round_)})).saved
        assert submission_submit(submission=monthly, by=world.officer).status == SubmissionStatus.SUBMITTED


def test_approval_locks_the_form(world, monthly, django_capture_on_commit_callbacks):
    submitted(world, monthly)
    with pytest.raises(ValidationError, match="Chỉ cán bộ tỉnh"):
        submission_approve(submission=monthly, by=world.officer)
    with django_capture_on_commit_callbacks(execute=True):
        approved = submission_approve(submission=monthly, by=world.staff)
    assert approved.status == SubmissionStatus.APPROVED and approved.approved_by == world.staff
    assert mail.outbox[0].to == ["huyen1@example.org"]
    with pytest.raises(ValidationError, match="đã được duyệt và khóa"):
        save(world, monthly, full_month(world))
    with pytest.raises(ValidationError, match="trạng thái “Đã duyệt”"):
        submission_approve(submission=monthly, by=world.staff)
    with pytest.raises(ValidationError, match="trạng thái “Đã duyệt”"):
        submission_return(submission=monthly, by=world.staff, reason="muộn")


def test_only_drafts_in_review_can_be_approved_or_returned(world, monthly):
    with pytest.raises(ValidationError, match="trạng thái “Nháp”"):
        submission_approve(submission=monthly, by=world.staff)
    with pytest.raises(ValidationError, match="trạng thái “Nháp”"):
        submission_reopen(submission=monthly, by=world.staff, reason="x")


def test_reopening_is_explicit_recorded_and_flags_later_changes(world, monthly, django_capture_on_commit_callbacks):
    """After approval, a reopening (with reason) unlocks; values changed then are marked changed since approval."""
    submitted(world, monthly)
    submission_approve(submission=monthly, by=world.staff)
    with pytest.raises(ValidationError, match="lý do mở lại"):
        submission_reopen(submission=monthly, by=world.staff, reason="")
    with pytest.raises(ValidationError, match="Chỉ cán bộ tỉnh"):
        submission_reopen(submission=monthly, by=world.officer, reason="xin sửa")
    with django_capture_on_commit_callbacks(execute=True):
        reopened = submission_reopen(submission=monthly, by=world.staff, reason="Sai số quỹ xã 000")
    assert reopened.status == SubmissionStatus.DRAFT
    assert reopened.reopened_by == world.staff and reopened.reopen_reason == "Sai số quỹ xã 000"
    assert "mở lại" in mail.outbox[0].subject
    save(world, monthly, cells(world, {(world.communes[0], "quy_vnn_thu"): "20"}))
    flags = dict(DataValue.objects.filter(unit=world.communes[0]).values_list("indicator__code", "changed_since_approval"))
    assert flags == {"quy_vnn_thu": True, "quy_vnn_chi": False, "hoa_giai_vu": False, "hoa_giai_thanh": False}


def test_every_transition_tells_the_target_computation(world, monthly, monkeypatch):
    calls = []
    monkeypatch.setattr("reports.targets.incremental.submission_changed",
                        lambda s, previous_status: calls.append((previous_status, s.status)))
    submitted(world, monthly)
    submission_return(submission=monthly, by=world.staff, reason="r")
    submission_submit(submission=monthly, by=world.officer)
    submission_approve(submission=monthly, by=world.staff)
    submission_reopen(submission=monthly, by=world.staff, reason="r")
    assert calls == [("DRAFT", "SUBMITTED"), ("SUBMITTED", "RETURNED"), ("RETURNED", "SUBMITTED"),
                     ("SUBMITTED", "APPROVED"), ("APPROVED", "DRAFT")]


def test_provincial_staff_enter_and_submit_the_province_forms_and_plans_become_plan_values(world):
    plan = submission_get_or_create(form=world.plan, unit=world.province, period="2020", by=world.staff)
    data = {(world.district.pk, world.indicators["ke_hoach_quy"].pk): "150,5",
            (world.other_district.pk, world.indicators["ke_hoach_quy"].pk): 200}
    with pytest.raises(ValidationError, match="không có quyền"):
        values_save(submission=plan, values=data, by=world.officer, expected_version=1)
    assert values_save(submission=plan, values=data, by=world.staff, expected_version=1).saved
    assert PlanValue.objects.get(unit=world.district, year=2020).value == Decimal("150.50")
    assert not DataValue.objects.exists()
    assert submission_submit(submission=plan, by=world.staff).status == SubmissionStatus.SUBMITTED
