"""The reporting pages: inbox, grid and its buttons, completeness, history; scoping on every one."""
import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from reports.models import DataValue, Submission, SubmissionStatus
from reports.submissions.services import (
    submission_approve,
    submission_get_or_create,
    submission_return,
    submission_submit,
    values_save,
)
from reports.tests.factories import cells, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def grid_url(world, period="2019-05", name="grid", form=None, unit=None):
    form = form or world.monthly
    unit = unit or world.district
    return reverse(f"reports:{name}", args=[form.code, unit.code, period])


def post_cells(world, data, version, **extra):
    payload = {f"v-{unit.pk}-{world.indicators[code].pk}": raw for (unit, code), raw in data.items()}
    payload.update(version=str(version), **extra)
    return payload


def full_month(world):
    return {(c, code): "1" for c in world.communes for code in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}


def test_anonymous_visitors_are_sent_to_login(client, world):
    for url in (reverse("reports:inbox"), reverse("reports:completeness"), grid_url(world), grid_url(world, name="history")):
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_the_grid_shows_rows_grouped_and_saves_a_draft_from_the_page(client, world):
    client.force_login(world.officer)
    page = client.get(grid_url(world))
    assert page.status_code == 200
    assert page.content.decode().count('<input name="v-') == 8
    response = client.post(grid_url(world), post_cells(world, full_month(world), 0))
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert submission.version == 2 and DataValue.objects.count() == 8


def test_areas_are_grouped_by_commune_with_last_periods_value_beside_each_cell(client, world):
    client.force_login(world.officer)
    last_year = submission_get_or_create(form=world.festival, unit=world.district, period="2018", by=world.officer)
    values_save(submission=last_year, values=cells(world, {(world.areas[0], "ngay_hoi_ngay"): "10/11/2018"}),
                by=world.officer, expected_version=1)
    html = client.get(grid_url(world, "2019", form=world.festival)).content.decode()
    assert html.count("grid-group") == 2 and html.index("Xã 000") < html.index("Thôn 000-0") < html.index("Xã 001")
    assert "<small>Năm trước: 10/11/2018</small>" in html


def test_a_stale_save_from_the_page_is_refused_and_changes_nothing(client, world):
    client.force_login(world.officer)
    client.post(grid_url(world), post_cells(world, full_month(world), 0))
    response = client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "7"}, 1))
    assert response.status_code == 409
    assert "Dữ liệu đã được người khác thay đổi" in response.content.decode()
    assert DataValue.objects.get(unit=world.communes[0], indicator=world.indicators["hoa_giai_vu"]).value_number == 1


def test_a_bad_cell_is_shown_with_its_message_and_nothing_is_saved(client, world):
    client.force_login(world.officer)
    response = client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "hai"}, 0))
    assert response.status_code == 422
    assert "Xã 000 – Vụ hòa giải: “hai” không phải là số" in response.content.decode()
    assert not DataValue.objects.exists()


def test_a_festival_date_warning_is_confirmed_from_the_page(client, world):
    client.force_login(world.officer)
    url = grid_url(world, "2019", form=world.festival)
    data = {(world.areas[0], "ngay_hoi_to_chuc"): "1", (world.areas[0], "ngay_hoi_ngay"): "20/11/2019"}
    first = client.post(url, post_cells(world, data, 0))
    assert first.status_code == 200 and "Xác nhận và lưu" in first.content.decode()
    assert not DataValue.objects.exists()
    confirmed = client.post(url, post_cells(world, data, 1, confirm_warnings="1"))
    assert confirmed.status_code == 302 and DataValue.objects.count() == 2


