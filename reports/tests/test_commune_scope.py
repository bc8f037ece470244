"""A commune officer reads and edits only the own commune's rows of the district's shared forms,
unless the province enables reading the district (COMMUNE_OFFICERS_SEE_DISTRICT)."""
import pytest
from django.urls import reverse

from reports.submissions.services import submission_get_or_create, values_save
from reports.tests.factories import cells, make_world

pytestmark = pytest.mark.django_db

PERIOD = "2019-05"


@pytest.fixture
def world():
    world = make_world(communes=2, areas_per_commune=1)
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period=PERIOD, by=world.officer)
    values_save(submission=submission, by=world.officer, expected_version=1, values=cells(world, {
        (world.communes[0], "hoa_giai_vu"): "3", (world.communes[1], "hoa_giai_vu"): "777",
    }))
    return world


def url(world, name="grid", *extra):
    return reverse(f"reports:{name}", args=[world.monthly.code, world.district.code, PERIOD, *extra])


def test_the_shared_monthly_grid_shows_a_commune_officer_only_the_own_communes_row(client, world):
    client.force_login(world.commune_officer)
    response = client.get(url(world))
    assert [row["unit"] for row in response.context["rows"]] == [world.communes[0]]
    assert world.communes[1].name not in response.content.decode()


def test_the_history_shows_a_commune_officer_only_the_own_communes_changes(client, world):
    client.force_login(world.commune_officer)
    html = client.get(url(world, "history")).content.decode()
    assert world.communes[0].name in html and world.communes[1].name not in html and "777" not in html
    own = url(world, "cell_history", "hoa_giai_vu", world.communes[0].code)
    sibling = url(world, "cell_history", "hoa_giai_vu", world.communes[1].code)
    assert client.get(own).status_code == 200
    assert client.get(sibling).status_code == 404


def test_the_district_officer_still_sees_every_commune(client, world):
    client.force_login(world.officer)
    assert [row["unit"] for row in client.get(url(world)).context["rows"]] == world.communes
    assert "777" in client.get(url(world, "history")).content.decode()


def test_when_the_province_enables_it_siblings_are_read_but_not_edited(client, world, settings):
    settings.COMMUNE_OFFICERS_SEE_DISTRICT = True
    client.force_login(world.commune_officer)
    rows = client.get(url(world)).context["rows"]
    assert [(row["unit"], row["editable"]) for row in rows] == [(world.communes[0], True), (world.communes[1], False)]
    assert client.get(url(world, "cell_history", "hoa_giai_vu", world.communes[1].code)).status_code == 200
