"""Signed-in answers are never stored by a proxy or the browser; the API schema is behind login."""
import pytest
from django.test import Client
from django.urls import reverse

from .security_registry import REGISTRY
from .test_security import CHECKED, url_for


@pytest.fixture
def world(db):
    from .security_registry import build_world

    return build_world()


@pytest.mark.parametrize("name", [name for name in CHECKED if "GET" in REGISTRY[name].methods])
def test_every_signed_in_answer_says_no_store_private(name, world):
    """Pages, the grid, dashboards, the API and Excel exports alike, as the owner and as provincial staff."""
    entry = REGISTRY[name]
    for user in (world.officer_a, world.staff):
        client = Client()
        client.force_login(user)
        response = client.get(url_for(name, world), entry.query_params(world))
        directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= directives, f"{name} as {user}: {response.status_code} {directives}"


def test_the_token_api_answer_says_no_store_too(world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world.staff)
    response = Client().get(reverse("api:target-results"), {"year": 2019, "unit": world.district_a.code},
                            HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_the_api_schema_is_refused_to_anonymous_visitors_and_served_to_signed_in_users(client, world):
    assert client.get(reverse("api-schema")).status_code in (401, 403)
    client.force_login(world.officer_a)
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200 and b"openapi" in response.content


def test_a_nul_character_in_the_address_is_a_bad_request_not_a_database_error(client, world):
    client.force_login(world.staff)
    assert client.get(reverse("dashboard:index"), {"unit": "A\x00"}).status_code == 400
    assert client.get("/don-vi/A%00/").status_code == 400
