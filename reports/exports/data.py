"""The figures of the periodic report, read once and shared by every format (a fixed number of queries)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from mattran.models import Unit, UnitKind
from programs.models import Target, WorkProgram
from reports.dashboard import selectors
from reports.exports.formats import NATION
from reports.formatting import ShownPercent, format_number, shown_percent
from reports.models import TargetResult
from reports.periods import Period, PeriodType
from reports.targets.judgement import PAST_DUE

REPORT_PERIOD_TYPES = (PeriodType.HALF_YEAR, PeriodType.NINE_MONTHS, PeriodType.YEARLY, PeriodType.QUARTERLY)


def parse_report_period(text: str) -> Period:
    """A period the periodic report is made for (``2019-H1``, ``2019-9M``, ``2019``, ``2019-Q3``).

    Raises ValueError with a Vietnamese message otherwise.
    """
    period = Period.parse(text)
    if period.type not in REPORT_PERIOD_TYPES:
        raise ValueError(
            _("Báo cáo định kỳ chỉ lập cho quý, 6 tháng, 9 tháng hoặc năm (ví dụ 2019-H1, 2019-9M, 2019), không cho “%(text)s”.")
            % {"text": text}
        )
    return period


def period_phrase(period: Period) -> str:
    """How the period reads inside a title: "6 tháng đầu năm 2019", "9 tháng năm 2019", "năm 2019"."""
    if period.type == PeriodType.YEARLY:
        return _("năm %(y)s") % {"y": period.year}
    return str(period.label())


def place_name(unit: Unit) -> str:
    """"Lạng Sơn" for "Tỉnh Lạng Sơn": the place written in the dateline."""
    province = unit if unit.kind == UnitKind.PROVINCE or unit.province is None else unit.province
    name = province.name
    for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


@dataclass
class FigureLine:
    indicator: object
    value: object
    previous: object
    plan: object

    @property
    def percent_of_plan(self):
        return selectors.ratio_percent(self.value, self.plan)


@dataclass
class TargetLine:
    target: Target
    result: TargetResult | None
    year: int = 0
    due_result: TargetResult | None = None

    @property
    def judgement(self) -> selectors.Judgement:
        return selectors.judge(self.target, self.result, self.year, self.due_result)

    @property
    def status(self) -> str:
        return self.judgement.status

    @property
    def status_label(self) -> str:
        return self.judgement.label

    @property
    def percent(self) -> ShownPercent:
        return shown_percent(self.target, self.result)

    @property
    def percent_text(self) -> str:
        return self.percent.text

    @property
    def sentence(self) -> str:
        """The target's line in the report body, the same in every format."""
        result, name = self.result, self.target.name
        if result is None:
            return _("Chỉ tiêu “%(name)s”: chưa có kết quả tính.") % {"name": name}
        if result.nothing_reported:
            text = _("Chỉ tiêu “%(name)s”: chưa báo cáo (chưa có đơn vị nào trong %(den)s đơn vị báo cáo).") % {
                "name": name, "den": format_number(result.denominator),
            }
            judgement = self.judgement
            return text if judgement.status != PAST_DUE else f"{text} {judgement.label}."
        return _("Chỉ tiêu “%(name)s”: đạt %(percent)s (%(num)s/%(den)s đơn vị) — %(status)s.") % {
            "name": name, "percent": self.percent_text,
            "num": format_number(result.numerator), "den": format_number(result.denominator),
            "status": self.status_label,
        }


@dataclass
class ProgramSection:
    program: WorkProgram
    figures: list[FigureLine] = field(default_factory=list)
    targets: list[TargetLine] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return _("Chương trình %(n)s: %(title)s") % {"n": self.program.number, "title": self.program.short_title}


@dataclass
class AppendixTable:
    title: str
    columns: list[str]
    rows: list[tuple[str, list]]
    total: tuple[str, list] | None
    percent: bool = False


