"""Security suite enumerated from the URL configuration, so a new view cannot escape it.

Every named URL must have an entry in tests/security_registry.py (or a reason in SKIPPED_*).
For each entry: anonymous visitors are sent to login (API: 401/403), another district's officer
gets 404 and changes nothing, forms refuse posts without a CSRF token, and pages carry a
Content-Security-Policy and no inline scripts, event handlers or style attributes.
"""
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .security_registry import (
    EXTRA_SCOPED_VISITS,
    PUBLIC,
    REGISTRY,
    SCOPED,
    SKIPPED_NAMES,
    SKIPPED_NAMESPACES,
    build_world,
)

PROJECT_APPS = ("mattran", "programs", "campaigns", "reports", "registers", "emulation")


def project_url_names() -> list[str]:
    """Every named URL reachable from the root URL configuration, namespaced."""
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(part for part in (namespace, pattern.namespace) if part)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


def is_skipped(name: str) -> bool:
    return name in SKIPPED_NAMES or name.split(":", 1)[0] in SKIPPED_NAMESPACES and ":" in name


URL_NAMES = project_url_names()
CHECKED = [name for name in URL_NAMES if not is_skipped(name) and name in REGISTRY]
SCOPED_NAMES = [name for name in CHECKED if REGISTRY[name].access == SCOPED]
REACHABLE_SCOPED = [name for name in SCOPED_NAMES if REGISTRY[name].reachable]
POSTING = [name for name in CHECKED if "POST" in REGISTRY[name].methods]
HTML_PAGES = [name for name in CHECKED if REGISTRY[name].html and "GET" in REGISTRY[name].methods]


@pytest.fixture
def world(db):
    return build_world()


def url_for(name, world, kwargs=None):
    entry = REGISTRY[name]
    return reverse(name, kwargs=kwargs if kwargs is not None else entry.url_kwargs(world))


def database_snapshot():
    """Every row of every project table: any write shows up as a difference."""
    snapshot = {}
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            snapshot[model._meta.label] = list(model._default_manager.order_by("pk").values_list())
    return snapshot


@pytest.mark.parametrize("name", [n for n in URL_NAMES if not is_skipped(n)])
def test_every_named_url_is_in_the_security_registry(name):
    """A view added to the URL configuration without a registry entry fails here."""
    assert name in REGISTRY, (
        f"URL {name!r} is not in tests/security_registry.py: add REGISTRY[{name!r}] = Entry(...) saying "
        "how to build its kwargs from the World (an object of district A) and its access level, "
        "or add it to SKIPPED_NAMES with the reason."
    )


def test_the_registry_names_no_url_that_does_not_exist():
    stale = sorted(set(REGISTRY) - set(URL_NAMES))
    assert not stale, f"tests/security_registry.py names URLs that no longer exist: {stale}; remove them."


@pytest.mark.parametrize("name", CHECKED)
def test_anonymous_visitor_is_refused(name, world, client):
    """Anonymous GET (or POST for POST-only views) is sent to login; the API answers 401/403."""
    entry = REGISTRY[name]
    url = url_for(name, world)
    method = client.get if "GET" in entry.methods else client.post
    response = method(url, entry.query_params(world) if method == client.get else {})
    if entry.access == PUBLIC:
        assert response.status_code == entry.anonymous_status
    elif entry.api or name.startswith("api:"):
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302, f"{name}: anonymous got {response.status_code}"
        assert response.url.startswith(reverse("login")), response.url


def _scoped_visits(name, world):
    visits = [REGISTRY[name].url_kwargs(world)]
    visits += [make(world) for make in EXTRA_SCOPED_VISITS.get(name, [])]
    return visits


@pytest.mark.parametrize("name", REACHABLE_SCOPED)
def test_own_district_officer_reaches_the_page(name, world, client):
    """The registry entry really points at district A's object: its own officer gets 200."""
    entry = REGISTRY[name]
    client.force_login(world.officer_a)
    if "GET" in entry.methods:
        for kwargs in _scoped_visits(name, world):
            response = client.get(url_for(name, world, kwargs), entry.query_params(world))
            assert response.status_code == 200, f"{name} {kwargs}: {response.status_code}"


@pytest.mark.parametrize("name", SCOPED_NAMES)
def test_another_districts_officer_gets_404_and_changes_nothing(name, world, client):
    entry = REGISTRY[name]
    visits = _scoped_visits(name, world)
    client.force_login(world.officer_b)
    before = database_snapshot()
    for kwargs in visits:
        url = url_for(name, world, kwargs)
        if "GET" in entry.methods:
            assert client.get(url, entry.query_params(world)).status_code == 404, f"GET {url}"
        if "POST" in entry.methods:
            data = entry.post_data(world) if entry.post_data else {}
            assert client.post(url, data).status_code == 404, f"POST {url}"
    assert database_snapshot() == before


@pytest.mark.parametrize("name", POSTING)
def test_csrf_is_enforced_on_every_form(name, world):
    """A POST without a CSRF token is refused with 403, even from a signed-in officer."""
    entry = REGISTRY[name]
    client = Client(enforce_csrf_checks=True)
    if entry.access != PUBLIC:
        client.force_login(world.officer_a if entry.access == SCOPED else world.staff)
    url = url_for(name, world)  # builds district A's objects before the snapshot
    data = entry.post_data(world) if entry.post_data else {}
    before = database_snapshot()
    assert client.post(url, data).status_code == 403
    assert database_snapshot() == before


def test_csrf_is_enforced_on_the_language_switch():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 403


class InlineCodeFinder(HTMLParser):
    """Collects what the Content-Security-Policy would block: inline scripts, handlers, styles."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        names = {key.lower(): value for key, value in attrs}
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        for key in names:
            if key.startswith("on"):
                self.problems.append(f"event handler {key}= on <{tag}> at line {self.getpos()[0]}")
            if key == "style":
                self.problems.append(f"style= on <{tag}> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> element at line {self.getpos()[0]}")


@pytest.mark.parametrize("name", HTML_PAGES)
def test_page_has_a_csp_header_and_no_inline_code(name, world, client):
    """Rendered as provincial staff, every page is CSP-clean."""
    entry = REGISTRY[name]
    if entry.access != PUBLIC:
        client.force_login(world.staff)
    response = client.get(url_for(name, world), entry.query_params(world))
    assert response.status_code == 200, f"{name}: {response.status_code}"
    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    assert finder.problems == [], f"{name}: {finder.problems}"


XSS = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: reverse("home"),
        lambda w: reverse("units:browser"),
        lambda w: reverse("units:detail", args=[w.district_a.code]),
        lambda w: reverse("programs:detail", args=[1]),
        lambda w: reverse("campaigns:detail", args=["ngay_vi_nguoi_ngheo"]),
    ],
    ids=["home", "units-browser", "unit-detail", "program", "campaign"],
)
def test_unit_names_holding_script_are_shown_escaped(url_of, world, client):
    """A unit named <script>alert(1)</script> appears escaped in the navbar, rows and breadcrumbs."""
    for unit in (world.province, world.district_a, world.commune_a):
        unit.name = XSS
        unit.save()
    client.force_login(world.staff)
    html = client.get(url_of(world)).content.decode()
    assert XSS not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
