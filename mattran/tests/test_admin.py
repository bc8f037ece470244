"""Django admin: every model of mattran, programs, campaigns and reports has a working list and add page."""
import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import make_tree

pytestmark = pytest.mark.django_db

APPS = {"mattran", "programs", "campaigns", "reports"}
# Models other parts of the portal define in their own modules register their own admin.
MODULES = {f"{app}.models" for app in APPS}


@pytest.fixture
def admin_client_with_tree(admin_client):
    make_tree(districts=1, communes=1, areas=2)
    return admin_client


def test_every_model_of_the_portal_is_registered():
    from django.apps import apps

    missing = [
        m._meta.label for m in apps.get_models()
        if m.__module__ in MODULES and not m._meta.auto_created and not m.__name__.startswith("Historical")
        and not admin.site.is_registered(m)
    ]
    assert missing == []


def test_every_admin_list_and_add_page_answers(admin_client_with_tree):
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        assert admin_client_with_tree.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        assert admin_client_with_tree.get(reverse("admin:{}_{}_add".format(*info))).status_code in (200, 403), info


def test_unit_autocomplete_finds_units_by_name(admin_client_with_tree):
    response = admin_client_with_tree.get(
        reverse("admin:autocomplete"),
        {"term": "Thôn 1.1", "app_label": "mattran", "model_name": "officer", "field_name": "unit"},
    )
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_user_page_shows_the_officer_inline(admin_client_with_tree, django_user_model):
    user = django_user_model.objects.create_user(username="huyen.x", password="x")
    response = admin_client_with_tree.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert response.status_code == 200
    assert b"officer-0-unit" in response.content or b"officer-__prefix__" in response.content


def test_a_unit_cannot_be_placed_under_a_unit_of_its_own_kind_or_lower(admin_client_with_tree):
    """Given a commune, adding a residential area under it is fine; a commune under a residential area,
    or a district under a commune, is refused with a Vietnamese message and nothing is saved."""
    from mattran.models import Unit, UnitKind

    area, commune = Unit.objects.get(code="D1C1A1"), Unit.objects.get(code="D1C1")
    url = reverse("admin:mattran_unit_add")
    base = {"name": "Mới", "division_type": "", "valid_from": "", "valid_to": "", "successor": ""}
    for inline in ("placements", "successions"):  # the inlines' management forms
        base.update({f"{inline}-TOTAL_FORMS": "0", f"{inline}-INITIAL_FORMS": "0"})
    refused = admin_client_with_tree.post(url, {**base, "code": "X1", "kind": UnitKind.COMMUNE, "parent": area.pk})
    assert refused.status_code == 200
    assert "Đơn vị cấp trên phải ở cấp cao hơn: xã không thể trực thuộc khu dân cư." in refused.content.decode()
    refused = admin_client_with_tree.post(url, {**base, "code": "X2", "kind": UnitKind.DISTRICT, "parent": commune.pk})
    assert "huyện không thể trực thuộc xã" in refused.content.decode()
    assert not Unit.objects.filter(code__in=["X1", "X2"]).exists()
    accepted = admin_client_with_tree.post(url, {**base, "code": "X3", "kind": UnitKind.AREA, "parent": commune.pk})
    assert accepted.status_code == 302
    assert Unit.objects.get(code="X3").commune_id == commune.pk