def test_the_workflow_buttons_submit_return_approve_reopen(client, world, django_capture_on_commit_callbacks):
    def seen():  # the version the grid shows in each review form
        return Submission.objects.get().version

    client.force_login(world.officer)
    client.post(grid_url(world), post_cells(world, full_month(world), 0))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(grid_url(world, name="submit"))
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED and len(mail.outbox) == 1
    client.force_login(world.staff)
    assert "Trả lại" in client.get(grid_url(world)).content.decode()
    client.post(grid_url(world, name="return"), {"reason": "", "version": seen()})
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    client.post(grid_url(world, name="return"), {"reason": "Thiếu", "version": seen()})
    assert Submission.objects.get().status == SubmissionStatus.RETURNED
    client.force_login(world.officer)
    client.post(grid_url(world, name="submit"))
    client.force_login(world.staff)
    client.post(grid_url(world, name="approve"), {"version": seen()})
    assert Submission.objects.get().status == SubmissionStatus.APPROVED
    page = client.get(grid_url(world)).content.decode()
    assert "Mở lại để sửa" in page and 'name="v-' not in page  # an approved report reads as text
    client.post(grid_url(world, name="reopen"), {"reason": "Sửa quỹ", "version": seen()})
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_a_reviewer_pressing_approve_on_a_stale_page_is_refused_and_asked_to_reload(client, world):
    """Reviewer A opens the submitted report; B returns it; the district changes a cell to 999 and
    resubmits; A presses "Duyệt" on the old page: refused, the values A never saw stay unapproved."""
    client.force_login(world.officer)
    client.post(grid_url(world), post_cells(world, full_month(world), 0))
    client.post(grid_url(world, name="submit"))
    client.force_login(world.staff)
    page = client.get(grid_url(world)).content.decode()
    seen = Submission.objects.get().version
    assert page.count(f'name="version" value="{seen}"') >= 3  # the grid, approve and return forms

    submission_return(submission=Submission.objects.get(), by=world.staff, reason="Thiếu")  # reviewer B
    client.force_login(world.officer)
    changed = full_month(world) | {(world.communes[0], "hoa_giai_vu"): "999", (world.communes[0], "hoa_giai_thanh"): "1"}
    client.post(grid_url(world), post_cells(world, changed, Submission.objects.get().version))
    client.post(grid_url(world, name="submit"))
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED

    client.force_login(world.staff)
    response = client.post(grid_url(world, name="approve"), {"version": seen}, follow=True)
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    assert "Hãy tải lại trang" in response.content.decode()
    response = client.post(grid_url(world, name="return"), {"version": seen, "reason": "Cũ"}, follow=True)
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED and "Hãy tải lại trang" in response.content.decode()
    assert client.post(grid_url(world, name="approve")).status_code == 302  # no version at all: refused too
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED

    client.post(grid_url(world, name="approve"), {"version": Submission.objects.get().version})
    assert Submission.objects.get().status == SubmissionStatus.APPROVED


def test_submitting_with_missing_rows_shows_each_row(client, world):
    client.force_login(world.officer)
    client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "1"}, 0))
    response = client.post(grid_url(world, name="submit"), follow=True)
    html = response.content.decode()
    assert "Xã 000: thiếu Quỹ thu, Quỹ chi, Hòa giải thành." in html and "Xã 001: thiếu" in html


def test_a_commune_officer_opens_the_district_grid_and_fills_only_their_rows(client, world):
    client.force_login(world.commune_officer)
    html = client.get(grid_url(world)).content.decode()
    assert html.count(" disabled>") == 0 and world.communes[1].name not in html  # the other commune is not shown
    assert "Gửi báo cáo" not in html
    client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "2"}, 0))
    assert DataValue.objects.get().unit == world.communes[0]
    response = client.post(grid_url(world), post_cells(world, {(world.communes[1], "hoa_giai_vu"): "2"}, 2))
    assert response.status_code == 422 and DataValue.objects.count() == 1
    assert client.post(grid_url(world, name="submit")).status_code == 302
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_another_districts_officer_gets_404_everywhere_and_changes_nothing(client, world):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    client.force_login(world.other_officer)
    assert client.get(grid_url(world)).status_code == 404
    assert client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "9"}, 3)).status_code == 404
    for name in ("submit", "return", "approve", "reopen"):
        assert client.post(grid_url(world, name=name), {"reason": "x"}).status_code == 404
    assert client.get(grid_url(world, name="history")).status_code == 404
    cell = reverse("reports:cell_history", args=["t_thang", "D1", "2019-05", "hoa_giai_vu", world.communes[0].code])
    assert client.get(cell).status_code == 404
    assert client.get(reverse("reports:completeness")).status_code == 404
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.version == 3
    assert set(DataValue.objects.values_list("value_number", flat=True)) == {1}


def test_district_officers_cannot_review_their_own_forms(client, world):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    client.force_login(world.officer)
    client.post(grid_url(world, name="approve"))
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED


