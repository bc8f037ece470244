"""The grid page for a real district: pages that keep communes whole, a light page for 226 areas in the
same queries, last year's values labelled, the form's help, read-only rows as text, and a submission
that never goes up over an edit that could not be saved."""
import pytest
from django.urls import reverse

from mattran.models import UnitKind
from programs.models import ValueType
from reports.models import DataValue, FormIndicator, Submission, SubmissionStatus
from reports.submissions import grid_page
from reports.submissions.services import submission_get_or_create, values_save
from reports.tests.factories import cells, make_indicator, make_unit, make_world

pytestmark = pytest.mark.django_db

FESTIVAL_COLUMNS = ("ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_le_va_hoi", "ngay_hoi_bua_com")


def grid_url(world, period="2019", name="grid", form=None):
    return reverse(f"reports:{name}", args=[(form or world.festival).code, world.district.code, period])


def festival_world(communes: int, areas_per_commune: int, extra_areas: int = 0):
    """The test world with a four-column festival form, as the demo's, and ``extra_areas`` in one more commune."""
    world = make_world(communes=communes, areas_per_commune=areas_per_commune)
    world.indicators["ngay_hoi_bua_com"] = make_indicator("ngay_hoi_bua_com", ValueType.BOOLEAN, "Có bữa cơm đoàn kết")
    FormIndicator.objects.create(form=world.festival, indicator=world.indicators["ngay_hoi_bua_com"], order=3,
                                 required=False)
    if extra_areas:
        commune = make_unit("D1C999", UnitKind.COMMUNE, world.district, name="Xã Cuối")
        world.communes.append(commune)
        world.areas += [make_unit(f"D1C999A{a}", UnitKind.AREA, commune, name=f"Thôn Cuối {a}") for a in range(extra_areas)]
    return world


def fill_festival(world, period: str, day: int):
    """Every area's four festival cells saved for ``period`` (a held festival on ``day``/11)."""
    submission = submission_get_or_create(form=world.festival, unit=world.district, period=period, by=world.officer)
    row = {"ngay_hoi_to_chuc": "có", "ngay_hoi_ngay": f"{day}/11/{period}", "ngay_hoi_le_va_hoi": "có",
           "ngay_hoi_bua_com": "không"}
    data = {(area, code): row[code] for area in world.areas for code in FESTIVAL_COLUMNS}
    result = values_save(submission=submission, values=cells(world, data), by=world.officer,
                         expected_version=submission.version, confirm_warnings=True)
    assert result.saved, [str(e) for e in result.errors]
    return submission


def test_pages_hold_whole_communes_and_are_named_by_them(client, monkeypatch):
    """Seven communes of three areas, at most seven rows a page: 6 + 6 + 6 + 3, never a commune cut in two."""
    monkeypatch.setattr(grid_page, "GRID_PAGE_ROWS", 7)
    world = make_world(communes=7, areas_per_commune=3)
    submission_get_or_create(form=world.festival, unit=world.district, period="2019", by=world.officer)
    client.force_login(world.officer)
    seen = []
    for number in range(1, 5):
        response = client.get(grid_url(world), {"page": number})
        rows = response.context["rows"]
        seen.append([row["unit"] for row in rows])
        assert len(rows) == (6 if number < 4 else 3)
    assert [area for page in seen for area in page] == world.areas
    for first, second in zip(seen, seen[1:]):
        assert not {a.commune_id for a in first} & {a.commune_id for a in second}
    html = response.content.decode()
    assert 'Xã 000 – Xã 001 <span class="small">(6)' in html and 'Xã 006 <span class="small">(3)' in html


def test_a_commune_larger_than_a_page_gets_a_page_of_its_own(client, monkeypatch):
    monkeypatch.setattr(grid_page, "GRID_PAGE_ROWS", 2)
    world = make_world(communes=2, areas_per_commune=3)
    pages = grid_page.row_pages(world.festival, world.district, grid_page.selectors.as_period("2019"))
    assert [(p.offset, p.limit, p.label) for p in pages] == [(0, 3, "Xã 000"), (3, 3, "Xã 001")]


@pytest.mark.parametrize("communes, extra_areas", [(2, 0), (22, 6)])
def test_a_district_of_226_areas_is_one_light_page_in_the_same_queries_as_20(client, communes, extra_areas,
                                                                             django_assert_num_queries):
    """Tràng Định's 226 areas × 4 columns with this and last year's values: one page under 150 KiB, all
    areas on it, in the same 10 queries for any number of rows (20 areas here too; the catalogue's copy read)."""
    world = festival_world(communes=communes, areas_per_commune=10, extra_areas=extra_areas)
    fill_festival(world, "2018", 10)
    fill_festival(world, "2019", 12)
    client.force_login(world.officer)
    client.get(grid_url(world))  # the process's copy of the catalogue read once
    with django_assert_num_queries(10):  # session, user with officer and unit, the catalogue token (columns), 7 of the grid
        response = client.get(grid_url(world))
    html = response.content.decode()
    areas = len(world.areas)
    assert areas in (20, 226) and len(response.context["rows"]) == areas and "?page=2" not in html
    assert html.count('<input name="v-') == areas * 4
    assert html.count("<small>Năm trước: 10/11/2018</small>") == areas
    if areas == 226:
        assert len(response.content) < 150 * 1024, len(response.content)


