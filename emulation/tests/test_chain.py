"""The chain the portal exists for, through the pages a user drives: figures typed in the grid,
submitted and approved → target results → emulation points, total and ranking; and a full
``compute_targets --year`` run. Tasks run in-process (no broker), after commit as in production."""
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse

from emulation.models import Score, ScoreSheet, SheetStatus
from mattran.models import OfficerRole, PendingTask, Unit, UnitKind
from programs.models import Indicator
from reports.models import DataValue, Submission, SubmissionStatus, TargetResult
from tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db
YEAR = 2019
FESTIVAL_CRITERION = "1.1"  # the district guide's automatic criterion on target ngay_hoi_kdc


@pytest.fixture
def world():
    province = make_tree(districts=2, communes=2, areas=10)
    return {
        "province": province,
        "d1": Unit.objects.get(code="D1"),
        "d2": Unit.objects.get(code="D2"),
        "staff": make_officer("tinh", province, OfficerRole.PROVINCE_STAFF),
        "o1": make_officer("huyen1", Unit.objects.get(code="D1")),
        "o2": make_officer("huyen2", Unit.objects.get(code="D2")),
    }


def grid(district, name="grid"):
    return reverse(f"reports:{name}", args=["ngay_hoi", district.code, str(YEAR)])


def enter_festival(client, officer, district, held: int, capture):
    """The district officer types "có" for the first ``held`` areas and "không" for the rest, saves and submits."""
    indicator = Indicator.objects.get(code="ngay_hoi_to_chuc")
    areas = list(Unit.objects.filter(district=district, kind=UnitKind.AREA).order_by("code"))
    submission = Submission.objects.filter(form__code="ngay_hoi", unit=district, period=str(YEAR)).first()
    payload = {f"v-{a.pk}-{indicator.pk}": "có" if i < held else "không" for i, a in enumerate(areas)}
    payload["version"] = str(submission.version if submission else 0)
    client.force_login(officer)
    with capture(execute=True):
        response = client.post(grid(district), payload)
    assert response.status_code == 302, response.content.decode()[:2000]
    with capture(execute=True):
        client.post(grid(district, "submit"))
    assert Submission.objects.get(form__code="ngay_hoi", unit=district, period=str(YEAR)).status == SubmissionStatus.SUBMITTED


def shown_version(district) -> int:
    """The version the grid's review forms carry (the reviewer saw the current one)."""
    return Submission.objects.get(form__code="ngay_hoi", unit=district, period=str(YEAR)).version


def approve(client, staff, district, capture):
    client.force_login(staff)
    with capture(execute=True):
        client.post(grid(district, "approve"), {"version": shown_version(district)})
    assert Submission.objects.get(form__code="ngay_hoi", unit=district, period=str(YEAR)).status == SubmissionStatus.APPROVED


def festival_score(district) -> Score:
    return Score.objects.select_related("sheet").get(
        sheet__guide__year=YEAR, sheet__guide__scored_kind=UnitKind.DISTRICT, sheet__unit=district,
        criterion__code=FESTIVAL_CRITERION,
    )


