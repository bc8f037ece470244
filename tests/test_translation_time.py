"""No message is translated when a module is imported: it would be frozen in the language of
whatever first imported it (Vietnamese), whatever the user later chooses."""
import ast
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
APPS = ("mattran", "programs", "campaigns", "reports", "emulation", "registers")
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _eager_names(tree: ast.Module) -> set[str]:
    """Local names bound to Django's eager gettext functions in this module."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            names |= {alias.asname or alias.name for alias in node.names if alias.name in EAGER}
    return names


def _import_time_calls(tree: ast.Module, names: set[str]):
    """Calls of ``names`` that run when the module is imported (outside any function or lambda)."""
    def visit(node, in_function):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            in_function = True
        if (not in_function and isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in names):
            yield node.lineno
        for child in ast.iter_child_nodes(node):
            yield from visit(child, in_function)

    yield from visit(tree, False)


def application_modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).parts
            if "tests" in parts or "migrations" in parts:
                continue
            yield path


def test_no_application_module_translates_a_message_at_import_time():
    """Class attributes and module constants use gettext_lazy; gettext runs only inside functions."""
    found = []
    for path in application_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _eager_names(tree)
        found += [f"{path.relative_to(ROOT)}:{line}" for line in _import_time_calls(tree, names)]
    assert found == []


def test_the_checker_finds_a_class_level_gettext():
    """The check above is not vacuous: a success message set on a class with gettext is caught."""
    tree = ast.parse(
        "from django.utils.translation import gettext as _\n"
        "class V:\n    success_message = _('Đã lưu.')\n"
        "def f():\n    return _('ok')\n"
    )
    assert list(_import_time_calls(tree, _eager_names(tree))) == [3]


@pytest.mark.django_db
def test_an_emulation_success_message_follows_the_chosen_language(client):
    """Chosen English, an officer's self score is confirmed in English (it was Vietnamese)."""
    from emulation import services
    from emulation.models import Score
    from emulation.tests import factories as f

    tree = f.tree(districts=1, communes=1, areas=1)
    guide = f.guide(2031)
    district = tree["districts"][0]
    sheet = services.sheet_get_or_create(guide=guide, unit=district)
    score = Score.objects.get(sheet=sheet, criterion__code="A")
    client.force_login(f.officer(district))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(
        reverse("emulation:score_self", args=[2031, district.pk, score.pk]), {"points": "10", "version": 1}, follow=True,
    )
    text = response.content.decode()
    assert "Self-assessed points saved." in text
    assert "Đã lưu điểm tự chấm." not in text


def _view_modules():
    import importlib
    import pkgutil

    import emulation
    import registers
    import reports

    for package in (emulation, reports, registers):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if "views" in info.name.rsplit(".", 1)[-1] and ".tests" not in info.name:
                yield importlib.import_module(info.name)


def test_every_message_a_view_class_holds_follows_the_language():
    """Switched to English, each message string set on a view class of emulation, reports and
    registers (success messages and the like) reads in English, and in Vietnamese when switched back."""
    from django.utils import translation
    from django.utils.functional import Promise

    checked = []
    for module in _view_modules():
        for cls in vars(module).values():
            if not isinstance(cls, type) or cls.__module__ != module.__name__:
                continue
            for name, value in vars(cls).items():
                if name.startswith("_"):
                    continue
                if isinstance(value, Promise):
                    with translation.override("vi"):
                        vi = str(value)
                    with translation.override("en"):
                        en = str(value)
                    checked.append((f"{module.__name__}.{cls.__name__}.{name}", vi, en))
                elif isinstance(value, str) and any(ch in value for ch in "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"):
                    checked.append((f"{module.__name__}.{cls.__name__}.{name}", value, value))
    assert len(checked) >= 6, checked  # the success messages of emulation and registers at least
    frozen = [name for name, vi, en in checked if vi == en]
    assert frozen == []
