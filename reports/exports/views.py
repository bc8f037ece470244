"""Export pages: pick a period and format, follow a background export, download its file.

They keep their ``dashboard:`` URL names (``reports/dashboard/urls.py``) and templates.
"""
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView

from mattran.access import ScopedViewMixin, visible_units
from reports.dashboard import selectors
from reports.dashboard.views import DashboardContextMixin
from reports.exports.formats import attachment
from reports.exports.forms import ExportForm
from reports.exports.generator import PeriodicReportGenerator
from reports.exports.models import ExportJob, ExportStatus
from reports.exports.services import export_job_create


class ExportView(DashboardContextMixin, FormView):
    """Pick a period and format; a district's report streams at once, a province's runs in Celery."""

    template_name = "reports/dashboard/export.html"
    form_class = ExportForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not PeriodicReportGenerator.is_available_to_user(request.user):
            raise Http404  # commune officers: no report of their own to export
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["jobs"] = ExportJob.objects.filter(created_by=self.request.user).select_related("unit")[:10]
        return context

    def get_initial(self):
        return {"unit": self.request.GET.get("unit", "")}

    def form_valid(self, form):
        # The unit travels in the form (hidden field) so a POST is scoped like the page that showed it.
        root = selectors.root_unit_for(self.request.user, form.cleaned_data["unit"] or self.request.GET.get("unit"))
        generator = PeriodicReportGenerator(unit=root, period=form.cleaned_data["period"], fmt=form.cleaned_data["format"])
        if not generator.is_available_to(self.request.user):
            raise Http404
        if generator.is_large and not self.request.POST.get("stream"):
            job = export_job_create(user=self.request.user, generator=generator)
            return redirect("dashboard:export_job", pk=job.pk)
        return attachment(generator.generate(), fmt=generator.format, stem=generator.stem)


class ExportJobView(ScopedViewMixin, DetailView):
    """The progress of a background export, for anyone who may see its unit; htmx polls until the file is ready."""

    model = ExportJob
    context_object_name = "job"

    def get_queryset(self):
        return ExportJob.objects.filter(unit__in=visible_units(self.request.user)).select_related("unit")

    def get_template_names(self):
        if self.request.htmx:
            return ["reports/dashboard/_export_job.html"]
        return ["reports/dashboard/export_job.html"]


class ExportFileView(ScopedViewMixin, View):
    def get(self, request, pk):
        job = get_object_or_404(
            ExportJob, pk=pk, unit__in=visible_units(request.user), status=ExportStatus.DONE
        )
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
