"""Every register's pages: scoping, pagination, query counts, stale edits and history (one generic machinery)."""
import pytest
from django.urls import reverse

from registers.registry import REGISTERS

from .factories import form_data, make_row

pytestmark = pytest.mark.django_db

SLUGS = list(REGISTERS)
EDITABLE_BY_DISTRICT = [s for s in SLUGS if not REGISTERS[s].province_only_edit]


def urls(slug, pk):
    return {
        "list": reverse("registers:list", args=[slug]),
        "create": reverse("registers:create", args=[slug]),
        "export": reverse("registers:export", args=[slug]),
        "detail": reverse("registers:detail", args=[slug, pk]),
        "edit": reverse("registers:edit", args=[slug, pk]),
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_anonymous_visitors_are_sent_to_login_from_every_register_page(client, tree, slug):
    """Given a row, when nobody is signed in, then each page redirects to the login page."""
    row = make_row(slug, tree)
    for name, url in urls(slug, row.pk).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("slug", SLUGS)
def test_another_districts_officer_gets_404_and_changes_nothing(client, tree, officer2, slug):
    """Given a district-1 row, when the district-2 officer opens, edits or exports it, then 404 and no change."""
    row = make_row(slug, tree, district=1)
    before = type(row).objects.filter(pk=row.pk).values().get()
    client.force_login(officer2)
    u = urls(slug, row.pk)
    assert client.get(u["detail"]).status_code == 404
    assert client.get(u["edit"]).status_code in (403, 404)
    assert client.post(u["edit"], form_data(slug, tree, district=2)).status_code in (403, 404)
    assert client.get(u["export"], {"unit": tree.district1.pk}).status_code == 404
    assert client.get(u["list"], {"unit": tree.district1.pk}).status_code == 404
    assert type(row).objects.filter(pk=row.pk).values().get() == before


@pytest.mark.parametrize("slug", SLUGS)
def test_district_officer_lists_only_rows_of_their_district_and_province_staff_sees_all(
    client, tree, officer1, province_staff, slug
):
    """Given a row in each district, the district-1 officer's list holds one and the province's two."""
    own, other = make_row(slug, tree, district=1), make_row(slug, tree, district=2)
    client.force_login(officer1)
    rows = client.get(reverse("registers:list", args=[slug])).context["rows"]
    assert [obj.pk for obj, _flag, _values in rows] == [own.pk]
    client.force_login(province_staff)
    rows = client.get(reverse("registers:list", args=[slug])).context["rows"]
    assert {obj.pk for obj, _flag, _values in rows} == {own.pk, other.pk}


@pytest.mark.parametrize("slug", SLUGS)
def test_list_query_count_stays_constant_from_5_to_50_rows(client, tree, province_staff, slug,
                                                           django_assert_max_num_queries):
    """The list page's queries do not grow with its rows and stay at 15 or fewer."""
    client.force_login(province_staff)
    url = reverse("registers:list", args=[slug])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for total in (5, 50):
        while REGISTERS[slug].model.objects.count() < total:
            make_row(slug, tree, district=1 + REGISTERS[slug].model.objects.count() % 2)
        with CaptureQueriesContext(connection) as ctx, django_assert_max_num_queries(15):
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("slug", ["kien-nghi-cu-tri", "tap-huan"])
def test_lists_are_paginated_by_25_rows_and_keep_the_filters(client, tree, province_staff, slug):
    """Given 30 rows, page 1 shows 25 and page 2 the last 5, with the filter still applied."""
    for _ in range(30):
        make_row(slug, tree)
    client.force_login(province_staff)
    url = reverse("registers:list", args=[slug])
    first = client.get(url, {"year": 2019})
    assert len(first.context["rows"]) == 25
    assert "year=2019&amp;page=2" in first.content.decode()
    second = client.get(url, {"year": 2019, "page": 2})
    assert len(second.context["rows"]) == 5


@pytest.mark.parametrize("slug", EDITABLE_BY_DISTRICT)
def test_district_officer_creates_a_row_in_their_district(client1, tree, slug):
    """Given valid form data, when the district-1 officer posts it, then a row exists and its page is shown."""
    model = REGISTERS[slug].model
    response = client1.post(reverse("registers:create", args=[slug]), form_data(slug, tree))
    assert response.status_code == 302, response.context["form"].errors
    row = model.objects.get()
    assert response.url == reverse("registers:detail", args=[slug, row.pk])
    assert row.version == 1
    assert row.history.get().history_user.username == "huyen1"


@pytest.mark.parametrize("slug", EDITABLE_BY_DISTRICT)
def test_district_officer_cannot_pick_a_unit_outside_their_district(client1, tree, slug):
    """Given district-2 form data, when the district-1 officer posts it, then nothing is saved."""
    model = REGISTERS[slug].model
    response = client1.post(reverse("registers:create", args=[slug]), form_data(slug, tree, district=2))
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert not model.objects.exists()
    assert tree.district2.name not in str(response.context["form"]["unit"])


@pytest.mark.parametrize("slug", SLUGS)
def test_an_edit_bumps_the_version_and_the_history_shows_who_changed_what(client, tree, province_staff, slug):
    """Given a row, when staff edit it, then version 2 is stored and the detail page lists the change."""
    row = make_row(slug, tree)
    client.force_login(province_staff)
    data = form_data(slug, tree, version=1)
    response = client.post(reverse("registers:edit", args=[slug, row.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    row.refresh_from_db()
    assert row.version == 2
    page = client.get(reverse("registers:detail", args=[slug, row.pk]))
    history = page.context["history"]
    assert len(history) == 2
    assert history[0]["who"].username == "tinh"
    assert history[0]["changes"], "the edit lists the fields it changed"
    assert "Lịch sử thay đổi" in page.content.decode()


@pytest.mark.parametrize("slug", SLUGS)
def test_a_stale_edit_is_refused_with_a_clear_message_and_nothing_changes(client, tree, province_staff, slug):
    """Given someone saved version 2, when a form opened at version 1 is posted, then it is refused."""
    row = make_row(slug, tree)
    type(row).objects.filter(pk=row.pk).update(version=2)
    client.force_login(province_staff)
    response = client.post(reverse("registers:edit", args=[slug, row.pk]), form_data(slug, tree, version=1))
    assert response.status_code == 409
    assert "đã được người khác sửa" in response.content.decode()
    fresh = type(row).objects.get(pk=row.pk)
    assert fresh.version == 2
    assert row.history.count() == 1


def test_an_edit_without_a_version_is_refused(client, tree, province_staff):
    """A post that lost its hidden version is treated as stale, never as a blind overwrite."""
    row = make_row("kien-nghi-cu-tri", tree)
    client.force_login(province_staff)
    response = client.post(reverse("registers:edit", args=["kien-nghi-cu-tri", row.pk]),
                           form_data("kien-nghi-cu-tri", tree))
    assert response.status_code == 409


def test_district_officers_read_but_do_not_write_the_provincial_inspection_plan(client1, tree):
    """Given an inspection of district 1, its officer sees it but create and edit are forbidden."""
    row = make_row("kiem-tra", tree)
    assert client1.get(reverse("registers:detail", args=["kiem-tra", row.pk])).status_code == 200
    assert client1.get(reverse("registers:create", args=["kiem-tra"])).status_code == 403
    assert client1.post(reverse("registers:edit", args=["kiem-tra", row.pk]),
                        form_data("kiem-tra", tree, version=1, content="Đổi")).status_code == 403
    row.refresh_from_db()
    assert row.content != "Đổi"


def test_an_unknown_register_is_404(client1):
    assert client1.get("/so-theo-doi/khong-co/").status_code == 404


def test_index_lists_every_register_and_the_navbar_links_it(client1):
    """The index names every register; every page's navbar links to it."""
    response = client1.get(reverse("registers:index"))
    body = response.content.decode()
    for register in REGISTERS.values():
        assert reverse("registers:list", args=[register.slug]) in body
    assert f'href="{reverse("registers:index")}"' in body


def test_history_records_changes_of_many_to_many_choices(client, tree, province_staff):
    """Given a model replicated to area 1.2, when staff replicate it to area 1.1 instead, the history says so."""
    client.force_login(province_staff)
    url = reverse("registers:create", args=["mo-hinh-tu-quan"])
    client.post(url, form_data("mo-hinh-tu-quan", tree, unit=tree.area2.pk, replicated_to=[tree.area1b.pk]))
    from registers.models import SelfManagementModel

    row = SelfManagementModel.objects.get()
    data = form_data("mo-hinh-tu-quan", tree, unit=tree.area2.pk, replicated_to=[tree.area1.pk], version=1)
    client.post(reverse("registers:edit", args=["mo-hinh-tu-quan", row.pk]), data)
    history = client.get(reverse("registers:detail", args=["mo-hinh-tu-quan", row.pk])).context["history"]
    assert len(history) == 2
    [(label, old, new)] = history[0]["changes"]
    assert "Thôn 1.2" in old and "Thôn 1.1" in new and "Thôn 1.2" not in new


def test_detail_page_shows_dates_and_choices_in_vietnamese(client1, tree):
    row = make_row("tap-huan", tree)
    page = client1.get(reverse("registers:detail", args=["tap-huan", row.pk]))
    fields = dict(page.context["fields"])
    assert fields["Ngày bắt đầu"] == "10/03/2019"
    assert fields["Cấp tổ chức"] == "Cấp xã"
    assert fields["Đơn vị tổ chức"] == tree.commune1


def test_a_commune_officer_sees_only_their_communes_rows(client, tree):
    """A commune officer sees the commune's and its areas' rows, not the district's own rows."""
    from mattran.models import OfficerRole

    from .factories import make_officer, petition

    in_area = petition(tree.area1)
    petition(tree.district1)
    petition(tree.commune2)
    client.force_login(make_officer("xa1", tree.commune1, OfficerRole.COMMUNE_OFFICER))
    rows = client.get(reverse("registers:list", args=["kien-nghi-cu-tri"])).context["rows"]
    assert [obj.pk for obj, _f, _v in rows] == [in_area.pk]


def test_an_administrator_without_an_officer_record_sees_every_row(client, tree, django_user_model):
    make_row("tap-huan", tree, district=1)
    make_row("tap-huan", tree, district=2)
    client.force_login(django_user_model.objects.create_superuser("admin", password="x"))
    assert len(client.get(reverse("registers:list", args=["tap-huan"])).context["rows"]) == 2


def test_household_list_filters_by_organisation_unit_and_text(client1, tree):
    from .factories import household, organisation

    household(tree.area1, head_name="Vi Văn Nông")
    household(tree.area1b, head_name="Lương Thị Cựu", organisation=organisation("hoi_cuu_chien_binh"))
    url = reverse("registers:list", args=["ho-ngheo-nhan-do-dau"])

    def names(params):
        return {str(obj) for obj, _f, _v in client1.get(url, params).context["rows"]}

    assert names({"organisation": organisation("hoi_cuu_chien_binh").pk}) == {"Lương Thị Cựu"}
    assert names({"q": "nông"}) == {"Vi Văn Nông"}
    assert names({"unit": tree.commune1.pk, "year": 2019}) == {"Vi Văn Nông", "Lương Thị Cựu"}
    assert names({"year": 2018}) == set()
