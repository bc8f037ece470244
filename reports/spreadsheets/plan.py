"""The preview of an import: every changed cell (old → new), the errors with their cell references
and the warnings, as JSON-safe data that waits in the session until the officer confirms."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

MAX_ERRORS_SHOWN = 200


@dataclass
class Change:
    ref: str
    unit_code: str
    unit_name: str
    indicator_code: str
    indicator_name: str
    old: str
    new: str

    @property
    def kind(self) -> str:
        if not self.old:
            return "created"
        return "cleared" if not self.new else "changed"


@dataclass
class ImportPlan:
    """What an upload would change; JSON-safe so it can wait in the session until confirmed."""

    form_code: str
    period: str
    rows_read: int = 0
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # submitting unit id (as text, for JSON) → [[row unit id, indicator id, raw], …] and expected version
    cells: dict[str, list] = field(default_factory=dict)
    versions: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def created(self) -> int:
        return self.count("created")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def cleared(self) -> int:
        return self.count("cleared")

    def error(self, message: str) -> None:
        if len(self.errors) < MAX_ERRORS_SHOWN:
            self.errors.append(message)
        elif len(self.errors) == MAX_ERRORS_SHOWN:
            self.errors.append(_("… và các lỗi khác (chỉ hiện %(n)s lỗi đầu).") % {"n": MAX_ERRORS_SHOWN})

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportPlan:
        data = dict(data)
        data["changes"] = [Change(**c) for c in data.get("changes", [])]
        return cls(**data)
