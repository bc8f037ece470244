"""Which periods open for entry: the form's years, an action plan's term, and not before the period begins."""
import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import ActionPlan
from reports.models import Submission
from reports.submissions.services import submission_get_or_create
from reports.tests.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return make_world(communes=1, areas_per_commune=1)


def grid(form, unit, period):
    return reverse("reports:grid", args=[form.code, unit.code, period])


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
@pytest.mark.parametrize("period", ["2099", "2035", "2020"])
def test_a_future_year_does_not_open_and_saves_nothing(client, world, period):
    """As the district officer, posting a cell to a year that has not begun is refused and leaves no draft."""
    client.force_login(world.officer)
    cell = f"v-{world.areas[0].pk}-{world.indicators['ngay_hoi_to_chuc'].pk}"
    response = client.post(grid(world.festival, world.district, period), {"version": "0", cell: "1"})
    assert response.status_code == 404
    assert client.get(grid(world.festival, world.district, period)).status_code == 404
    assert not Submission.objects.exists()


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_the_current_and_past_periods_open_but_next_month_does_not(client, world):
    client.force_login(world.officer)
    assert client.get(grid(world.monthly, world.district, "2019-07")).status_code == 200
    assert client.get(grid(world.monthly, world.district, "2019-01")).status_code == 200
    assert client.get(grid(world.monthly, world.district, "2019-08")).status_code == 404
    with pytest.raises(ValidationError, match="chưa bắt đầu"):
        submission_get_or_create(form=world.monthly, unit=world.district, period="2019-08", by=world.officer)


def test_a_form_that_allows_early_entry_opens_that_many_days_before_its_period(world):
    """Next year's plan may be drafted from October (92 days ahead), not in September."""
    world.plan.early_entry_days = 92
    world.plan.save()
    with time_machine.travel(datetime.datetime(2019, 9, 20, 9, 0), tick=False), \
            pytest.raises(ValidationError, match="chưa bắt đầu"):
        submission_get_or_create(form=world.plan, unit=world.province, period="2020", by=world.staff)
    with time_machine.travel(datetime.datetime(2019, 10, 2, 9, 0), tick=False):
        assert submission_get_or_create(form=world.plan, unit=world.province, period="2020", by=world.staff).pk


@time_machine.travel(datetime.datetime(2022, 3, 1, 9, 0), tick=False)
def test_a_year_beyond_every_plans_term_does_not_open_nor_is_listed_as_due(client, world):
    """The 2015–2020 plan is the only one: 2021 and 2022 neither open nor appear in the inbox."""
    assert list(ActionPlan.objects.values_list("term_start", "term_end")) == [(2015, 2020)]
    with pytest.raises(ValidationError, match="nhiệm kỳ"):
        submission_get_or_create(form=world.festival, unit=world.district, period="2021", by=world.officer)
    client.force_login(world.officer)
    periods = {str(item.period) for item in client.get(reverse("reports:inbox")).context["items"]}
    assert "2020" in periods and not any(p.startswith(("2021", "2022")) for p in periods)


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_a_year_after_the_forms_last_year_does_not_open(world):
    world.monthly.last_year = 2018
    world.monthly.save()
    with pytest.raises(ValidationError, match="không áp dụng cho năm 2019"):
        submission_get_or_create(form=world.monthly, unit=world.district, period="2019-01", by=world.officer)


@time_machine.travel(datetime.datetime(2019, 7, 20, 9, 0), tick=False)
def test_a_draft_made_before_the_rule_still_opens(client, world):
    """A submission that exists (made in the admin, or before this rule) is shown, never hidden."""
    Submission.objects.create(form=world.festival, unit=world.district, period="2035", year=2035)
    client.force_login(world.officer)
    assert client.get(grid(world.festival, world.district, "2035")).status_code == 200
