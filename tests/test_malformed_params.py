"""Every URL pattern, requested with malformed parameters, answers anything but a server error.

Generated from the URL configuration like the security suite: every named URL of
tests/security_registry.py is fetched as provincial staff and as district A's officer with every
query parameter the project reads (found in the source and in its filter forms and serializers)
set to text, huge and negative numbers, unknown codes, overlong and NUL-holding text; and with each
URL argument replaced by an unknown code or a number beyond any database integer.
"""
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from .security_registry import REGISTRY, SKIPPED_NAMESPACES
from .test_security import CHECKED, PROJECT_APPS, URL_NAMES, url_for

ROOT = Path(__file__).resolve().parent.parent
MALFORMED = ["abc", "-1", "0", "99999999999999999999999", "2099", "1e309", "2019-13", "ZZZ-khong-co", "x" * 500, "a\x00b", ""]
HUGE_NUMBER = 99_999_999_999_999_999_999
_READ_PARAMETER = re.compile(r"\.(?:GET|POST|query_params|data)(?:\.get|\.getlist)?\(?\[?\s*[\"']([a-z_]+)[\"']")


def parameter_names() -> list[str]:
    """Every request parameter name the project's code, filter forms and API serializers read."""
    names = set()
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" not in path.parts and "migrations" not in path.parts:
                names.update(_READ_PARAMETER.findall(path.read_text(encoding="utf-8")))
    from registers.forms import RegisterFilterForm
    from registers.registry import REGISTERS
    from reports.submissions.inbox import InboxFilter, QueueFilter
    from reports.targets.api import TargetResultQuery

    names.update(RegisterFilterForm.base_fields)
    for register in REGISTERS.values():
        names.update(f.name for f in register.filters)
    names.update(TargetResultQuery().fields)
    names.update(InboxFilter.base_fields, QueueFilter.base_fields)
    return sorted(names)


PARAMETERS = parameter_names()
GET_NAMES = [name for name in CHECKED if "GET" in REGISTRY[name].methods]
POST_NAMES = [name for name in CHECKED if "POST" in REGISTRY[name].methods]


@pytest.fixture
def world(db):
    from .security_registry import build_world

    return build_world()


def _server_errors(client, method, url, data) -> list[str]:
    try:
        response = getattr(client, method)(url, data)
    except Exception as error:  # noqa: BLE001 - any exception the view lets out is what the sweep looks for
        return [f"{method.upper()} {url} {data!r:.80}: {type(error).__name__}: {error}"]
    return [f"{method.upper()} {url} {data!r:.80}: {response.status_code}"] if response.status_code >= 500 else []


def _clients(world):
    for user in (world.staff, world.officer_a):
        client = Client()
        client.force_login(user)
        yield client


def test_the_sweep_covers_every_url_pattern_outside_djangos_admin():
    """Every named URL of the project is swept; only the admin namespace (Django's own) is left out."""
    swept = set(CHECKED) | {"set_language"}
    left_out = [name for name in URL_NAMES if name not in swept]
    assert all(name.split(":", 1)[0] in SKIPPED_NAMESPACES for name in left_out), left_out


@pytest.mark.django_db
def test_the_language_switch_takes_malformed_values_without_a_server_error():
    errors = []
    for value in MALFORMED:
        errors += _server_errors(Client(), "post", reverse("set_language"), {"language": value, "next": value})
    assert not errors, "\n".join(errors)


def test_the_sweep_reads_the_parameters_views_use():
    """The generated names include the ones known to have crashed (``nam`` on /thi-dua/)."""
    assert {"nam", "year", "unit", "period", "form", "page", "q"} <= set(PARAMETERS)


@pytest.mark.parametrize("name", GET_NAMES)
def test_malformed_query_parameters_never_answer_500(name, world):
    url = url_for(name, world)
    errors = []
    for client in _clients(world):
        for value in MALFORMED:
            errors += _server_errors(client, "get", url, {parameter: value for parameter in PARAMETERS})
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", POST_NAMES)
def test_malformed_posted_fields_never_answer_500(name, world):
    entry = REGISTRY[name]
    url = url_for(name, world)
    fields = set(PARAMETERS) | set(entry.post_data(world) if entry.post_data else {})
    errors = []
    for client in _clients(world):
        for value in MALFORMED:
            errors += _server_errors(client, "post", url, {field: value for field in fields})
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("name", [name for name in CHECKED if REGISTRY[name].url_kwargs is not None and REGISTRY[name].kwargs])
def test_unknown_codes_and_huge_numbers_in_the_url_never_answer_500(name, world):
    entry = REGISTRY[name]
    kwargs = entry.url_kwargs(world)
    errors = []
    for key, value in kwargs.items():
        for bad in ((HUGE_NUMBER, 0) if isinstance(value, int) else ("ZZZ-khong-co", "9999")):
            try:
                url = reverse(name, kwargs={**kwargs, key: bad})
            except Exception:  # noqa: BLE001 - the pattern refuses the value: nothing to request
                continue
            for client in _clients(world):
                for method in ("get", "post") if "POST" in entry.methods else ("get",):
                    errors += _server_errors(client, method, url, {})
    assert not errors, "\n".join(errors)
