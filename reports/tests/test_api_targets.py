"""GET /api/v1/target-results/: one object per target for one unit, scoped, typed in the schema."""
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from mattran.models import OfficerRole, Unit, UnitKind
from reports.models import TargetResult
from reports.targets import runs
from reports.tests.target_factories import festival
from tests.factories import make_officer, make_tree

pytestmark = pytest.mark.django_db
URL = "/api/v1/target-results/"


@pytest.fixture
def computed():
    province = make_tree(districts=2, communes=2, areas=2)
    d1 = Unit.objects.get(code="D1")
    festival(d1, 2019, {a: True for a in Unit.objects.filter(district=d1, kind=UnitKind.AREA)})
    runs.year_recompute(year=2019)
    return province


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_url_is_named_in_the_api_namespace():
    assert reverse("api:target-results") == URL


def test_answers_a_bare_list_with_exactly_the_agreed_fields_for_the_unit_only(computed):
    """Province staff asking for D1 get three objects (one per target), D1's own rows, percent as a number."""
    staff = make_officer("tinh", computed, OfficerRole.PROVINCE_STAFF)
    response = client_for(staff).get(URL, {"year": 2019, "unit": "D1"})
    assert response.status_code == 200
    data = response.json()
    assert isinstance(data, list) and len(data) == 3
    assert {row["unit"] for row in data} == {"D1"}
    festival_row = next(row for row in data if row["target"] == "ngay_hoi_kdc")
    assert set(festival_row) == {
        "target", "unit", "year", "numerator", "denominator", "percent", "percent_display", "achieved", "due", "not_reported", "computed_at",
    }
    assert festival_row["percent"] == 100.0 and isinstance(festival_row["percent"], float)
    assert festival_row["percent_display"] == "100,0%"
    assert (festival_row["numerator"], festival_row["denominator"], festival_row["achieved"]) == (4, 4, True)
    assert festival_row["year"] == 2019 and festival_row["due"] is True and festival_row["not_reported"] == 0


def test_token_authentication_works(computed):
    officer = make_officer("huyen1", Unit.objects.get(code="D1"))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    assert client.get(URL, {"year": 2019, "unit": "D1C1"}).status_code == 200


def test_another_districts_unit_answers_404(computed):
    """A D1 officer asking for D2 or the province gets 404, not their numbers."""
    officer = make_officer("huyen1", Unit.objects.get(code="D1"))
    assert client_for(officer).get(URL, {"year": 2019, "unit": "D2"}).status_code == 404
    assert client_for(officer).get(URL, {"year": 2019, "unit": "20"}).status_code == 404
    assert client_for(officer).get(URL, {"year": 2019, "unit": "NOPE"}).status_code == 404


def test_anonymous_is_refused(computed):
    assert APIClient().get(URL, {"year": 2019, "unit": "D1"}).status_code in (401, 403)


@pytest.mark.parametrize("params", [{"year": "abc", "unit": "D1"}, {"year": 1800, "unit": "D1"}, {"unit": "D1"}, {"year": 2019}])
def test_bad_or_missing_parameters_answer_400_in_vietnamese(computed, params):
    staff = make_officer("tinh", computed, OfficerRole.PROVINCE_STAFF)
    response = client_for(staff).get(URL, params)
    assert response.status_code == 400
    message = str(response.json())
    assert "Năm" in message or "Thiếu" in message


def test_query_count_does_not_grow_with_units(computed, django_assert_max_num_queries):
    """Doubling the tree does not add queries."""
    staff = make_officer("tinh", computed, OfficerRole.PROVINCE_STAFF)
    client = APIClient()
    client.force_login(staff)
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"year": 2019, "unit": "20"}).status_code == 200
    make_tree(districts=3, communes=3, areas=3, province_code="21", prefix="X")
    Unit.objects.filter(code__startswith="X").update(parent=None)
    runs.year_recompute(year=2019)
    assert TargetResult.objects.count() > 30
    with django_assert_max_num_queries(6):
        assert client.get(URL, {"year": 2019, "unit": "20"}).status_code == 200


def test_the_openapi_schema_types_the_endpoint(computed):
    """The schema lists the path with its two query parameters and a list of typed objects."""
    staff = make_officer("tinh", computed, OfficerRole.PROVINCE_STAFF)
    client = APIClient()
    client.force_login(staff)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/target-results/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"year", "unit"}
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"
    component = schema["components"]["schemas"][body["items"]["$ref"].rsplit("/", 1)[-1]]
    assert component["properties"]["percent"]["type"] == "number"
    assert component["properties"]["target"]["type"] == "string"
    assert component["properties"]["computed_at"]["format"] == "date-time"
