"""History pages are paged, newest first: a long history shows its latest changes on the first
page and costs the same few queries as a short one."""
import pytest
from django.urls import reverse

from reports.submissions.history_views import HISTORY_PAGE_SIZE
from reports.submissions.services import submission_get_or_create, values_save
from reports.tests.factories import cells, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world()


def edit(world, submission, times, start=1):
    """Save one cell ``times`` times with a new value each time (start, start+1, …)."""
    version = submission.version
    for n in range(start, start + times):
        version = values_save(
            submission=submission, values=cells(world, {(world.communes[0], "hoa_giai_vu"): str(n)}),
            by=world.officer, expected_version=version,
        ).version
    return version


def urls(world):
    args = ["t_thang", world.district.code, "2019-05"]
    return (reverse("reports:history", args=args),
            reverse("reports:cell_history", args=[*args, "hoa_giai_vu", world.communes[0].code]))


def test_a_long_history_is_paged_newest_first(client, world):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    edit(world, submission, HISTORY_PAGE_SIZE + 20)
    client.force_login(world.officer)
    for url in urls(world):
        first = client.get(url)
        changes = [(c["old"], c["new"]) for c in first.context["changes"]]
        assert len(changes) == HISTORY_PAGE_SIZE and changes[0] == ("119", "120") and changes[-1] == ("20", "21")
        last = client.get(url, {"page": 2}).context["changes"]
        assert [(c["old"], c["new"]) for c in last][-2:] == [("1", "2"), ("", "1")]  # the first value is on the last page
        assert "Trang 1/2" in first.content.decode()


def test_the_history_costs_the_same_queries_however_long(client, world, django_assert_max_num_queries):
    submission = submission_get_or_create(form=world.monthly, unit=world.district, period="2019-05", by=world.officer)
    edit(world, submission, 3)
    client.force_login(world.officer)
    counts = {}
    for url in urls(world):
        with django_assert_max_num_queries(15) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured)
    submission.refresh_from_db()
    edit(world, submission, 2 * HISTORY_PAGE_SIZE, start=10)
    for url in urls(world):
        with django_assert_max_num_queries(counts[url]):
            response = client.get(url)
        assert len(response.context["changes"]) == HISTORY_PAGE_SIZE
