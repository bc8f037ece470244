"""Writes of the registers: entries saved with a version check, reviews, yearly counts."""
import datetime

from django.db import transaction
from django.db.models import Count
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from mattran.models import ANCESTOR_FIELD, UnitPlacement
from programs.models import Indicator
from reports.cache import bump_data_version
from reports.targets.rollups import yearly_counts_replace

from .registry import REGISTERS


class StaleEntryError(Exception):
    """Someone saved the entry after this form was opened."""

    message = _(
        "Bản ghi này đã được người khác sửa sau khi anh/chị mở trang. Thay đổi của anh/chị chưa được lưu: "
        "hãy tải lại trang để xem bản mới nhất rồi sửa lại."
    )


def register_entry_save(*, form, by, register, expected_version=None):
    """Save a validated entry form; an edit whose ``expected_version`` is not the stored one is refused."""
    instance = form.instance
    with transaction.atomic():
        years = set()
        if instance.pk:
            current = type(instance).objects.select_for_update().get(pk=instance.pk)
            if expected_version is None or current.version != expected_version:
                raise StaleEntryError(StaleEntryError.message)
            instance.version = current.version + 1
            years.add(register.year_of(current))
        instance._history_user = by
        _snapshot_links(form)
        entry = form.save()
        years.add(register.year_of(entry))
        for year in years:
            _enqueue_counts(year)
    return entry


def _snapshot_links(form):
    """Write the form's many-to-many choices as text on the entry, so its history records them."""
    instance = form.instance
    if not hasattr(instance, "links_snapshot"):
        return
    parts = []
    for field in instance._meta.many_to_many:
        if field.name in form.cleaned_data:
            chosen = ", ".join(str(obj) for obj in form.cleaned_data[field.name]) or "—"
            parts.append(f"{capfirst(field.verbose_name)}: {chosen}")
    instance.links_snapshot = "; ".join(parts)


def _enqueue_counts(year):
    """Queue the year's counts after commit (recorded for later if the broker is away)."""
    from mattran.queue import enqueue

    from .tasks import recompute_counts

    enqueue(recompute_counts, year)


def coordination_review_add(*, form, programme, by):
    """Add a review to a coordination programme (the form is validated with its programme set)."""
    with transaction.atomic():
        review = form.save(commit=False)
        review.programme = programme
        review._history_user = by
        review.save()
    return review


def register_counts_to_aggregates(*, year: int) -> int:
    """Write the yearly count of every register as its indicator's roll-up for every ancestor unit.

    Records are counted per unit (one GROUP BY per register), then each unit's count goes to the
    unit itself and to its ancestors on the tree of the year (its placement on 31 December, one
    read for all the register's units: a commune moved later still counts for the district it
    belonged to that year). Written through the reports service ``yearly_counts_replace``: the
    (indicator, period) rows are replaced whole, so a re-run gives the same rows and a unit that
    no longer has rows loses its count. Returns the number of aggregate rows written.
    """
    registers = [r for r in REGISTERS.values() if r.indicator_code]
    indicators = Indicator.objects.in_bulk([r.indicator_code for r in registers], field_name="code")
    day = datetime.date(year, 12, 31)
    written = 0
    with transaction.atomic():
        for register in registers:
            indicator = indicators[register.indicator_code]
            rows = register.model.objects.filter(**{register.year_lookup: year})
            per_unit = dict(rows.order_by().values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
            placed = UnitPlacement.objects.on(day).filter(unit_id__in=list(per_unit))
            counts: dict[int, list[int]] = {}
            for placement in placed.values(*(f"{level}_id" for level in ANCESTOR_FIELD.values()), "unit_id"):
                for level in ANCESTOR_FIELD.values():
                    ancestor = placement[f"{level}_id"]
                    if ancestor is not None:
                        total = counts.setdefault(ancestor, [0, 0])
                        total[0] += per_unit[placement["unit_id"]]
                        total[1] += 1
            written += yearly_counts_replace(
                indicator=indicator, year=year, counts={unit_id: tuple(total) for unit_id, total in counts.items()},
            )
        bump_data_version()  # the dashboard reads these aggregates (reports/cache.py)
    return written
