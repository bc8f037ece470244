"""Login and logout in Vietnamese, and the lockout after repeated failures (django-axes)."""
import datetime
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mattran.models import OfficerRole
from tests.factories import DEMO_PASSWORD, make_officer, make_tree

pytestmark = pytest.mark.django_db

IP = "10.0.0.7"


@pytest.fixture
def tinh(db):
    return make_officer("tinh", make_tree(districts=1, communes=1, areas=1), OfficerRole.PROVINCE_STAFF)


def login(client, password, ip=IP, username="tinh"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_login_page_is_in_vietnamese_with_a_bootstrap_form(client):
    html = client.get(reverse("login")).content.decode()
    assert "Đăng nhập" in html and "Mật khẩu" in html
    assert "form-control" in html and 'class="form-label' in html  # crispy-bootstrap5


def test_right_password_signs_in_and_logout_signs_out(client, tinh):
    response = login(client, DEMO_PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    assert is_signed_in(client)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and not is_signed_in(client)


def test_wrong_password_shows_a_vietnamese_error(client, tinh):
    response = login(client, "sai-mat-khau")
    assert response.status_code == 200 and not is_signed_in(client)
    assert "mật khẩu chính xác" in response.content.decode()


def test_five_failures_lock_the_account_then_the_cool_off_releases_it(client, tinh, settings):
    """After 5 bad passwords even the right one is refused; after the cool-off it works again."""
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            login(client, "sai")
        response = login(client, DEMO_PASSWORD)
        assert response.status_code == 429
        assert "tạm thời bị khóa" in response.content.decode()
        assert not is_signed_in(client)

        traveller.shift(datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1))
        response = login(client, DEMO_PASSWORD)
        assert response.status_code == 302 and is_signed_in(client)


def test_the_lock_holds_for_that_ip_only(client, tinh):
    """The lock is by username and IP: the same user from another machine may still sign in."""
    for _ in range(5):
        login(client, "sai")
    assert login(client, DEMO_PASSWORD).status_code == 429
    response = login(client, DEMO_PASSWORD, ip="10.0.0.8")
    assert response.status_code == 302 and is_signed_in(client)


def test_no_account_is_staff_except_administrators(tinh):
    assert tinh.is_staff is False


def test_every_page_names_the_portals_icon_served_from_static(client):
    """The browser asks no /favicon.ico of a closed network: the page links the portal's own icon."""
    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    page = client.get(reverse("login")).content.decode()
    assert f'<link rel="icon" href="{static("favicon.svg")}" type="image/svg+xml">' in page
    assert "<svg" in Path(finders.find("favicon.svg")).read_text(encoding="utf-8")


PROXY = "10.1.0.2"


def login_via(client, password, *, remote, forwarded):
    return client.post(reverse("login"), {"username": "tinh", "password": password},
                       REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.1.0.0/24"]


def test_behind_a_trusted_proxy_a_stranger_locks_only_his_own_address(client, tinh, behind_proxy):
    """Every request comes from the proxy; five bad passwords for tinh from a stranger's address
    lock that address, and the province's officer at another address still signs in."""
    for _ in range(5):
        login_via(client, "sai", remote=PROXY, forwarded="203.0.113.5")
    assert login_via(client, DEMO_PASSWORD, remote=PROXY, forwarded="203.0.113.5").status_code == 429
    response = login_via(client, DEMO_PASSWORD, remote=PROXY, forwarded="198.51.100.7")
    assert response.status_code == 302 and is_signed_in(client)


def test_behind_a_trusted_proxy_a_forged_leftmost_address_is_ignored(client, tinh, behind_proxy):
    """The client may write anything left of what our proxy appends; the proxy's hop is what counts."""
    for n in range(5):
        login_via(client, "sai", remote=PROXY, forwarded=f"192.0.2.{n}, 203.0.113.5")
    assert login_via(client, DEMO_PASSWORD, remote=PROXY, forwarded="192.0.2.99, 203.0.113.5").status_code == 429


def test_from_an_untrusted_address_x_forwarded_for_is_not_read(client, tinh, behind_proxy):
    """A stranger connecting directly cannot dodge the lock by changing the header on every try."""
    for n in range(5):
        login_via(client, "sai", remote="203.0.113.9", forwarded=f"198.51.100.{n}")
    assert login_via(client, DEMO_PASSWORD, remote="203.0.113.9", forwarded="198.51.100.77").status_code == 429
    response = login_via(client, DEMO_PASSWORD, remote="203.0.113.10", forwarded="198.51.100.77")
    assert response.status_code == 302 and is_signed_in(client)


def test_without_trusted_proxies_the_header_is_ignored(client, tinh):
    for n in range(5):
        login_via(client, "sai", remote=IP, forwarded=f"198.51.100.{n}")
    assert login_via(client, DEMO_PASSWORD, remote=IP, forwarded="198.51.100.200").status_code == 429
