"""The admin reads in Vietnamese and computed tables cannot be added or edited there (issue 17)."""
import re

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _index_labels(html: str) -> list[str]:
    """App captions and model names of the admin index."""
    captions = re.findall(r'<caption>\s*<a [^>]*>(.*?)</a>', html, re.S)
    models = re.findall(r'<th scope="row" id="[^"]*">\s*<a [^>]*>(.*?)</a>', html, re.S)
    return [re.sub(r"\s+", " ", s).strip() for s in captions + models]


ENGLISH = re.compile(
    r"\b(auth|token|tokens|axes|access|attempt|attempts|log|logs|periodic|tasks?|clocked|solar|crontab|interval|"
    r"events?|schedules?|users?|groups?|authentication|authorization|indicator|province|district|commune|area|"
    r"section|results?|runs?|django)\b",
    re.I,
)


def test_admin_index_in_vietnamese_names_no_english_app_or_model(admin_client):
    response = admin_client.get(reverse("admin:index"))
    html = response.content.decode()
    labels = _index_labels(html)
    assert len(labels) > 20, labels
    english = [label for label in labels if ENGLISH.search(label)]
    assert english == []
    assert "Trang quản trị cho Django" not in html
    assert "Quản trị Cổng MTTQ" in html.split("<title>")[1].split("</title>")[0]


COMPUTED = ["reports.TargetResult", "reports.IndicatorAggregate", "reports.ComputationRun"]


@pytest.mark.parametrize("label", COMPUTED)
def test_computed_tables_can_be_read_but_not_added_or_changed(admin_client, admin_user, rf, label):
    """Given an administrator, a computed table lists, but its add page is refused and its admin
    grants no add, change or delete: Celery would overwrite any hand edit."""
    from django.apps import apps

    model = apps.get_model(label)
    app, name = model._meta.app_label, model._meta.model_name
    assert admin_client.get(reverse(f"admin:{app}_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{app}_{name}_add")).status_code == 403
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)


def test_unit_autocomplete_tells_two_same_named_wards_apart_by_code_and_parent(admin_client):
    from mattran.models import UnitKind
    from tests.factories import make_unit

    province = make_unit("20", "Lạng Sơn", UnitKind.PROVINCE)
    city = make_unit("178", "Thành phố Lạng Sơn", UnitKind.DISTRICT, province)
    other = make_unit("183", "Huyện Cao Lộc", UnitKind.DISTRICT, province)
    make_unit("05974", "Phường Tam Thanh", UnitKind.COMMUNE, city)
    make_unit("06100", "Phường Tam Thanh", UnitKind.COMMUNE, other)
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": "Tam Thanh", "app_label": "mattran", "model_name": "officer", "field_name": "unit"},
    )
    texts = sorted(r["text"] for r in response.json()["results"])
    assert texts == ["05974 · Phường Tam Thanh — Thành phố Lạng Sơn", "06100 · Phường Tam Thanh — Huyện Cao Lộc"]


def test_the_criterion_section_choice_names_its_guide_and_year(admin_client):
    from emulation.models import EmulationGuide, Section

    for year in (2031, 2032):
        guide = EmulationGuide.objects.create(year=year, scored_kind="DISTRICT", title="Hướng dẫn cấp huyện")
        Section.objects.create(guide=guide, order=1, title="Chương trình 1")
    html = admin_client.get(reverse("admin:emulation_criterion_add")).content.decode()
    assert "Hướng dẫn cấp huyện (2031) — 1. Chương trình 1" in html
    assert "Hướng dẫn cấp huyện (2032) — 1. Chương trình 1" in html


def test_every_admin_model_and_field_label_is_vietnamese():
    """No label left as Django derives it from an English name ("indicator", "province", "section"),
    third-party models included (axes, tokens): a Vietnamese label has a letter outside ASCII."""
    from django.utils import translation

    english = []
    with translation.override("vi"):
        for model in admin.site._registry:
            opts = model._meta
            labels = [("model", opts.verbose_name), ("app", opts.app_config.verbose_name)]
            labels += [
                (f.name, f.verbose_name) for f in opts.get_fields()
                if hasattr(f, "verbose_name") and not (f.auto_created and not f.concrete) and f.name != "id"
            ]
            english += [(opts.label, name, str(label)) for name, label in labels if str(label).isascii()]
    assert english == []