def test_the_forms_help_and_labelled_last_year_values_are_shown(client):
    world = make_world(communes=1, areas_per_commune=1)
    world.festival.description = "Ngày hội tổ chức từ 01/11 đến 18/11.\nChỉ bắt buộc ô “đã tổ chức”."
    world.festival.save()
    last_year = submission_get_or_create(form=world.festival, unit=world.district, period="2018", by=world.officer)
    values_save(submission=last_year, values=cells(world, {(world.areas[0], "ngay_hoi_to_chuc"): "có"}),
                by=world.officer, expected_version=last_year.version)
    client.force_login(world.officer)
    html = client.get(grid_url(world)).content.decode()
    assert 'id="form-help"' in html and "Ngày hội tổ chức từ 01/11 đến 18/11.<br>Chỉ bắt buộc ô" in html
    assert "<small>Năm trước: Có</small>" in html
    assert 'id="column-help"' not in html
    world.indicators["ngay_hoi_ngay"].description = "Ngày khai mạc phần hội."
    world.indicators["ngay_hoi_ngay"].save()
    html = client.get(grid_url(world)).content.decode()
    assert 'id="column-help"' in html and "<dt>Ngày tổ chức</dt><dd>Ngày khai mạc phần hội.</dd>" in html
    monthly = client.get(grid_url(world, "2019-05", form=world.monthly)).content.decode()
    assert 'id="form-help"' not in monthly and "Tháng trước" in monthly


def test_a_submit_carrying_an_edit_that_cannot_be_saved_does_not_submit(client):
    """The officer's earlier save was complete; now a cell reads "hai" and "Gửi báo cáo" is pressed: nothing
    is saved, nothing goes up, the typed values come back with the reason, and the page counts as unsaved."""
    world = make_world(communes=2, areas_per_commune=0)
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    full = {(c, code): "1" for c in world.communes for code in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}
    values_save(submission=submission, values=cells(world, full), by=world.officer, expected_version=1)
    client.force_login(world.officer)
    url = grid_url(world, "2019-05", form=world.monthly)
    bad = {f"v-{world.communes[0].pk}-{world.indicators['hoa_giai_vu'].pk}": "hai", "version": "2", "intent": "submit"}
    response = client.post(url, bad)
    html = response.content.decode()
    assert response.status_code == 422
    assert "Chưa gửi báo cáo: các thay đổi chưa lưu được." in html and "“hai” không phải là số" in html
    assert 'value="hai"' in html and 'data-unsaved="1"' in html
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.DRAFT and submission.version == 2
    # The old workflow address refuses the same way when it is given cells.
    response = client.post(grid_url(world, "2019-05", "submit", form=world.monthly), bad)
    assert response.status_code == 422 and Submission.objects.get().status == SubmissionStatus.DRAFT
    # A stale page's submit is refused too.
    stale = client.post(url, {**bad, f"v-{world.communes[0].pk}-{world.indicators['hoa_giai_vu'].pk}": "2",
                              "version": "1"})
    assert stale.status_code == 409 and "Chưa gửi báo cáo" in stale.content.decode()
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_a_submit_with_good_edits_saves_them_first_then_submits(client, django_capture_on_commit_callbacks):
    world = make_world(communes=2, areas_per_commune=0)
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    full = {(c, code): "1" for c in world.communes for code in ("quy_vnn_thu", "quy_vnn_chi", "hoa_giai_vu", "hoa_giai_thanh")}
    values_save(submission=submission, values=cells(world, full), by=world.officer, expected_version=1)
    client.force_login(world.officer)
    cell = f"v-{world.communes[0].pk}-{world.indicators['hoa_giai_vu'].pk}"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(grid_url(world, "2019-05", form=world.monthly),
                               {cell: "4", "version": "2", "intent": "submit"}, follow=True)
    html = response.content.decode()
    assert "Đã lưu nháp: 1 ô thay đổi." in html and "Đã gửi báo cáo lên tỉnh." in html
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED
    assert DataValue.objects.get(unit=world.communes[0], indicator=world.indicators["hoa_giai_vu"]).value_number == 4


def test_a_saved_draft_that_misses_values_is_saved_but_not_submitted(client):
    world = make_world(communes=2, areas_per_commune=0)
    client.force_login(world.officer)
    cell = f"v-{world.communes[0].pk}-{world.indicators['hoa_giai_vu'].pk}"
    response = client.post(grid_url(world, "2019-05", form=world.monthly), {cell: "4", "version": "0", "intent": "submit"},
                           follow=True)
    html = response.content.decode()
    assert "Đã lưu nháp: 1 ô thay đổi." in html and "Chưa thể gửi: còn thiếu số liệu ở 2 dòng." in html
    assert Submission.objects.get().status == SubmissionStatus.DRAFT


