"""The Front's own structure: units (tỉnh → huyện → xã → khu dân cư) and officers."""
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class UnitKind(models.TextChoices):
    PROVINCE = "PROVINCE", _("Tỉnh")
    DISTRICT = "DISTRICT", _("Huyện")
    COMMUNE = "COMMUNE", _("Xã")
    AREA = "AREA", _("Khu dân cư")


# A code fits one URL segment (/don-vi/<code>/): unaccented letters, digits, - . _ and no slash.
UNIT_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]{0,19}"
unit_code_validator = RegexValidator(
    rf"\A{UNIT_CODE_PATTERN}\Z",
    _("Mã chỉ gồm chữ không dấu, chữ số và dấu - . _ (tối đa 20 ký tự), bắt đầu bằng chữ hoặc số."),
)

# Kinds from the top: a unit's parent is always of a lower rank.
KIND_RANK = {kind: rank for rank, kind in enumerate(UnitKind.values)}

# The ancestor column that holds a unit of each kind (a unit's own column points to itself),
# so "everything under X" is one indexed equality and one GROUP BY answers every level.
ANCESTOR_FIELD = {
    UnitKind.PROVINCE: "province",
    UnitKind.DISTRICT: "district",
    UnitKind.COMMUNE: "commune",
    UnitKind.AREA: "area",
}


class UnitQuerySet(models.QuerySet):
    def within(self, scope):
        """Units in the subtree of ``scope``, ``scope`` included."""
        return self.filter(**{ANCESTOR_FIELD[scope.kind]: scope})

    def active_on(self, day: datetime.date):
        """Units whose validity covers ``day`` (empty bounds are open-ended)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def with_commune_on(self, day: datetime.date):
        """Annotate each unit with its commune on the tree as at ``day`` (``commune_then_id``,
        ``commune_then_code``, ``commune_then_name``): one join, no query per unit. A 2020 grid
        groups its areas under their 2020 communes, not under the wards they belong to today."""
        in_force = (Q(placements__valid_from__isnull=True) | Q(placements__valid_from__lte=day)) & (
            Q(placements__valid_to__isnull=True) | Q(placements__valid_to__gte=day)
        )
        return self.annotate(
            placed_then=models.FilteredRelation("placements", condition=in_force),
            commune_then_id=models.F("placed_then__commune_id"),
            commune_then_code=models.F("placed_then__commune__code"),
            commune_then_name=models.F("placed_then__commune__name"),
        )

    def within_on(self, scope, day: datetime.date):
        """Units in the subtree of ``scope`` on the tree as at ``day`` (``scope`` included)."""
        return self.filter(pk__in=UnitPlacement.objects.on(day).within(scope).values("unit_id"))

    def children_on(self, parent, day: datetime.date):
        """``parent``'s children on the tree as at ``day``: joined through their placement then (one
        placement in force a day, so no duplicates), which the planner follows from the parent's
        index to each child's key; an ``IN`` subquery was hashed against a scan of every unit."""
        return self.filter(
            Q(placements__valid_from__isnull=True) | Q(placements__valid_from__lte=day),
            Q(placements__valid_to__isnull=True) | Q(placements__valid_to__gte=day),
            placements__parent=parent,
        )

    def by_code(self, code: str, day: datetime.date | None = None):
        """The unit ``code`` names as at ``day`` (default today), or None: the one in force then, else
        the one that held it last before (an abolished district stays reachable), else the next one."""
        from .placements import unit_by_code

        return unit_by_code(self, code, day)


