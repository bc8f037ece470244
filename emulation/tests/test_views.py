"""Pages: scoping on every view, the allowed actions, query counts of the ranking."""
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from emulation import recompute, services
from emulation.models import Nomination, Score, ScoreSheet
from mattran.models import UnitKind

from . import factories as f

pytestmark = pytest.mark.django_db
YEAR = 2031


@pytest.fixture
def world():
    t = f.tree(districts=2, communes=1, areas=1)
    t["guide"] = f.guide(YEAR)
    t["commune_guide"] = f.guide(YEAR, kind=UnitKind.COMMUNE)
    t["d1"], t["d2"] = t["districts"]
    t["c1"] = t["communes"][t["d1"].pk][0]
    t["province_user"] = f.officer(t["province"])
    t["d1_user"] = f.officer(t["d1"])
    t["d2_user"] = f.officer(t["d2"])
    t["sheet"] = services.sheet_get_or_create(guide=t["guide"], unit=t["d1"])
    t["score_a"] = Score.objects.get(sheet=t["sheet"], criterion__code="A")
    return t


def sheet_urls(w):
    year, unit, score = YEAR, w["d1"].pk, w["score_a"].pk
    return {
        "get": [
            reverse("emulation:sheet", args=[year, unit]),
            reverse("emulation:sheet_export", args=[year, unit, "xlsx"]),
            reverse("emulation:sheet_export", args=[year, unit, "docx"]),
            reverse("emulation:unit_history", args=[unit]),
        ],
        "post": [
            (reverse("emulation:score_self", args=[year, unit, score]), {"points": "10", "version": 1}),
            (reverse("emulation:score_review", args=[year, unit, score]), {"points": "10", "version": 1}),
            (reverse("emulation:sheet_submit", args=[year, unit]), {"version": 1}),
            (reverse("emulation:sheet_finalize", args=[year, unit]), {"version": 1}),
            (reverse("emulation:sheet_reopen", args=[year, unit]), {"version": 1, "reason": "x"}),
        ],
    }


def test_anonymous_users_are_sent_to_login(client, world):
    urls = sheet_urls(world)
    for url in [*urls["get"], reverse("emulation:index"), reverse("emulation:ranking", args=[YEAR]),
                reverse("emulation:honours", args=[YEAR])]:
        response = client.get(url)
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"], url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 302
    assert Score.objects.get(pk=world["score_a"].pk).self_points is None


def test_another_districts_officer_gets_404_everywhere_and_changes_nothing(client, world):
    """District 2's officer cannot open, export, score, submit, decide or reopen district 1's sheet."""
    client.force_login(world["d2_user"])
    urls = sheet_urls(world)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url
    world["sheet"].refresh_from_db()
    assert (world["sheet"].version, world["sheet"].status) == (1, "DRAFT")
    assert Score.objects.get(pk=world["score_a"].pk).self_points is None


def test_evidence_downloads_are_scoped(client, world):
    pdf = SimpleUploadedFile("minh-chung.pdf", b"%PDF-1.4 body")
    services.score_self(score=world["score_a"], points="5", by=world["d1_user"], evidence=[pdf])
    evidence = world["score_a"].evidence.get()
    url = reverse("emulation:evidence", args=[evidence.pk])
    client.force_login(world["d2_user"])
    assert client.get(url).status_code == 404
    client.force_login(world["d1_user"])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 body"


