"""Helpers of the score sheet tests: a guide over a small tree, a score by code, a sheet as a tuple."""
from emulation import services
from emulation.models import Evidence, Score

YEAR = 2031


def score_of(sheet, code):
    return Score.objects.get(sheet=sheet, criterion__code=code)


def fill(sheet, by, **points):
    for code, value in points.items():
        services.score_self(score=score_of(sheet, code), points=value, by=by)


def snapshot(sheet):
    sheet.refresh_from_db()
    return (
        sheet.status, sheet.total, sheet.version,
        list(sheet.scores.order_by("pk").values_list("self_points", "reviewed_points", "final_points", "auto_points")),
        Evidence.objects.filter(score__sheet=sheet).count(),
    )