@dataclass
class ReportData:
    root: Unit
    period: Period
    today: datetime.date
    sections: list[ProgramSection]
    appendices: list[AppendixTable]

    issuing_body = "ỦY BAN MTTQ VIỆT NAM"
    number = "Số: …/BC-MTTQ-BTT"
    nation, motto = NATION

    @property
    def unit_line(self) -> str:
        return self.root.name.upper()

    @property
    def dateline(self) -> str:
        from reports.formatting import date_in_words

        return date_in_words(self.today, place_name(self.root))

    @property
    def title(self) -> str:
        return _("BÁO CÁO")

    @property
    def subtitle(self) -> str:
        return _("Kết quả thực hiện Chương trình hành động %(period)s") % {"period": period_phrase(self.period)}

    @property
    def introduction(self) -> str:
        return _(
            "Thực hiện Chương trình hành động nhiệm kỳ 2015–2020, Ban Thường trực Ủy ban MTTQ Việt Nam %(unit)s "
            "báo cáo kết quả thực hiện %(period)s như sau:"
        ) % {"unit": self.root.name, "period": period_phrase(self.period)}

    signature_for = "TM. BAN THƯỜNG TRỰC"
    signature_title = "CHỦ TỊCH"
    recipients = ("Ban Thường vụ Tỉnh ủy;", "Ban Thường trực UBTW MTTQ Việt Nam;", "Các huyện, thành phố;", "Lưu: VT.")


def build_report_data(root: Unit, period: Period, today: datetime.date) -> ReportData:
    """Read every figure of the report for ``root`` and ``period``: seven queries whatever the tree."""
    programs = list(WorkProgram.objects.select_related("plan").order_by("-plan__term_start", "number"))
    seen, ordered = set(), []
    for program in programs:  # the latest plan's programs only
        if program.number not in seen:
            seen.add(program.number)
            ordered.append(program)
    ordered.sort(key=lambda p: p.number)
    indicators = [i for i in selectors.numeric_indicators() if i.program_id in {p.pk for p in ordered}]
    children = list(Unit.objects.children_on(root, period.end).active_on(period.end).order_by("code"))
    previous = Period(period.year - 1, period.first_month, period.last_month)
    values = selectors.aggregates_by([root, *children], indicators, [period, previous])
    plans = selectors.plans_by([root], indicators, [period.year])
    targets = selectors.targets_applying(Target.objects.select_related("indicator").order_by("code"), period.year)
    due_years = {t.due_year for t in targets if t.due_year and t.due_year < period.year}
    results, due_results = {}, {}
    for r in TargetResult.objects.filter(
        year__in={period.year, *due_years}, unit__in=[root.pk, *[c.pk for c in children]],
    ):
        if r.year == period.year:
            results[(r.target_id, r.unit_id)] = r
        if r.unit_id == root.pk:
            due_results[(r.target_id, r.year)] = r
    key = str(period)
    sections = []
    for program in ordered:
        own = [i for i in indicators if i.program_id == program.pk]
        sections.append(ProgramSection(
            program=program,
            figures=[
                FigureLine(i, values.get((i.pk, root.pk, key)), values.get((i.pk, root.pk, str(previous))),
                           plans.get((i.pk, root.pk, period.year)))
                for i in own
            ],
            targets=[
                TargetLine(t, results.get((t.pk, root.pk)), period.year, due_results.get((t.pk, t.due_year)))
                # A target without a program of its own is reported under its indicator's program.
                for t in targets if (t.program_id or t.indicator.program_id) == program.pk
            ],
        ))
    appendices = []
    for number, section in enumerate((s for s in sections if s.figures), start=1):
        own = [line.indicator for line in section.figures]
        appendices.append(AppendixTable(
            title=_("Phụ lục %(n)s. %(heading)s — số liệu theo đơn vị, %(period)s")
            % {"n": number, "heading": section.heading, "period": period_phrase(period)},
            columns=[f"{i.name} ({i.unit_label})" if i.unit_label else i.name for i in own],
            rows=[(c.name, [values.get((i.pk, c.pk, key)) for i in own]) for c in children],
            total=(_("Toàn %(unit)s") % {"unit": root.name}, [values.get((i.pk, root.pk, key)) for i in own]),
        ))
    if targets:
        appendices.append(AppendixTable(
            title=_("Phụ lục %(n)s. Tỷ lệ đạt chỉ tiêu theo đơn vị, năm %(y)s") % {"n": len(appendices) + 1, "y": period.year},
            columns=[t.name for t in targets],
            rows=[(c.name, [shown_percent(t, results.get((t.pk, c.pk))) for t in targets]) for c in children],
            total=(_("Toàn %(unit)s") % {"unit": root.name}, [shown_percent(t, results.get((t.pk, root.pk))) for t in targets]),
            percent=True,
        ))
    return ReportData(root=root, period=period, today=today, sections=sections, appendices=appendices)
