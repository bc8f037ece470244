"""Browser journey across the July 2025 reform, in Debian's headless Chromium.

A new ward's officer, on a 360-px phone, opens the 2025 festival record from the inbox, fills
the grid and submits it; provincial staff see 2025 on the new tree (the ward under the province,
no district) and 2019 re-cut on today's tree with its label. Screenshots in ``test-artifacts/``.
"""
from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from mattran.models import OfficerRole, Unit, UnitKind, UnitPlacement
from programs.models import ActionPlan, Indicator
from programs.services import plan_copy
from reports.models import ReportForm, Submission, SubmissionStatus
from reports.periods import Period
from reports.submissions import services
from tests.factories import make_officer, make_unit
from tests.test_journeys import ARTIFACTS, TIMEOUT_MS, chromium, login  # noqa: F401  (chromium: the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFORM = datetime.date(2025, 7, 1)


@pytest.fixture
def reformed(transactional_db):
    """Lạng Sơn with three areas of Phường Hoàng Văn Thụ (05971) that reported 2019 through
    district 178, the reform imported, the 2025–2030 plan copied, festival handed to the communes."""
    call_command("import_units", "--province", "20", stdout=StringIO())
    areas = [make_unit(f"05971-{n}", f"Khối {n}", UnitKind.AREA, Unit.objects.get(code="05971")) for n in (1, 2, 3)]
    district = Unit.objects.get(code="178")
    officer = make_officer("huyen.178", district)
    staff = make_officer("tinh", Unit.objects.get(code="20"), OfficerRole.PROVINCE_STAFF)
    held = Indicator.objects.get(code="ngay_hoi_to_chuc")
    submission = services.submission_get_or_create(form=ReportForm.objects.get(code="ngay_hoi"), unit=district,
                                                   period=Period.year_of(2019), by=officer)
    services.values_save(submission=submission, by=officer, expected_version=submission.version,
                         values={(a.pk, held.pk): a.code != "05971-3" for a in areas})
    submission.refresh_from_db()
    services.submission_submit(submission=submission, by=officer)
    submission.refresh_from_db()
    services.submission_approve(submission=submission, by=staff, expected_version=submission.version)
    call_command("import_units", "--province", "20", "--as-of", "2025-07-01", stdout=StringIO())
    plan = plan_copy(source=ActionPlan.objects.get(term_start=2015), code="ct-2025-2030", title="Chương trình 2025–2030",
                     term_start=2025, term_end=2030)
    ReportForm.objects.filter(plan=plan, code="ngay_hoi_2025").update(later_submitter_kind=UnitKind.COMMUNE, later_submitter_from=REFORM)
    ward = UnitPlacement.objects.on(datetime.date(2025, 12, 31)).select_related("commune").get(unit=areas[0]).commune
    make_officer(f"xa.{ward.code}", ward, OfficerRole.COMMUNE_OFFICER)
    return {"ward": ward}


def phone(chromium, live_server):  # noqa: F811
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740}, is_mobile=True)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"reform-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: test-artifacts/{path.name}")


def test_a_new_wards_officer_submits_2025_on_a_phone_and_staff_see_the_new_tree_and_2019_recut(reformed, chromium, live_server):  # noqa: F811
    ward = reformed["ward"]
    context, page = phone(chromium, live_server)
    try:
        login(page, f"xa.{ward.code}")
        page.goto("/bao-cao/")
        shot(page, "01-ward-inbox-phone")
        row = page.locator("tr, li, .card", has_text="Ngày hội Đại đoàn kết").filter(has_text="Năm 2025").first
        with page.expect_navigation():
            row.get_by_role("link").first.click()
        assert f"/bao-cao/ngay_hoi_2025/{ward.code}/2025/" in page.url
        assert page.get_by_text("Khối 1").count() and page.get_by_text("Khối 3").count()
        held = page.locator('.grid-cell[data-col="0"]')
        assert held.count() == 3
        for index in range(3):  # one area's card at a time on a phone: fill it, then the next
            held.nth(index).select_option("1" if index < 2 else "0")
            if index < 2:
                page.click("#card-next")
        shot(page, "02-ward-grid-phone")
        with page.expect_navigation():
            page.click("#save-draft")
        with page.expect_navigation():
            page.click("#submit-form")
        shot(page, "03-ward-submitted-phone")
        submission = Submission.objects.get(form__code="ngay_hoi_2025", unit=ward, period="2025")
        assert submission.status == SubmissionStatus.SUBMITTED
    finally:
        context.close()

    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    staff = context.new_page()
    try:
        login(staff, "tinh")
        staff.goto("/chi-tieu/2025/")
        shot(staff, "04-staff-2025-new-tree")
        body = staff.locator("main").inner_text()
        assert ward.name in body and "Thành phố Lạng Sơn" not in body  # the new tree: no district in 2025
        staff.goto(f"/chi-tieu/2019/?unit={ward.code}&theo=hien-nay")
        shot(staff, "05-staff-2019-recut")
        recut = staff.locator("#recut")
        assert "Năm 2019 theo địa giới hiện nay" in recut.inner_text()
        festival = recut.locator('tr[data-recut="ngay_hoi_kdc"]').inner_text()
        assert "2/3" in festival and "66,67%" in festival
    finally:
        context.close()
