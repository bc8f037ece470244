"""Every main page fits a phone: at 360×740 (and 1280×800) the page never scrolls sideways.

Headless Chromium against the live server, as provincial staff, a district and a commune officer: for each main
page (inbox, review queue, history, targets, dashboards, emulation, program and campaign pages)
``document.documentElement.scrollWidth`` must not exceed the viewport's width (a wide table scrolls
inside its own box). On a phone the queue's "Xem và duyệt" is on screen, and no chart's legend entry
runs past the chart. The entry grid has its own browser tests (reports/tests/test_grid_browser.py).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from mattran.models import OfficerRole, Unit, UnitKind
from reports.models import ReportForm, Submission, SubmissionStatus
from reports.targets import runs
from reports.tests.target_factories import festival
from tests.browser import launched_chromium
from tests.factories import DEMO_PASSWORD, make_officer, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
YEAR = 2019
VIEWPORTS = [(360, 740), (1280, 800)]
CAMPAIGN = "nong_thon_moi"

# Pages both users open ({district} is the officer's district's code, {district_id} its id).
COMMON = [
    "/", "/bao-cao/", "/bao-cao/?status=all", "/bao-cao/ngay_hoi/{district}/2019/lich-su/",
    "/chi-tieu/2019/", "/tong-quan/?year=2019", "/tong-quan/chuong-trinh/1/?year=2019",
    f"/tong-quan/cuoc-van-dong/{CAMPAIGN}/", "/chuong-trinh/", "/chuong-trinh/1/", "/chuong-trinh/4/",
    "/cuoc-van-dong/", f"/cuoc-van-dong/{CAMPAIGN}/", "/thi-dua/", "/thi-dua/2019/xep-hang/",
    "/thi-dua/2019/don-vi/{district_id}/", "/thi-dua/don-vi/{district_id}/", "/so-theo-doi/", "/don-vi/{district}/",
]
# A commune officer's pages: mostly on a phone, in the mountains.
COMMUNE = ["/", "/bao-cao/", "/bao-cao/?status=all", "/chi-tieu/2019/", "/tong-quan/?year=2019",
           "/tong-quan/chuong-trinh/1/?year=2019", "/chuong-trinh/", "/chuong-trinh/1/", "/cuoc-van-dong/",
           f"/cuoc-van-dong/{CAMPAIGN}/", "/thi-dua/", "/so-theo-doi/"]
STAFF_ONLY = ["/bao-cao/day-du/", "/chi-tieu/2019/?unit={district}", "/tong-quan/?year=2019&unit={district}",
              "/thi-dua/danh-hieu/2019/", "/don-vi/"]

WIDTHS = """() => {
  const charts = [...document.querySelectorAll("canvas")].map((c) => window.Chart && Chart.getChart(c)).filter(Boolean);
  const legends = charts.flatMap((chart) => (chart.legend && chart.legend.legendHitBoxes || [])
    .filter((box) => box.left < -1 || box.left + box.width > chart.width + 1)
    .map((box) => `${chart.canvas.id}: ${box.left}+${box.width} > ${chart.width}`));
  return {scroll: document.documentElement.scrollWidth, viewport: window.innerWidth, charts: charts.length, legends};
}"""


@pytest.fixture
def portal(transactional_db):
    """Three districts of two communes of three areas; the festival of 2019 approved in D1, sent by D2
    (in the review queue), nothing from D3 ("Chưa báo cáo"); the year's targets computed."""
    province = make_tree(districts=3, communes=2, areas=3)
    areas = {d: list(Unit.objects.filter(district__code=d, kind=UnitKind.AREA)) for d in ("D1", "D2")}
    festival(Unit.objects.get(code="D1"), YEAR, {a: True for a in areas["D1"]})
    festival(Unit.objects.get(code="D2"), YEAR, {a: i % 2 == 0 for i, a in enumerate(areas["D2"])},
             status=SubmissionStatus.SUBMITTED)
    runs.years_recompute_inline([YEAR])
    district = Unit.objects.get(code="D1")
    Submission.objects.create(  # a returned report heads the officer's inbox with its reason
        form=ReportForm.objects.get(code="bao_cao_thang"), unit=district, period="2019-05", year=YEAR,
        status=SubmissionStatus.RETURNED, return_reason="Còn thiếu số liệu hòa giải của xã 1.2, đề nghị bổ sung.")
    return {
        "district": district,
        "users": {
            "tinh": (make_officer("tinh", province, OfficerRole.PROVINCE_STAFF), COMMON + STAFF_ONLY),
            "huyen1": (make_officer("huyen1", district), COMMON),
            "xa1": (make_officer("xa1", Unit.objects.get(code="D1C1"), OfficerRole.COMMUNE_OFFICER), COMMUNE),
        },
    }


@pytest.fixture
def chromium():
    with launched_chromium() as browser:
        yield browser


def logged_in(chromium, base_url, username, viewport):
    width, height = viewport
    context = chromium.new_context(base_url=base_url, viewport={"width": width, "height": height})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/dang-nhap/" not in page.url
    return context, page


@pytest.mark.parametrize("username", ["tinh", "huyen1", "xa1"])
def test_every_main_page_fits_the_viewport_on_a_phone_and_a_laptop(portal, chromium, live_server, username):
    """Given provincial staff, a district officer or a commune officer, when they open each main page at 360×740 and at
    1280×800, then no page is wider than the screen and no chart legend runs past its chart."""
    _user, paths = portal["users"][username]
    district = portal["district"]
    urls = [p.format(district=district.code, district_id=district.pk) for p in paths]
    problems, charts = [], 0
    for viewport in VIEWPORTS:
        context, page = logged_in(chromium, live_server.url, username, viewport)
        for url in urls:
            response = page.goto(url)
            assert response.ok, f"{url}: {response.status}"
            page.wait_for_load_state("load")
            measured = page.evaluate(WIDTHS)
            charts += measured["charts"]
            if measured["scroll"] > measured["viewport"]:
                problems.append(f"{viewport[0]} px {url}: the page is {measured['scroll']} px wide")
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / f"phone-{username}-{viewport[0]}-{url.strip('/').replace('/', '_')}.png"))
            problems += [f"{viewport[0]} px {url}: legend {legend}" for legend in measured["legends"]]
        context.close()
    assert not problems, "\n".join(problems)
    assert charts >= 2 * 4  # the charts were drawn (and their legends measured) at both widths


def test_the_queues_review_button_and_the_inbox_actions_are_on_a_phones_screen(portal, chromium, live_server):
    context, page = logged_in(chromium, live_server.url, "tinh", (360, 740))
    page.goto("/bao-cao/")
    button = page.locator("#review-queue tr", has_text="Huyện 2").get_by_role("link", name="Xem và duyệt")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
    with page.expect_navigation():
        button.click()
    assert page.url.endswith("/bao-cao/ngay_hoi/D2/2019/")
    context.close()
    context, page = logged_in(chromium, live_server.url, "huyen1", (360, 740))
    page.goto("/bao-cao/")
    first_open = page.locator("#inbox tbody tr[data-form] a").first
    box = first_open.bounding_box()
    assert box["x"] + box["width"] <= 360, box  # "Mở" of the first row is on screen, no sideways scroll
    context.close()