def test_malformed_urls_answer_404(client, world):
    client.force_login(world.officer)
    assert client.get(grid_url(world, "2019")).status_code == 404  # a year for a monthly form
    assert client.get(grid_url(world, "2019-13")).status_code == 404
    assert client.get(grid_url(world, unit=world.communes[0])).status_code == 404
    assert client.get(reverse("reports:grid", args=["khong_co", "D1", "2019-05"])).status_code == 404


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_the_inbox_lists_what_is_due_then_overdue_then_waiting_with_status_and_days_overdue(client, world):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    client.force_login(world.officer)
    response = client.get(reverse("reports:inbox"))
    items = response.context["items"]
    labels = [(item.form.code, str(item.period), str(item.status_label), item.days_overdue) for item in items
              if item.form.code.startswith("t_")]  # the data migrations load the real forms too
    # Due now, soonest deadline first: July's report (deadline in August), then the year's festival record.
    assert labels[:2] == [("t_thang", "2019-07", "Chưa nhập", 0), ("t_hoi", "2019", "Chưa nhập", 0)]
    # Then the overdue ones, latest first; the report waiting for review last.
    assert [label for label in labels if label[0] == "t_thang"][1:3] == [("t_thang", "2019-06", "Chưa nhập", 15),
                                                                        ("t_thang", "2019-04", "Chưa nhập", 76)]
    month_items = client.get(reverse("reports:inbox"), {"form": "t_thang", "period": "2019"}).context["items"]
    assert [str(item.period) for item in month_items] == ["2019-07", "2019-06", "2019-04", "2019-03", "2019-02", "2019-01", "2019-05"]
    assert not any(code in ("t_xl", "t_kh") for code, *_ in labels)  # forms of the province


@time_machine.travel(datetime.datetime(2020, 7, 20, 9, 0), tick=False)
def test_a_returned_report_heads_the_inbox_with_its_reason_however_old_its_period(client, world):
    """Given a 2019 report returned with a reason, when the officer opens the inbox a year later,
    then it is listed first with the reason and a link, not pages down among the old periods."""
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    submission_return(submission=submission, by=world.staff, reason="Thiếu số liệu xã 001")
    client.force_login(world.officer)
    response = client.get(reverse("reports:inbox"))
    assert response.context["items"][0].submission == submission
    html = response.content.decode()
    first_row = html.split('id="inbox"')[1].split('<tr data-form=')[1].split("</tr>")[0]
    assert '"t_thang" data-period="2019-05" data-status="RETURNED"' in first_row
    assert "Thiếu số liệu xã 001" in first_row and "Bị trả lại — cần sửa và gửi lại" in html
    assert reverse("reports:grid", args=[world.monthly.code, world.district.code, "2019-05"]) in first_row
    client.force_login(world.other_officer)
    assert all(item.status != "RETURNED" for item in client.get(reverse("reports:inbox")).context["items"])


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_provincial_staff_see_the_review_queue(client, world):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    client.force_login(world.staff)
    response = client.get(reverse("reports:inbox"))
    assert list(response.context["queue"]) == [submission]
    codes = {item.form.code for item in response.context["items"] if item.form.code.startswith("t_")}
    assert codes == {"t_xl", "t_kh"}
    queue = response.content.decode().split('id="review-queue"')[1].split("</table>")[0]
    assert "Tháng 5/2019" in queue and "2019-05</td>" not in queue  # a period label, never the raw code


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_the_inbox_shows_submissions_whose_submitter_or_returner_is_unknown(client, world):
    """Records made in the admin, by bulk tools or the bench generator have no submitted_by or returned_by;
    the inbox lists them with a dash instead of answering 500."""
    sent = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    returned = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-04", by=world.officer)
    Submission.objects.filter(pk=sent.pk).update(status=SubmissionStatus.SUBMITTED, submitted_by=None,
                                                 submitted_at=datetime.datetime(2019, 6, 1, tzinfo=datetime.UTC))
    Submission.objects.filter(pk=returned.pk).update(status=SubmissionStatus.RETURNED, returned_by=None,
                                                     return_reason="Thiếu số liệu")
    client.force_login(world.staff)
    response = client.get(reverse("reports:inbox"))
    assert response.status_code == 200 and list(response.context["queue"]) == [Submission.objects.get(pk=sent.pk)]
    client.force_login(world.officer)
    response = client.get(reverse("reports:inbox"))
    assert response.status_code == 200 and "Thiếu số liệu" in response.content.decode()


@time_machine.travel(datetime.datetime(2019, 6, 10, 9, 0), tick=False)
def test_completeness_shows_each_districts_status_on_time_and_the_missing(client, world, django_assert_max_num_queries):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    submission_approve(submission=submission, by=world.staff)
    client.force_login(world.staff)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reports:completeness"), {"form": "t_thang", "period": "2019-05"})
    report = response.context["report"]
    assert report.percent == 50 and report.approved_count == 1
    assert [(row.unit.code, row.on_time) for row in report.rows] == [("D1", False), ("D2", None)]
    assert [row.unit.code for row in report.missing] == ["D2"]
    assert "Đã nộp 1/2 (50%)" in response.content.decode()


