"""Reporting on the new tree: after the July 2025 reform a new commune's officer submits its
areas' festival for 2025 under the 2025–2030 plan, the province's 2025 result counts the areas
active on 31/12/2025 on the new tree, the officer of abolished district 178 is due nothing after
June 2025, a closed plan lists nothing as due, and the API re-cuts 2019 on today's tree."""
import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from mattran.models import Officer, OfficerRole, Unit, UnitKind, UnitPlacement
from mattran.services import areas_move
from programs.models import ActionPlan, Indicator, Target
from programs.services import plan_copy
from reports.models import DataValue, ReportForm, Submission, SubmissionStatus, TargetResult
from reports.periods import Period
from reports.submissions import selectors, services
from reports.targets import runs
from tests.factories import make_officer, make_unit

pytestmark = pytest.mark.django_db

REFORM = datetime.date(2025, 7, 1)
TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def world(time_machine):
    """Lạng Sơn with three areas in each of two old wards of TP Lạng Sơn (178) reporting 2019, the
    reform, the 2025–2030 plan copied and its festival form handed to the communes from 1/7/2025."""
    time_machine.move_to(datetime.datetime(2026, 11, 26, 9, 0))
    call_command("import_units", "--province", "20", stdout=StringIO())
    areas = {}
    for commune in ("05971", "05974"):
        for n in range(1, 4):
            code = f"{commune}-{n}"
            areas[code] = make_unit(code, f"Khối {n} ({commune})", UnitKind.AREA, Unit.objects.get(code=commune))
    district = Unit.objects.get(code="178")
    officer = make_officer("huyen.178", district)
    form_2019 = ReportForm.objects.get(code="ngay_hoi")
    held = Indicator.objects.get(code="ngay_hoi_to_chuc")
    submission = services.submission_get_or_create(form=form_2019, unit=district, period=Period.year_of(2019), by=officer)
    # 2019: held in 05971-1, 05971-2 and 05974-1; not in the others.
    services.values_save(submission=submission, by=officer, expected_version=submission.version, values={
        (areas[code].pk, held.pk): code in ("05971-1", "05971-2", "05974-1") for code in areas
    })
    submission.refresh_from_db()
    services.submission_submit(submission=submission, by=officer)
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    source = ActionPlan.objects.get(term_start=2015)
    plan = plan_copy(source=source, code="ct-2025-2030", title="Chương trình 2025–2030 (ví dụ)", term_start=2025, term_end=2030)
    ReportForm.objects.filter(plan=plan, code="ngay_hoi_2025").update(later_submitter_kind=UnitKind.COMMUNE, later_submitter_from=REFORM)
    new_ward = Unit.objects.get(kind=UnitKind.COMMUNE, valid_from=REFORM, code=UnitPlacement.objects.on(datetime.date(2025, 12, 31)).get(unit=areas["05971-1"]).commune.code)
    return {"areas": areas, "district": district, "officer": officer, "plan": plan, "ward": new_ward,
            "held": held, "form": ReportForm.objects.get(code="ngay_hoi_2025")}


def test_a_new_wards_officer_submits_the_2025_festival_and_the_province_counts_the_new_tree(world, client, django_assert_max_num_queries):
    ward, form = world["ward"], world["form"]
    officer = make_officer(f"xa.{ward.code}", ward, role=OfficerRole.COMMUNE_OFFICER)
    client.force_login(officer)

    inbox = client.get(reverse("reports:inbox")).content.decode()
    grid_url = reverse("reports:grid", args=[form.code, ward.code, "2025"])
    assert grid_url in inbox
    with django_assert_max_num_queries(15):
        page = client.get(grid_url)
    assert page.status_code == 200
    rows = list(Unit.objects.within_on(ward, datetime.date(2025, 12, 31)).filter(kind=UnitKind.AREA).order_by("code"))
    assert [u.code for u in rows] == ["05971-1", "05971-2", "05971-3"]  # 05974's areas went to another ward
    for row in rows:
        assert row.name in page.content.decode()

    held = world["held"]
    post = {"version": "1", **{f"v-{row.pk}-{held.pk}": "1" if row.code != "05971-3" else "0" for row in rows}}
    saved = client.post(grid_url, post)
    assert saved.status_code == 302
    submission = Submission.objects.get(form=form, unit=ward, period="2025")
    client.post(reverse("reports:submit", args=[form.code, ward.code, "2025"]))
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.submitted_by == officer

    runs.years_recompute_inline([2025])
    target = Target.objects.get(code="ngay_hoi_kdc_2025")
    province = TargetResult.objects.get(target=target, unit__code="20", year=2025)
    active = UnitPlacement.objects.on(datetime.date(2025, 12, 31)).filter(kind=UnitKind.AREA, province__code="20").count()
    assert (province.numerator, province.denominator) == (2, active) and active == 6
    assert TargetResult.objects.get(target=target, unit=ward, year=2025).denominator == 3
    assert not TargetResult.objects.filter(year=2025, unit__kind=UnitKind.DISTRICT).exists()


