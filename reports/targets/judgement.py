"""How a target stands for a unit in a year: one status and its words, for every page, export and badge."""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from programs.models import Target
from reports.models import TargetResult

ACHIEVED, NOT_ACHIEVED, NOT_DUE, NO_DATA = "achieved", "not_achieved", "not_due", "no_data"
PAST_DUE = "past_due"
NOT_REPORTED = "not_reported"  # units to count, none of which has reported: not judged, not "0% Không đạt"


@dataclass(frozen=True)
class Judgement:
    """How a target stands for a unit in a year, with the words to show."""

    status: str
    label: str


def judge(target: Target, result: TargetResult | None, year: int, due_result: TargetResult | None = None) -> Judgement:
    """Before the due year "Chưa đến hạn"; in it (or every year) judged; after it, the due year's verdict."""
    from reports.formatting import format_target_percent

    state = target.due_state(year)
    if state == "after":
        if due_result is None:
            verdict = _("Chưa có số liệu")
        elif due_result.nothing_reported:
            verdict = _("Chưa báo cáo")
        else:
            verdict = _("%(percent)s — %(status)s") % {
                "percent": format_target_percent(target, due_result),
                "status": _("Đạt") if due_result.achieved else _("Không đạt"),
            }
        return Judgement(PAST_DUE, _("Kết quả năm đánh giá (%(year)s): %(verdict)s") % {
            "year": target.due_year, "verdict": verdict,
        })
    if result is None:
        return Judgement(NO_DATA, _("Chưa có số liệu"))
    if result.nothing_reported:
        return Judgement(NOT_REPORTED, _("Chưa báo cáo"))
    if state == "before":
        return Judgement(NOT_DUE, _("Chưa đến hạn"))
    return Judgement(ACHIEVED, _("Đạt")) if result.achieved else Judgement(NOT_ACHIEVED, _("Không đạt"))
