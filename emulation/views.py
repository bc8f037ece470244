"""Pages of emulation scoring: sheets, rankings, a unit's years, exports, honours.

Views check scope (out-of-scope units answer 404), validate a form, call one service.
"""
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from mattran.access import ScopedViewMixin, get_visible_unit_or_404, officer_of, visible_units
from mattran.collation import vietnamese_key
from mattran.models import UnitKind
from mattran.params import PLAUSIBLE_YEARS, int_param
from reports.exports.formats import attachment

from . import exports, honours, policy, selectors, services
from .forms import DecisionForm, EvidenceForm, NominationForm, ReopenForm, ReviewForm, SelfScoreForm, VersionForm
from .models import Cluster, EmulationGuide, Evidence, HonourTitle, Nomination, ScoredKind, SheetStatus


def _refusal(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)


class IndexView(ScopedViewMixin, TemplateView):
    """Years with guides, the user's sheets and the rankings."""

    template_name = "emulation/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        years = sorted(set(EmulationGuide.objects.values_list("year", flat=True)), reverse=True)
        year = int_param(self.request.GET.get("nam"), years[0] if years else 0, allowed=years)
        units = visible_units(self.request.user).filter(kind__in=ScoredKind.values).order_by("kind", "name")
        scope = self.scope
        if scope is None or scope.kind == UnitKind.PROVINCE:
            units = units.filter(kind=UnitKind.DISTRICT)
        kind_order = {kind: i for i, kind in enumerate((UnitKind.DISTRICT, UnitKind.COMMUNE))}
        units = sorted(units, key=lambda u: (kind_order.get(u.kind, 9), vietnamese_key(u.name)))
        context.update(years=years, year=year, units=units, kinds=ScoredKind.choices)
        return context


class SheetMixin(ScopedViewMixin):
    """Resolves the scoped unit, its guide of the year and its sheet."""

    def load_sheet(self):
        unit = get_visible_unit_or_404(self.request.user, pk=self.kwargs["unit_id"])
        if unit.kind not in ScoredKind.values:
            raise Http404
        guide = selectors.guide_for(year=self.kwargs["year"], kind=unit.kind)
        sheet = selectors.sheet_of(guide=guide, unit=unit) or services.sheet_get_or_create(guide=guide, unit=unit)
        sheet.guide, sheet.unit = guide, unit
        return sheet

    def sheet_url(self, sheet):
        return reverse("emulation:sheet", args=[sheet.guide.year, sheet.unit_id])


class SheetView(SheetMixin, TemplateView):
    template_name = "emulation/sheet.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sheet = self.load_sheet()
        user = self.request.user
        may_self = policy.can_self_score(user, sheet.unit) and sheet.status == SheetStatus.DRAFT
        may_review = policy.can_review(user, sheet.unit) and sheet.status in (
            SheetStatus.SELF_SCORED, SheetStatus.REVIEWED,
        )
        context.update(
            sheet=sheet, guide=sheet.guide, unit=sheet.unit, sections=selectors.sheet_sections(sheet=sheet),
            may_self=may_self, may_review=may_review,
            may_reopen=policy.can_review(user, sheet.unit) and sheet.status == SheetStatus.FINAL,
            reopenings=sheet.reopenings.select_related("reopened_by"),
            reopen_form=ReopenForm(initial={"version": sheet.version}),
            pending=selectors.scores_pending(year=sheet.guide.year),
        )
        return context


class SheetActionView(SheetMixin, View):
    """POST-only: validate ``form_class``, call ``act``, report refusals, go back to the sheet."""

    form_class = VersionForm

    def post(self, request, *args, **kwargs):
        sheet = self.load_sheet()
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(self.sheet_url(sheet))
        try:
            self.act(sheet, form.cleaned_data)
        except ValidationError as error:
            _refusal(request, error)
        else:
            messages.success(request, self.success_message)
        return redirect(self.sheet_url(sheet))

    def score(self, sheet):
        return get_object_or_404(sheet.scores.select_related("criterion"), pk=self.kwargs["score_id"])


class SelfScoreView(SheetActionView):
    form_class = SelfScoreForm
    success_message = gettext_lazy("Đã lưu điểm tự chấm.")

    def act(self, sheet, data):
        services.score_self(
            score=self.score(sheet), points=data["points"], evidence=data["evidence"], by=self.request.user,
            version=data["version"],
        )


class ReviewView(SheetActionView):
    form_class = ReviewForm
    success_message = gettext_lazy("Đã lưu điểm thẩm định.")

    def act(self, sheet, data):
        services.score_review(
            score=self.score(sheet), points=data["points"], comment=data["comment"], by=self.request.user,
            version=data["version"],
        )


class EvidenceAddView(SheetActionView):
    form_class = EvidenceForm
    success_message = gettext_lazy("Đã thêm minh chứng.")

    def act(self, sheet, data):
        services.evidence_add(score=self.score(sheet), file=data["file"], by=self.request.user, version=data["version"])


class SubmitView(SheetActionView):
    success_message = gettext_lazy("Đã gửi bảng tự chấm lên cấp trên.")

    def act(self, sheet, data):
        services.sheet_submit(sheet=sheet, by=self.request.user, version=data["version"])


class FinalizeView(SheetActionView):
    success_message = gettext_lazy("Đã quyết định điểm chính thức; bảng điểm đã khóa.")

    def act(self, sheet, data):
        services.sheet_finalize(sheet=sheet, by=self.request.user, version=data["version"])