def test_district_officer_self_scores_with_evidence_through_the_page(client, world):
    """The sheet shows the self-score form; posting points and a pdf saves both and bumps the version."""
    client.force_login(world["d1_user"])
    page = client.get(reverse("emulation:sheet", args=[YEAR, world["d1"].pk]))
    assert page.status_code == 200
    assert "BẢNG CHẤM ĐIỂM THI ĐUA NĂM 2031" in page.content.decode()
    assert reverse("emulation:score_self", args=[YEAR, world["d1"].pk, world["score_a"].pk]) in page.content.decode()
    response = client.post(
        reverse("emulation:score_self", args=[YEAR, world["d1"].pk, world["score_a"].pk]),
        {"points": "35,5", "version": 1, "evidence": [SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")]},
        follow=True,
    )
    assert "Đã lưu điểm tự chấm." in response.content.decode()
    score = Score.objects.get(pk=world["score_a"].pk)
    assert score.self_points == D("35.5") and score.evidence.count() == 1
    assert ScoreSheet.objects.get(pk=world["sheet"].pk).version == 2


def test_refusals_are_shown_as_messages_and_change_nothing(client, world):
    """Points above the maximum come back as a Vietnamese message; the score stays empty."""
    client.force_login(world["d1_user"])
    response = client.post(
        reverse("emulation:score_self", args=[YEAR, world["d1"].pk, world["score_a"].pk]),
        {"points": "41", "version": 1}, follow=True,
    )
    assert "vượt quá điểm tối đa 40" in response.content.decode()
    assert Score.objects.get(pk=world["score_a"].pk).self_points is None


def test_district_officer_reviews_its_commune_but_cannot_review_itself(client, world):
    commune_sheet = services.sheet_get_or_create(guide=world["commune_guide"], unit=world["c1"])
    for code in ("A", "B"):
        services.score_self(score=commune_sheet.scores.get(criterion__code=code), points="10", by=world["d1_user"])
    services.sheet_submit(sheet=commune_sheet, by=world["d1_user"])
    commune_sheet.refresh_from_db()
    score = commune_sheet.scores.get(criterion__code="A")
    client.force_login(world["d1_user"])
    client.post(
        reverse("emulation:score_review", args=[YEAR, world["c1"].pk, score.pk]),
        {"points": "8", "comment": "Đạt", "version": commune_sheet.version},
    )
    assert Score.objects.get(pk=score.pk).reviewed_points == D("8")
    client.post(reverse("emulation:sheet_finalize", args=[YEAR, world["c1"].pk]), {"version": commune_sheet.version + 1})
    commune_sheet.refresh_from_db()
    assert commune_sheet.status == "FINAL"
    # its own district sheet: the province decides, not the district
    for code in ("A", "B"):
        services.score_self(score=world["sheet"].scores.get(criterion__code=code), points="1", by=world["d1_user"])
    services.sheet_submit(sheet=world["sheet"], by=world["d1_user"])
    world["sheet"].refresh_from_db()
    response = client.post(
        reverse("emulation:sheet_finalize", args=[YEAR, world["d1"].pk]), {"version": world["sheet"].version},
        follow=True,
    )
    assert "không có quyền quyết định" in response.content.decode()
    world["sheet"].refresh_from_db()
    assert world["sheet"].status == "SELF_SCORED"


def test_province_staff_finalizes_and_reopens_a_district_sheet(client, world):
    for code in ("A", "B"):
        services.score_self(score=world["sheet"].scores.get(criterion__code=code), points="20", by=world["d1_user"])
    services.sheet_submit(sheet=world["sheet"], by=world["d1_user"])
    world["sheet"].refresh_from_db()
    client.force_login(world["province_user"])
    client.post(reverse("emulation:sheet_finalize", args=[YEAR, world["d1"].pk]), {"version": world["sheet"].version})
    world["sheet"].refresh_from_db()
    assert world["sheet"].status == "FINAL" and world["sheet"].total == D("40")
    page = client.get(reverse("emulation:sheet", args=[YEAR, world["d1"].pk])).content.decode()
    assert reverse("emulation:sheet_reopen", args=[YEAR, world["d1"].pk]) in page
    client.post(
        reverse("emulation:sheet_reopen", args=[YEAR, world["d1"].pk]),
        {"version": world["sheet"].version, "reason": "Huyện bổ sung minh chứng"},
    )
    world["sheet"].refresh_from_db()
    assert world["sheet"].status == "REVIEWED"
    assert "Huyện bổ sung minh chứng" in client.get(reverse("emulation:sheet", args=[YEAR, world["d1"].pk])).content.decode()


def test_stale_form_is_refused_by_the_page(client, world):
    client.force_login(world["d1_user"])
    url = reverse("emulation:score_self", args=[YEAR, world["d1"].pk, world["score_a"].pk])
    client.post(url, {"points": "10", "version": 1})
    response = client.post(url, {"points": "12", "version": 1}, follow=True)
    assert "người khác cập nhật" in response.content.decode()
    assert Score.objects.get(pk=world["score_a"].pk).self_points == D("10")


def test_ranking_shows_only_visible_units_with_band_badges(client, world):
    recompute.scores_recompute(year=YEAR)
    client.force_login(world["d1_user"])
    page = client.get(reverse("emulation:ranking", args=[YEAR])).content.decode()
    assert world["d1"].name in page and world["d2"].name not in page
    client.force_login(world["province_user"])
    page = client.get(reverse("emulation:ranking", args=[YEAR])).content.decode()
    assert world["d1"].name in page and world["d2"].name in page
    assert 'class="badge text-bg-danger">Yếu' in page


@pytest.mark.parametrize("districts", [3, 15])
def test_ranking_page_query_count_does_not_grow_with_units(client, django_assert_max_num_queries, districts):
    """With clusters and 3 or 15 districts the ranking page stays within the same 12 queries."""
    from emulation.models import Cluster

    t = f.tree(districts=districts, communes=0, areas=0)
    g = f.guide(YEAR)
    cluster = Cluster.objects.create(guide=g, name="Cụm A")
    cluster.members.set(t["districts"][: districts // 2])
    Cluster.objects.create(guide=g, name="Cụm B").members.set(t["districts"][districts // 2:])
    recompute.scores_recompute(year=YEAR)
    client.force_login(f.officer(t["province"]))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("emulation:ranking", args=[YEAR]))
    assert response.content.decode().count("Cụm A") >= 2


@pytest.mark.parametrize("communes", [1, 6])
def test_sheet_page_query_count_is_bounded(client, django_assert_max_num_queries, communes):
    t = f.tree(districts=1, communes=communes, areas=1)
    f.guide(YEAR)
    user = f.officer(t["districts"][0])
    client.force_login(user)
    client.get(reverse("emulation:sheet", args=[YEAR, t["districts"][0].pk]))
    with django_assert_max_num_queries(15):
        assert client.get(reverse("emulation:sheet", args=[YEAR, t["districts"][0].pk])).status_code == 200


def test_unit_history_lists_years(client, world):
    copy = services.guide_copy(guide=world["guide"], year=YEAR + 1)
    services.sheet_get_or_create(guide=copy, unit=world["d1"])
    client.force_login(world["d1_user"])
    page = client.get(reverse("emulation:unit_history", args=[world["d1"].pk])).content.decode()
    assert str(YEAR) in page and str(YEAR + 1) in page


def test_index_lists_own_units(client, world):
    client.force_login(world["d1_user"])
    page = client.get(reverse("emulation:index") + f"?nam={YEAR}").content.decode()
    assert world["d1"].name in page and world["c1"].name in page and world["d2"].name not in page


def test_honours_nomination_by_district_and_decision_by_province(client, world):
    """A district proposes one of its people; another district cannot see it; the province approves with a date."""
    client.force_login(world["d1_user"])
    response = client.post(
        reverse("emulation:honours", args=[YEAR]),
        {"title": "GUONG_SANG", "person_name": "Hoàng Văn A", "unit": world["c1"].pk, "reason": "Hiến đất làm đường"},
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.nominated_by, nomination.status) == (world["d1"], "PROPOSED")
    # a unit outside the district is not offered, and posting it is refused
    client.force_login(world["d2_user"])
    client.post(
        reverse("emulation:honours", args=[YEAR]),
        {"title": "GUONG_SANG", "person_name": "Người khác", "unit": world["c1"].pk, "reason": "x"},
    )
    assert Nomination.objects.count() == 1
    assert "Hoàng Văn A" not in client.get(reverse("emulation:honours", args=[YEAR])).content.decode()
    decide = reverse("emulation:nomination_decide", args=[nomination.pk])
    assert client.post(decide, {"decision": "approve", "decided_on": "2031-12-20"}).status_code == 404
    client.force_login(world["d1_user"])
    client.post(decide, {"decision": "approve", "decided_on": "2031-12-20"})
    nomination.refresh_from_db()
    assert nomination.status == "PROPOSED"
    client.force_login(world["province_user"])
    client.post(decide, {"decision": "approve", "decided_on": "2031-12-20", "note": "QĐ số 12"})
    nomination.refresh_from_db()
    assert (nomination.status, str(nomination.decided_on)) == ("APPROVED", "2031-12-20")
    page = client.get(reverse("emulation:honours", args=[YEAR])).content.decode()
    assert "Hoàng Văn A" in page and "Được công nhận" in page


def test_commune_officer_sees_its_own_sheet_but_not_its_districts(client, world):
    """A commune officer opens its commune's sheet; the district's sheet and ranking rows are out of scope."""
    client.force_login(f.officer(world["c1"]))
    assert client.get(reverse("emulation:sheet", args=[YEAR, world["c1"].pk])).status_code == 200
    assert client.get(reverse("emulation:sheet", args=[YEAR, world["d1"].pk])).status_code == 404
    assert client.get(reverse("emulation:unit_history", args=[world["d1"].pk])).status_code == 404
    assert world["d1"].name not in client.get(reverse("emulation:ranking", args=[YEAR])).content.decode()


@pytest.mark.parametrize("year", ["abc", "99999999999999999999", "-5", "1900"])
def test_a_malformed_year_falls_back_to_the_latest_guide(client, world, year):
    """``/thi-dua/?nam=abc`` answered 500; any year without a guide now shows the latest guide's year."""
    client.force_login(world["province_user"])
    response = client.get(reverse("emulation:index"), {"nam": year})
    assert response.status_code == 200 and response.context["year"] == response.context["years"][0]


def test_an_implausible_year_in_the_honours_url_is_not_found(client, world):
    client.force_login(world["province_user"])
    assert client.get(reverse("emulation:honours", args=[0])).status_code == 404


def test_index_lists_districts_in_vietnamese_alphabetical_order(client, world):
    """Bắc Sơn before Bình Gia (ă before i), as the alphabet reads, not by character code."""
    world["d1"].name, world["d2"].name = "Huyện Bình Gia", "Huyện Bắc Sơn"
    world["d1"].save()
    world["d2"].save()
    client.force_login(world["province_user"])
    page = client.get(reverse("emulation:index")).content.decode()
    assert page.index("Huyện Bắc Sơn") < page.index("Huyện Bình Gia")


@pytest.mark.parametrize("districts", [60, 130])
def test_a_long_ranking_is_paged_and_shows_one_cluster_at_a_time(client, django_assert_max_num_queries, districts):
    """More than 50 ranked units: 50 a page, clusters picked one at a time, the same few queries."""
    from emulation.models import Cluster
    from emulation.views import RANKING_PAGE_SIZE

    t = f.tree(districts=districts, communes=0, areas=0)
    g = f.guide(YEAR)
    a = Cluster.objects.create(guide=g, name="Cụm A")
    a.members.set(t["districts"][:5])
    Cluster.objects.create(guide=g, name="Cụm B").members.set(t["districts"][5:])
    recompute.scores_recompute(year=YEAR)
    client.force_login(f.officer(t["province"]))
    url = reverse("emulation:ranking", args=[YEAR])
    with django_assert_max_num_queries(12):
        first = client.get(url)
    assert len(first.context["sheets"]) == RANKING_PAGE_SIZE and first.context["clusters"] == []
    assert "Trang 1/" in first.content.decode() and "Cụm A" in first.content.decode()
    last = client.get(url, {"page": first.context["page"].paginator.num_pages})
    assert len(last.context["sheets"]) == districts - RANKING_PAGE_SIZE * (last.context["page"].number - 1)
    with django_assert_max_num_queries(12):
        picked = client.get(url, {"cum": a.pk})
    assert [(c.name, len(rows)) for c, rows in picked.context["clusters"]] == [("Cụm A", 5)]
    assert client.get(url, {"cum": "x", "page": "y"}).status_code == 200
