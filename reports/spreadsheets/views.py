"""Excel round trip pages: download a form's template, upload it back, preview the changes, confirm."""
from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from mattran.access import ScopedViewMixin
from mattran.models import Officer, Unit
from mattran.spreadsheets import MAX_BYTES, SpreadsheetError, read_table
from reports.models import ReportForm, Submission
from reports.periods import Period
from reports.spreadsheets.importing import import_apply, import_prepare
from reports.spreadsheets.plan import ImportPlan
from reports.spreadsheets.template import template_build, template_filename

SESSION_KEY = "excel_imports"
KEPT_PREVIEWS = 3  # previews waiting in one session; older ones are dropped
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx) hoặc CSV"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(_("Tệp quá lớn (%(size)s MB); tối đa 5 MB.") % {"size": f"{upload.size / 1048576:.1f}"})
        return upload


class FormPeriodUnitMixin(ScopedViewMixin):
    """Resolve (form, submitting unit, period) from the URL; anything outside the user's reach is 404."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # One query for the officer and their unit, which every scope check reads.
            officer = Officer.objects.select_related("unit").filter(user=request.user).first()
            if officer is not None:
                request.user.officer = officer
        return super().dispatch(request, *args, **kwargs)

    def setup_target(self):
        kwargs = self.kwargs
        self.form_obj = get_object_or_404(ReportForm, code=kwargs["form"])
        try:
            self.period = Period.parse(kwargs["period"])
        except ValueError:
            raise Http404 from None
        if self.period.type != self.form_obj.period_type:
            raise Http404
        unit = Unit.objects.filter(kind=self.form_obj.submitter_kind_on(self.period.end)).by_code(kwargs["unit"], self.period.end)
        if unit is None:
            raise Http404
        submission = Submission.objects.filter(form=self.form_obj, unit=unit, period=str(self.period)).first()
        self.submission = submission or Submission(
            form=self.form_obj, unit=unit, period=str(self.period), year=self.period.year
        )
        if not self.submission.is_viewable_by(self.request.user):
            raise Http404
        self.unit = unit
        # Commune officers work on their own commune's rows only.
        self.row_scope = self.submission.row_scope_for(self.request.user)

    def context(self, **extra):
        return {
            "report_form": self.form_obj, "period": self.period, "unit": self.unit, "submission": self.submission,
            "grid_url": reverse("reports:grid", args=[self.form_obj.code, self.unit.code, str(self.period)]),
            "download_url": reverse("reports:template_download", args=[self.form_obj.code, self.unit.code, str(self.period)]),
            "upload_url": reverse("reports:upload", args=[self.form_obj.code, self.unit.code, str(self.period)]),
            **extra,
        }


class TemplateDownloadView(FormPeriodUnitMixin, View):
    """The form's .xlsx template for one period and unit, current values filled in."""

    def get(self, request, **kwargs):
        self.setup_target()
        data = template_build(form=self.form_obj, period=self.period, unit=self.row_scope)
        response = HttpResponse(data, content_type=XLSX_TYPE)
        name = template_filename(self.form_obj, self.period, self.row_scope)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


class UploadView(FormPeriodUnitMixin, View):
    """Upload a filled template (or a plain sheet); a checked file goes to the preview, a bad one is refused whole."""

    template_name = "reports/upload.html"

    def get(self, request, **kwargs):
        self.setup_target()
        return render(request, self.template_name, self.context(upload_form=UploadForm()))

    def post(self, request, **kwargs):
        self.setup_target()
        upload_form = UploadForm(request.POST, request.FILES)
        if not upload_form.is_valid():
            return render(request, self.template_name, self.context(upload_form=upload_form), status=400)
        upload = upload_form.cleaned_data["file"]
        try:
            table = read_table(upload.read(), upload.name)
        except SpreadsheetError as error:
            return render(request, self.template_name,
                          self.context(upload_form=UploadForm(), errors=error.errors, filename=upload.name), status=400)
        plan = import_prepare(form=self.form_obj, period=self.period, table=table, by=request.user,
                              unit=self.row_scope, submission=self.submission)
        if not plan.ok:
            return render(request, self.template_name,
                          self.context(upload_form=UploadForm(), errors=plan.errors, filename=upload.name), status=400)
        token = _remember(request, plan, unit=self.unit, filename=upload.name)
        return redirect("reports:upload_confirm", self.form_obj.code, self.unit.code, str(self.period), token)


class UploadConfirmView(FormPeriodUnitMixin, View):
    """The preview of every change (GET) and its confirmation (POST), refused if the data moved on."""

    template_name = "reports/upload_preview.html"

    def get(self, request, token, **kwargs):
        self.setup_target()
        stored = self.stored(token)
        return render(request, self.template_name, self.context(
            plan=ImportPlan.from_dict(stored["plan"]), filename=stored["filename"], token=token,
        ))

    def post(self, request, token, **kwargs):
        self.setup_target()
        stored = self.stored(token)
        plan = ImportPlan.from_dict(stored["plan"])
        try:
            counts = import_apply(plan=plan, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("reports:upload", self.form_obj.code, self.unit.code, str(self.period))
        finally:
            _forget(request, token)
        messages.success(request, _("Đã lưu: %(created)s giá trị mới, %(changed)s giá trị sửa, %(cleared)s giá trị xóa.")
                         % counts)
        return redirect("reports:grid", self.form_obj.code, self.unit.code, str(self.period))

    def stored(self, token):
        stored = request_previews(self.request).get(token)
        if (
            stored is None or stored["user"] != self.request.user.pk or stored["unit"] != self.unit.pk
            or stored["plan"]["form_code"] != self.form_obj.code or stored["plan"]["period"] != str(self.period)
        ):
            raise Http404
        return stored


def request_previews(request) -> dict:
    return request.session.get(SESSION_KEY, {})


def _remember(request, plan: ImportPlan, *, unit, filename: str) -> str:
    token = secrets.token_urlsafe(16)
    previews = request_previews(request)
    previews[token] = {"plan": plan.to_dict(), "user": request.user.pk, "unit": unit.pk, "filename": filename}
    for old in list(previews)[:-KEPT_PREVIEWS]:
        del previews[old]
    request.session[SESSION_KEY] = previews
    return token


def _forget(request, token: str) -> None:
    previews = request_previews(request)
    if previews.pop(token, None) is not None:
        request.session[SESSION_KEY] = previews
