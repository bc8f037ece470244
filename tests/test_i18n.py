"""Vietnamese first, English through the switcher; Vietnamese dates and numbers."""
import datetime
import subprocess
from pathlib import Path

import pytest
from django import forms
from django.urls import reverse
from django.utils import formats, translation
from django.utils.formats import number_format

from mattran.models import OfficerRole
from tests.factories import make_officer, make_tree

ROOT = Path(__file__).resolve().parent.parent


class DayForm(forms.Form):
    day = forms.DateField()


def test_a_vietnamese_date_is_read_day_first():
    """Under vi, "03/11/2019" is 3 November 2019, not 11 March."""
    with translation.override("vi"):
        form = DayForm({"day": "03/11/2019"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2019, 11, 3)


def test_a_date_is_shown_day_first_under_vi():
    with translation.override("vi"):
        assert formats.date_format(datetime.date(2019, 11, 3), "SHORT_DATE_FORMAT") == "03/11/2019"


def test_numbers_are_grouped_with_dots_under_vi():
    with translation.override("vi"):
        assert number_format(1234567, force_grouping=True) == "1.234.567"
        assert formats.localize(1234567) == "1.234.567"
        assert formats.localize(1234.5) == "1.234,5"


def test_numbers_are_grouped_with_commas_under_en():
    with translation.override("en"):
        assert formats.localize(1234567) == "1,234,567"


@pytest.mark.django_db
def test_the_language_switch_turns_the_pages_into_english(client):
    """Posting to set_language changes the page text; Vietnamese is the default."""
    client.force_login(make_officer("tinh", make_tree(districts=1, communes=1, areas=1), OfficerRole.PROVINCE_STAFF))
    html = client.get(reverse("home")).content.decode()
    assert 'lang="vi"' in html and "Năm chương trình công tác" in html
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    html = client.get(reverse("home")).content.decode()
    assert 'lang="en"' in html
    assert "The five work programs" in html and "Năm chương trình công tác" not in html
    assert "Sign out" in html


def test_the_english_catalogue_has_nothing_untranslated_or_fuzzy():
    """msgfmt --statistics on locale/en reports only translated messages."""
    result = subprocess.run(["bash", "scripts/translate_check.sh"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_compiled_catalogues_are_present():
    for language in ("vi", "en"):
        assert (ROOT / "locale" / language / "LC_MESSAGES" / "django.mo").exists()


@pytest.mark.django_db
def test_an_english_browser_still_gets_vietnamese_until_the_switch(client):
    """Accept-Language is ignored: Vietnamese is the portal's language unless English is chosen."""
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in html and "Đăng nhập" in html
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="en"' in html and "Sign in" in html