def test_history_shows_who_when_old_and_new_per_submission_and_per_cell(client, world, django_assert_max_num_queries):
    client.force_login(world.officer)
    client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "3"}, 0))
    client.post(grid_url(world), post_cells(world, {(world.communes[0], "hoa_giai_vu"): "5"}, 2))
    client.post(grid_url(world), post_cells(world, full_month(world), 3))
    with django_assert_max_num_queries(10):
        response = client.get(grid_url(world, name="history"))
    changes = [(c["old"], c["new"], c["record"].history_user.username) for c in response.context["changes"]]
    assert len(changes) == 10 and changes[-2:] == [("3", "5", "huyen1"), ("", "3", "huyen1")]
    assert ("5", "1", "huyen1") in changes[:8]
    cell = reverse("reports:cell_history", args=["t_thang", "D1", "2019-05", "hoa_giai_vu", world.communes[0].code])
    assert [(c["old"], c["new"]) for c in client.get(cell).context["changes"]] == [("5", "1"), ("3", "5"), ("", "3")]


@pytest.mark.parametrize("communes", [20, 200])
def test_the_grid_needs_the_same_few_queries_for_20_or_200_rows(client, communes, django_assert_max_num_queries, db):
    world = make_world(communes=communes, areas_per_commune=0)
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    client.force_login(world.officer)
    with django_assert_max_num_queries(15) as captured:
        response = client.get(grid_url(world))
    assert response.status_code == 200 and len(response.context["rows"]) == communes
    test_the_grid_needs_the_same_few_queries_for_20_or_200_rows.counts[communes] = len(captured)
    if len(test_the_grid_needs_the_same_few_queries_for_20_or_200_rows.counts) == 2:
        assert len(set(test_the_grid_needs_the_same_few_queries_for_20_or_200_rows.counts.values())) == 1


test_the_grid_needs_the_same_few_queries_for_20_or_200_rows.counts = {}


@time_machine.travel(datetime.datetime(2020, 12, 20, 9, 0), tick=False)
@pytest.mark.parametrize("submissions", [20, 200])
def test_the_inbox_needs_the_same_few_queries_however_many_submissions(client, world, submissions,
                                                                       django_assert_max_num_queries):
    months = [f"{year}-{month:02d}" for year in (2019, 2020) for month in range(1, 13)]
    forms = [world.monthly] * len(months)
    for i in range(min(submissions, len(months))):
        Submission.objects.create(form=forms[i], unit=world.district, period=months[i], year=int(months[i][:4]))
    client.force_login(world.staff)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reports:inbox")).status_code == 200
    client.force_login(world.officer)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("reports:inbox")).status_code == 200


def test_provincial_staff_rate_districts_with_a_select_of_the_scales_levels(client, world):
    client.force_login(world.staff)
    url = grid_url(world, "2019", form=world.rating, unit=world.province)
    html = client.get(url).content.decode()
    assert '<option value="kha">Khá</option>' in html
    response = client.post(url, post_cells(world, {(world.district, "xep_loai"): "kha",
                                                   (world.other_district, "xep_loai"): "Tốt"}, 0))
    assert response.status_code == 302
    saved = dict(DataValue.objects.values_list("unit__code", "rating_level__name"))
    assert saved == {"D1": "Khá", "D2": "Tốt"}
    client.force_login(world.officer)
    assert client.get(url).status_code == 404  # the province's own forms are not the district's business


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_a_commune_officers_inbox_lists_the_district_forms_they_help_fill(client, world):
    client.force_login(world.commune_officer)
    items = client.get(reverse("reports:inbox")).context["items"]
    assert {item.unit for item in items} == {world.district}
    assert {"t_thang", "t_hoi"} <= {item.form.code for item in items}


def test_history_lists_each_change_of_status_once_with_who_made_it(client, world):
    """The officer's saves after a return are not listed as returns of theirs; no "∅ → ∅" rows."""
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, full_month(world)), by=world.officer, expected_version=1)
    submission_submit(submission=submission, by=world.officer)
    submission_return(submission=Submission.objects.get(pk=submission.pk), by=world.staff, reason="Thiếu")
    submission.refresh_from_db()
    data = {(world.communes[0], "hoa_giai_vu"): "2"}
    version = values_save(submission=submission, values=cells(world, data), by=world.officer,
                          expected_version=submission.version).version
    values_save(submission=submission, values=cells(world, data), by=world.officer, expected_version=version)
    client.force_login(world.officer)
    response = client.get(grid_url(world, name="history"))
    steps = [(step.status, getattr(step.history_user, "username", None)) for step in response.context["steps"]]
    returned = [user for status, user in steps if status == SubmissionStatus.RETURNED]
    assert returned == ["tinh"]
    assert [status for status, _user in steps] == sorted(set(status for status, _user in steps), key=[s for s, _u in steps].index)
    assert all(change["old"] != change["new"] for change in response.context["changes"])