def test_the_officer_of_abolished_district_178_is_due_nothing_after_june_2025(world, client):
    unit, forms = selectors.inbox_unit_and_forms(Officer.objects.select_related("unit").get(user=world["officer"]))
    pairs = selectors.inbox_entries(unit, forms, TODAY)
    assert unit == world["district"] and pairs
    assert max(period.end for _form, period in pairs) <= datetime.date(2025, 6, 30)
    # The 2015–2020 plan's forms stop with their plan: nothing of 2021–2024 either.
    assert all(period.year <= 2020 or form.plan == world["plan"] for form, period in pairs)
    client.force_login(world["officer"])
    page = client.get(reverse("reports:inbox")).content.decode()
    assert "/2025-12/" not in page and "/2026" not in page
    # …and keeps read access to its district's history.
    assert client.get(reverse("reports:grid", args=["ngay_hoi", "178", "2019"])).status_code == 200


def test_the_api_recuts_2019_on_todays_tree_and_matches_a_hand_count(world, client):
    ward = world["ward"]
    client.force_login(make_officer("tinh", Unit.objects.get(code="20"), role=OfficerRole.PROVINCE_STAFF))
    runs.years_recompute_inline([2019])
    url = "/api/v1/target-results/"

    recut = client.get(url, {"year": 2019, "unit": ward.code, "as_of": "2025-07-01"})
    assert recut.status_code == 200, recut.content
    festival = next(row for row in recut.json() if row["target"] == "ngay_hoi_kdc")
    # By hand: the ward holds 05971-1, -2, -3 now; in 2019 two of them held the festival.
    areas_now = UnitPlacement.objects.on(REFORM).filter(commune=ward, kind=UnitKind.AREA).values("unit_id")
    held = DataValue.objects.filter(unit_id__in=areas_now, period="2019", indicator=world["held"], value_bool=True).count()
    assert (festival["numerator"], festival["denominator"], held) == (2, 3, 2)
    assert festival["as_of"] == "2025-07-01"

    # Without as_of, the tree of 2019: code 178 is the district, with its stored row (3 of 6).
    stored = client.get(url, {"year": 2019, "unit": "178"}).json()
    row = next(r for r in stored if r["target"] == "ngay_hoi_kdc")
    assert (row["numerator"], row["denominator"]) == (3, 6)
    # Without as_of the ward's code names the commune that held it in 2019 (codes were reused).
    held_then = Unit.objects.by_code(ward.code, datetime.date(2019, 12, 31))
    assert held_then.pk != ward.pk and held_then.valid_to == datetime.date(2025, 6, 30)
    then = client.get(url, {"year": 2019, "unit": ward.code}).json()
    assert [r["denominator"] for r in then] == list(
        TargetResult.objects.filter(unit=held_then, year=2019).order_by("target__code").values_list("denominator", flat=True)
    )
    bad = client.get(url, {"year": 2019, "unit": ward.code, "as_of": "1/7/2025"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.content.decode()


def test_moving_an_area_to_another_ward_from_the_reform_leaves_2019_as_it_was(world):
    runs.years_recompute_inline([2019])
    before = sorted(TargetResult.objects.filter(year=2019).values_list("target_id", "unit_id", "numerator", "denominator"))
    other = Unit.objects.filter(kind=UnitKind.COMMUNE, valid_from=REFORM).exclude(pk=world["ward"].pk).order_by("code").first()
    areas_move(areas=[world["areas"]["05971-1"]], to=other, on=REFORM)
    runs.years_recompute_inline([2019])
    after = sorted(TargetResult.objects.filter(year=2019).values_list("target_id", "unit_id", "numerator", "denominator"))
    assert after == before and not TargetResult.objects.filter(year=2019, unit=other).exists()



def test_the_recut_page_and_api_stay_within_scope_and_constant_queries(world, client, django_assert_max_num_queries):
    ward = world["ward"]
    outsider = make_officer("huyen.180", Unit.objects.get(code="180"))
    client.force_login(outsider)
    # Another district's officer (an abolished one, at that) reads nothing of TP Lạng Sơn's ward.
    assert client.get("/api/v1/target-results/", {"year": 2019, "unit": ward.code, "as_of": "2025-07-01"}).status_code == 404
    assert client.get(reverse("targets:year", args=[2019]), {"unit": ward.code, "theo": "hien-nay"}).status_code == 404
    assert client.get(reverse("reports:grid", args=["ngay_hoi", "178", "2019"])).status_code == 404

    client.force_login(make_officer("tinh", Unit.objects.get(code="20"), role=OfficerRole.PROVINCE_STAFF))
    runs.years_recompute_inline([2019])
    url = reverse("targets:year", args=[2019])
    with django_assert_max_num_queries(15):
        page = client.get(url, {"unit": ward.code, "theo": "hien-nay"})
    assert "Năm 2019 theo địa giới hiện nay" in page.content.decode()
    with django_assert_max_num_queries(15):
        offered = client.get(url, {"unit": ward.code})
    assert offered.status_code == 200
    with django_assert_max_num_queries(15) as few:
        client.get("/api/v1/target-results/", {"year": 2019, "unit": ward.code, "as_of": "2025-07-01"})
    # More areas under the ward do not add queries.
    for n in range(10):
        make_unit(f"EXTRA{n}", f"Khối thêm {n}", UnitKind.AREA, ward)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/target-results/", {"year": 2019, "unit": ward.code, "as_of": "2025-07-01"})


def test_an_administrator_copies_the_plan_to_a_new_term_in_the_admin(admin_client):
    source = ActionPlan.objects.get(term_start=2015)
    changelist = reverse("admin:programs_actionplan_changelist")
    form = admin_client.post(changelist, {"action": "copy_to_new_term", "_selected_action": [source.pk]})
    assert "Sao chép chương trình hành động sang nhiệm kỳ mới" in form.content.decode()
    refused = admin_client.post(changelist, {
        "action": "copy_to_new_term", "_selected_action": [source.pk], "apply": "1",
        "code": source.code, "title": "Bản sao", "term_start": "2025", "term_end": "2024",
    })
    html = refused.content.decode()
    assert "Đã có chương trình mã" in html and "Năm kết thúc phải sau hoặc bằng năm bắt đầu." in html
    assert ActionPlan.objects.count() == 1
    done = admin_client.post(changelist, {
        "action": "copy_to_new_term", "_selected_action": [source.pk], "apply": "1",
        "code": "ct-2025", "title": "Chương trình 2025–2030", "term_start": "2025", "term_end": "2030",
    })
    copy = ActionPlan.objects.get(code="ct-2025")
    assert done.status_code == 302 and done.url == reverse("admin:programs_actionplan_change", args=[copy.pk])
    assert copy.programs.count() == source.programs.count() and copy.programs.count() > 0
    assert ReportForm.objects.filter(plan=copy).count() == ReportForm.objects.filter(plan=source).count() > 0
    festival = Target.objects.get(code="ngay_hoi_kdc_2025")
    assert (festival.first_year, festival.last_year, festival.program.plan) == (2025, 2030, copy)
    form = ReportForm.objects.get(code="ngay_hoi_2025")
    assert list(form.form_indicators.values_list("indicator__code", flat=True)) == list(
        ReportForm.objects.get(code="ngay_hoi").form_indicators.values_list("indicator__code", flat=True))
    assert form.applies_to_year(2025) and not form.applies_to_year(2020)
    assert not ReportForm.objects.get(code="ngay_hoi").applies_to_year(2021)