def test_another_district_cannot_save_or_submit_through_the_grid(client):
    world = make_world(communes=1, areas_per_commune=0)
    submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    client.force_login(world.other_officer)
    cell = f"v-{world.communes[0].pk}-{world.indicators['hoa_giai_vu'].pk}"
    for name in ("grid", "submit"):
        response = client.post(grid_url(world, "2019-05", name, form=world.monthly), {cell: "4", "version": "1",
                                                                                       "intent": "submit"})
        assert response.status_code == 404
    assert not DataValue.objects.exists() and Submission.objects.get().status == SubmissionStatus.DRAFT


def test_locked_rows_read_as_text_and_only_editable_rows_post(client, settings):
    """A submitted report shows values, not inputs; a commune officer who may read the district gets inputs
    for the own commune's rows only."""
    settings.COMMUNE_OFFICERS_SEE_DISTRICT = True
    world = make_world(communes=2, areas_per_commune=0)
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    values_save(submission=submission, values=cells(world, {(world.communes[1], "hoa_giai_vu"): "777"}),
                by=world.officer, expected_version=1)
    client.force_login(world.commune_officer)
    html = client.get(grid_url(world, "2019-05", form=world.monthly)).content.decode()
    assert html.count('<input name="v-') == 4 and f'name="v-{world.communes[1].pk}-' not in html and "<td>777" in html
    Submission.objects.update(status=SubmissionStatus.SUBMITTED)
    client.force_login(world.staff)
    html = client.get(grid_url(world, "2019-05", form=world.monthly)).content.decode()
    assert 'name="v-' not in html and "<td>777" in html and 'id="approve"' in html and 'id="save-draft"' not in html


def test_without_script_the_page_posts_back_the_same_fields_and_words_for_yes_no(client):
    """A phone without script posts the inputs as drawn (“Có”, “Không”, dates): nothing changes; a word
    typed into a yes/no cell is read as on upload."""
    import re

    world = festival_world(communes=1, areas_per_commune=3)
    fill_festival(world, "2019", 12)
    client.force_login(world.officer)
    html = client.get(grid_url(world)).content.decode()
    fields = dict(re.findall(r'<input name="(v-[^"]+)" value="([^"]*)"', html))
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert len(fields) == 12 and sorted(set(fields.values())) == ["12/11/2019", "Có", "Không"]
    response = client.post(grid_url(world), {**fields, "version": version}, follow=True)
    assert "Không có ô nào thay đổi." in response.content.decode()
    held = f"v-{world.areas[0].pk}-{world.indicators['ngay_hoi_bua_com'].pk}"
    response = client.post(grid_url(world), {**fields, held: "x", "version": version}, follow=True)
    assert "Đã lưu nháp: 1 ô thay đổi." in response.content.decode()
    assert DataValue.objects.get(unit=world.areas[0], indicator=world.indicators["ngay_hoi_bua_com"],
                                 period="2019").value_bool is True


def test_the_reopen_banner_names_the_reviewer_not_the_username(client):
    from reports.submissions.services import submission_approve, submission_reopen, submission_submit
    from reports.tests.factories import monthly_draft_filled

    world = make_world(communes=1, areas_per_commune=0)
    world.staff.first_name, world.staff.last_name = "Lan", "Nguyễn Thị"
    world.staff.save()
    submission = monthly_draft_filled(world)
    submission_submit(submission=submission, by=world.officer)
    submission_approve(submission=submission, by=world.staff)
    submission_reopen(submission=submission, by=world.staff, reason="Sửa quỹ")
    client.force_login(world.officer)
    html = client.get(grid_url(world, "2019-05", form=world.monthly)).content.decode()
    banner = html[html.index("Đã mở lại sau khi duyệt"):][:200]
    assert world.staff.get_full_name() in banner and "(tinh," not in banner


def test_a_past_grid_groups_its_areas_under_the_communes_of_its_time(client):
    """An area moved to another commune from 1/7/2025 stays under its 2019 commune in the 2019 grid:
    its headings and order, and the Excel template's commune rows."""
    import datetime
    import io

    from openpyxl import load_workbook

    from mattran.placements import placements_move

    world = make_world(communes=2, areas_per_commune=2)
    moved, first, second = world.areas[0], world.communes[0], world.communes[1]
    placements_move(moves=[(moved, second)], on=datetime.date(2025, 7, 1))
    moved.refresh_from_db()
    assert moved.commune_id == second.pk  # today's tree
    client.force_login(world.officer)

    rows = client.get(grid_url(world, "2019")).context["rows"]
    assert rows[0]["unit"] == moved and rows[0]["group"].name == first.name
    assert [row["group"].name for row in rows if row["group"]] == [first.name, second.name]

    sheet = load_workbook(io.BytesIO(client.get(grid_url(world, "2019", name="template_download")).content)).worksheets[0]
    names = [value for value in next(sheet.iter_cols(min_col=2, max_col=2, values_only=True)) if value]
    assert names.index(first.name) < names.index(moved.name) < names.index(second.name)
