"""Admin pages, the copy action, the Celery task name and honour decisions."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from emulation import honours
from emulation.models import EmulationGuide, Nomination
from emulation.tasks import recompute_scores

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["emulationguide", "section", "criterion", "cluster", "scoresheet", "score", "nomination"]
)
def test_admin_changelists_open(admin_client, model):
    assert admin_client.get(reverse(f"admin:emulation_{model}_changelist")).status_code == 200


def test_admin_guide_change_page_shows_inlines(admin_client):
    guide = EmulationGuide.objects.get(year=2019, scored_kind="DISTRICT")
    page = admin_client.get(reverse("admin:emulation_emulationguide_change", args=[guide.pk])).content.decode()
    assert "Xuất sắc" in page and "Nâng cao năng lực hoạt động của Mặt trận" in page


def test_admin_action_copies_a_guide_to_the_next_year(admin_client):
    """The action asks for the year, then copies; copying onto an existing year is refused with a message."""
    guide = EmulationGuide.objects.get(year=2020, scored_kind="COMMUNE")
    url = reverse("admin:emulation_emulationguide_changelist")
    ask = admin_client.post(url, {"action": "copy_to_year", "_selected_action": [guide.pk]})
    assert "Sao chép hướng dẫn sang năm sau" in ask.content.decode()
    admin_client.post(url, {"action": "copy_to_year", "_selected_action": [guide.pk], "apply": "1", "year": 2021})
    copy = EmulationGuide.objects.get(year=2021, scored_kind="COMMUNE")
    assert copy.copied_from == guide and copy.title.endswith("2021")
    again = admin_client.post(
        url, {"action": "copy_to_year", "_selected_action": [guide.pk], "apply": "1", "year": 2021}, follow=True
    )
    assert "đã có hướng dẫn" in again.content.decode()


def test_a_guide_copied_in_the_admin_has_a_scored_sheet_for_every_commune(admin_client, django_capture_on_commit_callbacks):
    """Nobody opens a sheet: the copy's year is scored after commit, one sheet per active commune."""
    from emulation.models import ScoreSheet
    from tests.factories import make_tree

    make_tree(districts=2, communes=3, areas=1)
    guide = EmulationGuide.objects.get(year=2020, scored_kind="COMMUNE")
    url = reverse("admin:emulation_emulationguide_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "copy_to_year", "_selected_action": [guide.pk], "apply": "1", "year": 2021})
    sheets = ScoreSheet.objects.filter(guide__year=2021, guide__scored_kind="COMMUNE")
    assert sheets.count() == 6 and not sheets.filter(computed_at__isnull=True).exists()
    assert set(sheets.values_list("rank_in_province", flat=True)) == {1}


def test_recompute_task_is_named_and_late_acknowledged():
    assert recompute_scores.name == "emulation.recompute_scores"
    assert recompute_scores.acks_late is True


def test_nomination_rules_refuse_clearly():
    """Only districts propose, only the province decides, a decision needs a date and happens once."""
    t = f.tree(districts=1, communes=1, areas=1)
    district = t["districts"][0]
    commune = t["communes"][district.pk][0]
    district_user, province_user, commune_user = f.officer(district), f.officer(t["province"]), f.officer(commune)
    args = {"title": "CHU_TICH_XA", "year": 2019, "person_name": "Lý Thị B", "unit": commune, "reason": "Tiêu biểu"}
    with pytest.raises(ValidationError, match="cấp huyện được đề nghị"):
        honours.nomination_create(**args, by=commune_user)
    nomination = honours.nomination_create(**args, by=district_user)
    with pytest.raises(ValidationError, match="đã được đề nghị"):
        honours.nomination_create(**args, by=district_user)
    with pytest.raises(ValidationError, match="tỉnh quyết định"):
        honours.nomination_decide(nomination=nomination, approve=True, decided_on=datetime.date(2019, 12, 1), by=district_user)
    with pytest.raises(ValidationError, match="ngày quyết định"):
        honours.nomination_decide(nomination=nomination, approve=True, decided_on=None, by=province_user)
    honours.nomination_decide(nomination=nomination, approve=False, decided_on=datetime.date(2019, 12, 1), by=province_user)
    with pytest.raises(ValidationError, match="đã có quyết định"):
        honours.nomination_decide(nomination=nomination, approve=True, decided_on=datetime.date(2019, 12, 2), by=province_user)
    nomination.refresh_from_db()
    assert (nomination.status, nomination.decided_on) == ("DECLINED", datetime.date(2019, 12, 1))
    assert Nomination.objects.count() == 1


def test_cluster_admin_refuses_a_unit_in_two_clusters(admin_client):
    from emulation.models import Cluster

    t = f.tree(districts=2, communes=0, areas=0)
    guide = EmulationGuide.objects.get(year=2019, scored_kind="DISTRICT")
    Cluster.objects.create(guide=guide, name="Cụm 1").members.set(t["districts"])
    response = admin_client.post(
        reverse("admin:emulation_cluster_add"),
        {"guide": guide.pk, "name": "Cụm 2", "members": [t["districts"][0].pk]},
    )
    assert "đã thuộc một cụm khác" in response.content.decode()
    assert Cluster.objects.filter(guide=guide).count() == 1