def test_festival_figures_typed_submitted_and_approved_reach_the_points_total_and_ranking(
    client, world, django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    enter_festival(client, world["o1"], world["d1"], 20, capture)   # 20/20 areas
    enter_festival(client, world["o2"], world["d2"], 15, capture)   # 15/20 = 75%
    approve(client, world["staff"], world["d1"], capture)
    approve(client, world["staff"], world["d2"], capture)

    assert TargetResult.objects.get(target__code="ngay_hoi_kdc", unit=world["d2"], year=YEAR).percent == D("75.00")
    first_d1, first_d2 = festival_score(world["d1"]), festival_score(world["d2"])
    assert first_d1.auto_points > first_d2.auto_points
    assert "20/20" in first_d1.auto_detail and "15/20" in first_d2.auto_detail
    sheet_d1 = ScoreSheet.objects.get(pk=first_d1.sheet_id)
    sheet_d2 = ScoreSheet.objects.get(pk=first_d2.sheet_id)
    assert (sheet_d1.rank_in_province, sheet_d2.rank_in_province) == (1, 2)
    assert sheet_d1.total - sheet_d2.total == first_d1.auto_points - first_d2.auto_points

    # The province reopens D1, whose officer corrects ten areas to "không" (10/20) and resubmits.
    client.force_login(world["staff"])
    with capture(execute=True):
        client.post(grid(world["d1"], "reopen"), {"reason": "Sai số liệu", "version": shown_version(world["d1"])})
    enter_festival(client, world["o1"], world["d1"], 10, capture)
    approve(client, world["staff"], world["d1"], capture)

    later_d1 = festival_score(world["d1"])
    assert later_d1.auto_points < first_d2.auto_points and "10/20" in later_d1.auto_detail
    total_before = sheet_d1.total
    sheet_d1.refresh_from_db()
    sheet_d2.refresh_from_db()
    assert sheet_d1.total == total_before - (first_d1.auto_points - later_d1.auto_points)
    assert (sheet_d1.rank_in_province, sheet_d2.rank_in_province) == (2, 1)

    client.force_login(world["staff"])
    page = client.get(reverse("emulation:ranking", args=[YEAR]) + "?cap=DISTRICT").content.decode()
    assert page.index("Huyện 2") < page.index("Huyện 1")
    assert "Điểm tự động cập nhật lúc" in page and 'id="scores-pending"' not in page
    assert not PendingTask.objects.exists()


def test_a_full_compute_targets_run_brings_the_scores_up_to_date(client, world, django_capture_on_commit_callbacks):
    """Values changed outside the workflow (a correction in the admin) reach the scores through
    ``compute_targets --year`` alone."""
    capture = django_capture_on_commit_callbacks
    enter_festival(client, world["o1"], world["d1"], 20, capture)
    approve(client, world["staff"], world["d1"], capture)
    before = festival_score(world["d1"])
    total_before = ScoreSheet.objects.get(pk=before.sheet_id).total
    assert before.auto_points > 0

    DataValue.objects.filter(indicator__code="ngay_hoi_to_chuc", unit__district=world["d1"]).update(value_bool=False)
    with capture(execute=True):
        call_command("compute_targets", year=YEAR, stdout=open("/dev/null", "w"))  # noqa: SIM115

    after = festival_score(world["d1"])
    assert after.auto_points == 0 and "0/20" in after.auto_detail
    assert ScoreSheet.objects.get(pk=after.sheet_id).total == total_before - before.auto_points


def test_a_final_sheet_keeps_its_decided_total_and_shows_what_newer_data_would_give(
    client, world, django_capture_on_commit_callbacks,
):
    capture = django_capture_on_commit_callbacks
    enter_festival(client, world["o1"], world["d1"], 20, capture)
    approve(client, world["staff"], world["d1"], capture)
    sheet = festival_score(world["d1"]).sheet
    ScoreSheet.objects.filter(pk=sheet.pk).update(status=SheetStatus.FINAL)
    Score.objects.filter(sheet=sheet).update(final_points=0)
    decided_points = festival_score(world["d1"]).auto_points
    with capture(execute=True):
        call_command("compute_targets", year=YEAR, stdout=open("/dev/null", "w"))  # noqa: SIM115
    decided_total = ScoreSheet.objects.get(pk=sheet.pk).total
    assert ScoreSheet.objects.get(pk=sheet.pk).newer_total is None

    client.force_login(world["staff"])
    with capture(execute=True):
        client.post(grid(world["d1"], "reopen"), {"reason": "Sai số liệu", "version": shown_version(world["d1"])})
    enter_festival(client, world["o1"], world["d1"], 10, capture)
    approve(client, world["staff"], world["d1"], capture)

    sheet.refresh_from_db()
    assert sheet.total == decided_total
    assert festival_score(world["d1"]).auto_points == decided_points
    assert sheet.newer_total is not None and sheet.newer_total < decided_total
    page = client.get(reverse("emulation:sheet", args=[YEAR, world["d1"].pk])).content.decode()
    assert 'id="newer-total"' in page
