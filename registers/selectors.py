"""Reads of the registers: scoped querysets, flags, summaries and histories."""
import datetime
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from mattran.models import ANCESTOR_FIELD, Unit

from .models import AdoptedHousehold, PetitionStatus

HISTORY_HIDDEN_FIELDS = ("version", "created_at", "updated_at")
HISTORY_KINDS = {"+": _("Tạo mới"), "~": _("Sửa"), "-": _("Xóa")}


def within_scope(queryset, scope: Unit | None, *, field="unit"):
    """Rows whose ``field`` unit lies in ``scope``'s subtree (everything when ``scope`` is None)."""
    if scope is None:
        return queryset
    return queryset.filter(**{f"{field}__{ANCESTOR_FIELD[scope.kind]}": scope})


def still_poor_q(today: datetime.date) -> Q:
    """Households adopted at least two years ago that have not left poverty."""
    return Q(year_left_poverty__isnull=True, year_adopted__lte=today.year - 2)


def overdue_q(today: datetime.date) -> Q:
    """Petitions not answered and past their due date."""
    return Q(status=PetitionStatus.PENDING, answered_on__isnull=True, due_on__lt=today)


def household_summary(scope: Unit | None, *, year: int | None = None):
    """Adopted households counted per commune, organisation and year adopted (one GROUP BY)."""
    rows = within_scope(AdoptedHousehold.objects.all(), scope)
    if year:
        rows = rows.filter(year_adopted=year)
    return (
        rows.values(
            "unit__commune", "unit__commune__name", "unit__commune__district__name",
            "organisation", "organisation__name", "year_adopted",
        )
        .annotate(
            households=Count("pk"),
            left_poverty=Count("pk", filter=Q(year_left_poverty__isnull=False)),
            support_total=Sum("support_value"),
        )
        .order_by("-year_adopted", "unit__commune__code", "organisation__order", "organisation__name")
    )


def _display(field, value, related):
    if value is None or value == "":
        return "—"
    if field.is_relation:
        return related.get(field.related_model, {}).get(value, value)
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    return value


def history_of(entry):
    """The entry's history, newest first: who, when, what kind of change and which fields changed."""
    model = type(entry)
    records = list(entry.history.select_related("history_user").order_by("history_date", "history_id"))
    # Every tracked field is compared, the non-editable snapshot of many-to-many choices included
    # (simple-history's diff_against skips non-editable fields).
    fields = [model._meta.get_field(f.name) for f in entry.history.model.tracked_fields
              if f.name not in HISTORY_HIDDEN_FIELDS and not f.primary_key]
    raw, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            for field in fields:
                old, new = getattr(previous, field.attname), getattr(record, field.attname)
                if old != new:
                    changes.append((field, old, new))
        raw.append((record, changes))
        previous = record
    # Foreign keys come as ids: name them with one query per related model.
    wanted = defaultdict(set)
    for _record, changes in raw:
        for field, old, new in changes:
            if field.is_relation:
                wanted[field.related_model].update(v for v in (old, new) if v is not None)
    related = {
        rel_model: {obj.pk: str(obj) for obj in rel_model.objects.filter(pk__in=ids)}
        for rel_model, ids in wanted.items()
    }
    return [
        {
            "when": record.history_date,
            "who": record.history_user,
            "kind": HISTORY_KINDS.get(record.history_type, record.history_type),
            "changes": [
                (field.verbose_name, _display(field, old, related), _display(field, new, related))
                for field, old, new in changes
            ],
        }
        for record, changes in reversed(raw)
    ]
