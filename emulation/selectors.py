"""Reads of the emulation app, each a fixed number of queries whatever the number of units."""
from django.db.models import Prefetch
from django.http import Http404

from mattran.access import visible_units
from mattran.models import Unit
from reports.models import ComputationRun

from .models import EmulationGuide, Evidence, Nomination, Score, ScoreSheet


def guide_for(*, year: int, kind: str) -> EmulationGuide:
    try:
        return EmulationGuide.objects.get(year=year, scored_kind=kind)
    except EmulationGuide.DoesNotExist:
        raise Http404 from None


def sheet_of(*, guide: EmulationGuide, unit: Unit) -> ScoreSheet | None:
    """The unit's existing sheet (with its band), or None."""
    return ScoreSheet.objects.select_related("band").filter(guide=guide, unit=unit).first()


def sheet_sections(*, sheet: ScoreSheet) -> list[tuple]:
    """[(section, [score, …]), …] in guide order, with criteria and evidence loaded."""
    scores = (
        Score.objects.filter(sheet=sheet)
        .select_related("criterion__section__program", "criterion__target", "criterion__indicator")
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")))
        .order_by("criterion__section__order", "criterion__order")
    )
    sections: list[tuple] = []
    for score in scores:
        section = score.criterion.section
        if not sections or sections[-1][0].pk != section.pk:
            sections.append((section, []))
        sections[-1][1].append(score)
    return sections


def ranking_sheets(*, guide: EmulationGuide, user):
    """The guide's sheets the user may see, best first (the ranks are province-wide)."""
    return (
        ScoreSheet.objects.filter(guide=guide, unit__in=visible_units(user))
        .select_related("unit", "band", "cluster")
        .order_by("rank_in_province", "unit__name")
    )


def ranking_by_cluster(sheets) -> list[tuple]:
    """[(cluster, [sheet, …]), …] from already loaded sheets, ordered by cluster rank."""
    clusters: dict = {}
    for sheet in sheets:
        if sheet.cluster_id:
            clusters.setdefault(sheet.cluster, []).append(sheet)
    return [
        (cluster, sorted(rows, key=lambda s: (s.rank_in_cluster or 0, s.unit.name)))
        for cluster, rows in sorted(clusters.items(), key=lambda item: item[0].name)
    ]


def unit_sheets(*, unit: Unit):
    """A unit's sheets across years, oldest first."""
    return ScoreSheet.objects.filter(unit=unit).select_related("guide", "band").order_by("guide__year")


def nominations_for(*, year: int, user):
    """The year's nominations of the units the user may see."""
    return (
        Nomination.objects.filter(year=year, unit__in=visible_units(user))
        .select_related("unit", "nominated_by", "decided_by")
        .order_by("title", "status", "person_name")
    )


def scores_pending(*, year: int) -> bool:
    """True while a change of the year's figures or scores waits for its recompute (one query)."""
    return ComputationRun.objects.filter(kind__in=("targets", "emulation"), year=year, dirty=True).exists()