class Unit(models.Model):
    """A Front committee's area of work: a province, district, commune or residential area.

    Kind is semantic, not depth: after July 2025 a commune's parent may be the province.
    Units are never deleted once data refers to them; a merge ends the old unit (valid_to).
    """

    # A code names a unit as at a date: the 2025 reform reused old commune codes for new communes,
    # so a code is unique among the units in force (no end date), and no two units holding it overlap.
    code = models.CharField(_("mã"), max_length=20, db_index=True, validators=[unit_code_validator])
    name = models.CharField(_("tên"), max_length=200)
    kind = models.CharField(_("cấp"), max_length=10, choices=UnitKind.choices, db_index=True)
    division_type = models.CharField(
        _("loại"), max_length=40, blank=True, help_text=_("Ví dụ: huyện, thành phố, xã, phường, thôn, bản.")
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    province = models.ForeignKey("self", verbose_name=_("tỉnh"), null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+")
    district = models.ForeignKey("self", verbose_name=_("huyện"), null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey("self", verbose_name=_("xã"), null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("self", verbose_name=_("khu dân cư"), null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self", verbose_name=_("đơn vị kế thừa"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="predecessors",
    )

    objects = UnitQuerySet.as_manager()
    # Every edit, import and bulk action is kept (who, when, what); the ancestor columns follow the parent.
    history = HistoricalRecords(excluded_fields=["province", "district", "commune", "area"])

    class Meta:
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["kind", "province"]),
            models.Index(fields=["kind", "district"]),
            models.Index(fields=["kind", "commune"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range_ordered",
            ),
            models.UniqueConstraint(
                fields=["code"], condition=Q(valid_to__isnull=True), name="unit_code_unique_in_force",
                violation_error_message=_("Đã có đơn vị đang hiệu lực với mã này."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        from .placements import placements_sync

        self._fill_ancestors()
        super().save(*args, **kwargs)
        own = ANCESTOR_FIELD[self.kind]
        if getattr(self, f"{own}_id") != self.pk:
            setattr(self, f"{own}_id", self.pk)
            Unit.objects.filter(pk=self.pk).update(**{own: self.pk})
        placements_sync(Unit.objects.filter(pk=self.pk))

    def clean(self):
        super().clean()
        # Each kind has one ancestor column, so a unit's parent must be of a higher kind; the
        # incremental target computation relies on it (a unit's subtree is itself plus its children's).
        if self.parent_id and self.kind in KIND_RANK and KIND_RANK[self.parent.kind] >= KIND_RANK[self.kind]:
            raise ValidationError({"parent": _("Đơn vị cấp trên phải ở cấp cao hơn: %(kind)s không thể trực thuộc %(parent)s.") % {
                "kind": UnitKind(self.kind).label.lower(), "parent": UnitKind(self.parent.kind).label.lower(),
            }})

    def validate_constraints(self, exclude=None):
        super().validate_constraints(exclude)
        # Units holding the same code never overlap in time (the index covers units in force only).
        if self.code and (exclude is None or "code" not in exclude):
            others = Unit.objects.filter(code=self.code).exclude(pk=self.pk)
            if self.valid_from:
                others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
            if self.valid_to:
                others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=self.valid_to))
            if others.exists():
                raise ValidationError({"code": _("Mã %(code)s đã được dùng cho đơn vị khác trong cùng thời gian hiệu lực.") % {"code": self.code}})

    def _fill_ancestors(self):
        for field in ANCESTOR_FIELD.values():
            setattr(self, f"{field}_id", getattr(self.parent, f"{field}_id", None) if self.parent_id else None)
        if self.pk:
            setattr(self, f"{ANCESTOR_FIELD[self.kind]}_id", self.pk)

    def is_within(self, scope) -> bool:
        """Whether this unit lies in the subtree of ``scope`` (``scope`` itself included)."""
        return getattr(self, f"{ANCESTOR_FIELD[scope.kind]}_id") == scope.pk

    def is_active_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    @classmethod
    def refresh_ancestor_columns(cls, units=None):
        """Recompute every ancestor column set-based, one UPDATE per kind (for bulk imports), and
        each unit's latest placement with them."""
        from .placements import placements_sync

        qs = units if units is not None else cls.objects.all()
        # The units themselves, fixed now: a filter on an ancestor column would no longer match after the UPDATEs.
        ids = None if units is None else list(units.values_list("pk", flat=True))
        for kind, field in ANCESTOR_FIELD.items():
            qs.filter(kind=kind).update(**{field: models.F("pk")})
        # Children inherit their parent's columns, kind by kind from the top.
        for kind in (UnitKind.DISTRICT, UnitKind.COMMUNE, UnitKind.AREA):
            parents = cls.objects.filter(pk=models.OuterRef("parent_id"))
            updates = {
                field: models.Subquery(parents.values(f"{field}_id")[:1])
                for k, field in ANCESTOR_FIELD.items()
                if k != kind
            }
            qs.filter(kind=kind).update(**updates)
        if ids is None:
            placements_sync()
        for start in range(0, len(ids or []), 5000):
            placements_sync(cls.objects.filter(pk__in=ids[start:start + 5000]))


class PlacementQuerySet(models.QuerySet):
    def on(self, day: datetime.date):
        """The placements in force on ``day``: the tree as at that day."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def within(self, scope):
        """Placements in the subtree of ``scope`` (a Unit), ``scope`` included."""
        return self.filter(**{ANCESTOR_FIELD[scope.kind]: scope.pk})


class UnitPlacement(models.Model):
    """Where a unit stands in the tree during a span of days: its parent and every ancestor.

    The tree as at day D is the placements in force on D (one indexed scan); a figure of a period
    is computed on the tree as at the period's end, so a move dated 1/7/2025 never re-cuts 2020.
    A unit's placements cover its validity without overlap; its latest one is also copied on the
    unit itself (``Unit.parent`` and the ancestor columns: the tree of pages about today).
    """

    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("cấp"), max_length=10, choices=UnitKind.choices)
    parent = models.ForeignKey(Unit, verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(Unit, verbose_name=_("tỉnh"), null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    district = models.ForeignKey(Unit, verbose_name=_("huyện"), null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    commune = models.ForeignKey(Unit, verbose_name=_("xã"), null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    area = models.ForeignKey(Unit, verbose_name=_("khu dân cư"), null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False)
    valid_from = models.DateField(_("từ ngày"), null=True, blank=True)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = _("vị trí trong cây đơn vị")
        verbose_name_plural = _("vị trí trong cây đơn vị")
        ordering = ["unit", "valid_from"]
        indexes = [
            models.Index(fields=["unit", "valid_from"]),
            models.Index(fields=["kind", "province"]),
            models.Index(fields=["kind", "district"]),
            models.Index(fields=["kind", "commune"]),
            # Whether the tree changed during a year (``placements.tree_changes_within``, asked by
            # every incremental recompute): two range probes instead of a scan of every placement
            # (nationally 10 ms of a 28 ms recompute).
            models.Index(fields=["valid_from"], name="unitplacement_valid_from"),
            models.Index(fields=["valid_to"], name="unitplacement_valid_to"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="placement_valid_range_ordered",
            ),
        ]

    def __str__(self):
        # No query: the admin lists these beside the unit and its parent.
        start = self.valid_from.strftime("%d/%m/%Y") if self.valid_from else "…"
        end = self.valid_to.strftime("%d/%m/%Y") if self.valid_to else "…"
        return f"{start} – {end}"


class UnitSuccession(models.Model):
    """An ended unit's successor from a date; a commune divided among several has one marked default
    (its residential areas go there; an administrator may move any of them to another, dated)."""

    predecessor = models.ForeignKey(Unit, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Unit, verbose_name=_("đơn vị kế thừa"), on_delete=models.PROTECT, related_name="+")
    is_default = models.BooleanField(_("kế thừa mặc định"), default=False)
    valid_from = models.DateField(_("từ ngày"))

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.UniqueConstraint(fields=["predecessor"], condition=Q(is_default=True), name="succession_one_default"),
        ]

    def __str__(self):
        return str(_("từ ngày %(day)s") % {"day": self.valid_from.strftime("%d/%m/%Y")}) if self.valid_from else ""


class OfficerRole(models.TextChoices):
    PROVINCE_STAFF = "PROVINCE_STAFF", _("Cán bộ tỉnh")
    DISTRICT_OFFICER = "DISTRICT_OFFICER", _("Cán bộ huyện")
    COMMUNE_OFFICER = "COMMUNE_OFFICER", _("Cán bộ xã")


class Officer(models.Model):
    """A user's place in the Front: the unit whose subtree they may see, and their role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), on_delete=models.CASCADE, related_name="officer")
    unit = models.ForeignKey(Unit, verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="officers")
    role = models.CharField(_("vai trò"), max_length=20, choices=OfficerRole.choices)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")

    def __str__(self):
        return f"{self.user.get_username()} ({self.unit})"

    @property
    def is_province_staff(self) -> bool:
        return self.role == OfficerRole.PROVINCE_STAFF


class PendingTask(models.Model):
    """Background work the broker could not take when it was asked for, until a beat job queues it."""

    key = models.CharField(_("khóa"), max_length=255, unique=True)
    task = models.CharField(_("tác vụ"), max_length=200)
    args = models.JSONField(_("tham số"), default=list)
    created_at = models.DateTimeField(_("ghi lúc"), auto_now_add=True, db_index=True)
    attempts = models.PositiveIntegerField(_("số lần thử lại"), default=0)
    last_tried_at = models.DateTimeField(_("thử lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("việc chờ gửi")
        verbose_name_plural = _("việc chờ gửi")

    def __str__(self):
        return self.key


class CopyVersion(models.Model):
    """One row per source of the per-process copies (mattran.copies): 1, the catalogue (plans, programs,
    indicators, targets, campaigns, forms); 2, the unit tree (units, placements, successions). A database
    trigger gives the row a new random token with every write to its source's tables, in the writing
    transaction. Random, not a counter: a rolled-back change puts the old token back together with the
    old rows, and a later change never reuses a token a copy was kept under."""

    token = models.BigIntegerField(_("mã phiên bản"))

    class Meta:
        verbose_name = _("phiên bản bản sao")
        verbose_name_plural = _("phiên bản bản sao")

    def __str__(self):
        return f"{self.pk}: {self.token}"