class ReopenView(SheetActionView):
    form_class = ReopenForm
    success_message = gettext_lazy("Đã mở lại bảng điểm; lần mở lại đã được ghi nhận.")

    def act(self, sheet, data):
        services.sheet_reopen(sheet=sheet, by=self.request.user, reason=data["reason"], version=data["version"])


class EvidenceDownloadView(ScopedViewMixin, View):
    def get(self, request, pk):
        evidence = get_object_or_404(
            Evidence.objects.select_related("score__sheet"), pk=pk, score__sheet__unit__in=visible_units(request.user)
        )
        return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)


class SheetExportView(SheetMixin, View):
    def get(self, request, *args, **kwargs):
        sheet = self.load_sheet()
        sections = selectors.sheet_sections(sheet=sheet)
        fmt = kwargs["fmt"]
        content = exports.sheet_xlsx(sheet, sections) if fmt == "xlsx" else exports.sheet_docx(sheet, sections)
        return _download(content, fmt, f"bang-cham-diem-{sheet.guide.year}-{sheet.unit.code}")


class RankingMixin(ScopedViewMixin):
    def load_guide(self):
        kind = self.request.GET.get("cap", UnitKind.DISTRICT)
        if kind not in ScoredKind.values:
            raise Http404
        return selectors.guide_for(year=self.kwargs["year"], kind=kind)

    def load_ranking(self):
        guide = self.load_guide()
        return guide, list(selectors.ranking_sheets(guide=guide, user=self.request.user))


RANKING_PAGE_SIZE = 50


class RankingView(RankingMixin, TemplateView):
    """The province-wide ranking, then each cluster's. Up to 50 units on one page (a province's
    districts); more (its communes) are paged, and one cluster is shown at a time (``?cum=``)."""

    template_name = "emulation/ranking.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        guide = self.load_guide()
        sheets = selectors.ranking_sheets(guide=guide, user=self.request.user)
        page = Paginator(sheets, RANKING_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        if page.paginator.num_pages == 1:  # every sheet is on the page: its clusters come from it
            clusters, cluster_choices, cluster = selectors.ranking_by_cluster(rows), [], None
        else:
            cluster_choices = list(Cluster.objects.filter(guide=guide).order_by("name"))
            cluster = next((c for c in cluster_choices if str(c.pk) == self.request.GET.get("cum")), None)
            clusters = selectors.ranking_by_cluster(sheets.filter(cluster=cluster)) if cluster else []
        context.update(
            guide=guide, sheets=rows, page=page, clusters=clusters, cluster_choices=cluster_choices, cluster=cluster,
            kinds=ScoredKind.choices, computed_at=sheets.aggregate(at=Max("computed_at"))["at"],
            pending=selectors.scores_pending(year=guide.year),
        )
        return context


class RankingExportView(RankingMixin, View):
    def get(self, request, *args, **kwargs):
        guide, sheets = self.load_ranking()
        fmt = kwargs["fmt"]
        content = exports.ranking_xlsx(guide, sheets) if fmt == "xlsx" else exports.ranking_docx(guide, sheets)
        return _download(content, fmt, f"xep-hang-thi-dua-{guide.year}-{guide.scored_kind.lower()}")


def _download(content: bytes, fmt: str, stem: str) -> HttpResponse:
    return attachment(content, fmt=fmt, stem=stem)


class UnitHistoryView(ScopedViewMixin, TemplateView):
    template_name = "emulation/unit_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = get_visible_unit_or_404(self.request.user, pk=self.kwargs["unit_id"])
        context.update(unit=unit, sheets=selectors.unit_sheets(unit=unit))
        return context


class HonoursView(ScopedViewMixin, TemplateView):
    """The year's nominations and decisions; districts propose, the province decides."""

    template_name = "emulation/honours.html"

    def dispatch(self, request, *args, **kwargs):
        if kwargs["year"] not in PLAUSIBLE_YEARS:  # its page links the year before and after
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def nomination_units(self):
        return visible_units(self.request.user).exclude(kind=UnitKind.PROVINCE).order_by("kind", "name")

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        year = self.kwargs["year"]
        nominations = list(selectors.nominations_for(year=year, user=self.request.user))
        may_nominate = policy.can_nominate(self.request.user)
        context.update(
            year=year, titles=HonourTitle.choices,
            groups=[(label, [n for n in nominations if n.title == value]) for value, label in HonourTitle.choices],
            may_nominate=may_nominate, may_decide=policy.can_decide_nominations(self.request.user),
            form=form or (NominationForm(units=self.nomination_units()) if may_nominate else None),
            decision_form=DecisionForm(),
        )
        return context

    def post(self, request, year):
        form = NominationForm(request.POST, units=self.nomination_units())
        if form.is_valid():
            try:
                honours.nomination_create(year=year, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _refusal(request, error)
            else:
                messages.success(request, _("Đã gửi đề nghị."))
                return redirect("emulation:honours", year=year)
        return self.render_to_response(self.get_context_data(form=form))


class NominationDecideView(ScopedViewMixin, View):
    def post(self, request, pk):
        officer = officer_of(request.user)
        nominations = Nomination.objects.all()
        if officer is not None:
            nominations = nominations.filter(unit__in=visible_units(request.user))
        nomination = get_object_or_404(nominations, pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            try:
                honours.nomination_decide(
                    nomination=nomination, approve=form.cleaned_data["decision"] == "approve",
                    decided_on=form.cleaned_data["decided_on"], note=form.cleaned_data["note"], by=request.user,
                )
            except ValidationError as error:
                _refusal(request, error)
            else:
                messages.success(request, _("Đã ghi quyết định."))
        return redirect("emulation:honours", year=nomination.year)
