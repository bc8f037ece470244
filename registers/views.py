"""Register pages: one set of generic views configured per register (see registry.py)."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import formats, timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, TemplateView, UpdateView, View

from mattran.access import ScopedViewMixin, is_province_staff

from .exports import register_workbook_response
from .forms import CoordinationReviewForm, RegisterFilterForm
from .models import CoordinationProgramme
from .registry import REGISTERS
from .selectors import history_of, household_summary, within_scope
from .services import StaleEntryError, coordination_review_add, register_entry_save


class IndexView(ScopedViewMixin, TemplateView):
    template_name = "registers/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(registers=REGISTERS.values(), **kwargs)


class RegisterMixin(ScopedViewMixin):
    """Resolves the register named in the URL; every queryset is limited to the user's scope."""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.register = REGISTERS.get(kwargs.get("register"))
        if self.register is None:
            raise Http404
        self.today = timezone.localdate()

    def get_queryset(self):
        register = self.register
        queryset = register.model.objects.select_related(*register.select_related)
        if register.prefetch_related:
            queryset = queryset.prefetch_related(*register.prefetch_related)
        return within_scope(queryset, self.scope)

    def may_edit(self):
        return not self.register.province_only_edit or is_province_staff(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(register=self.register, may_edit=self.may_edit(), **kwargs)


class FilteredListMixin(RegisterMixin):
    def filter_form(self):
        if not hasattr(self, "_filter_form"):
            self._filter_form = RegisterFilterForm(
                self.request.GET or None, user=self.request.user, extra_filters=self.register.filters
            )
        return self._filter_form

    def get_queryset(self):
        queryset = super().get_queryset()
        form = self.filter_form()
        if not form.is_bound or not form.is_valid():
            if form.is_bound and "unit" in form.errors:
                raise Http404  # a unit outside the user's scope (or no unit at all)
            return queryset
        data = form.cleaned_data
        if data.get("year"):
            queryset = queryset.filter(**{self.register.year_lookup: data["year"]})
        if data.get("unit"):
            queryset = within_scope(queryset, data["unit"])
        if data.get("q"):
            queryset = self.register.search(queryset, data["q"])
        for name, spec in form.extra_filters.items():
            if data.get(name) not in (None, "", False):
                queryset = spec.apply(queryset, data[name], self.today)
        return queryset


class RegisterListView(FilteredListMixin, ListView):
    template_name = "registers/list.html"
    paginate_by = 25

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        register = self.register
        page = context["object_list"]
        flagged = set()
        if register.flag is not None:
            ids = [obj.pk for obj in page]
            flagged = set(register.model.objects.filter(register.flag(self.today), pk__in=ids).values_list("pk", flat=True))
        context.update(
            filter_form=self.filter_form(),
            headings=[register.heading(c) for c in register.columns],
            rows=[(obj, obj.pk in flagged, [_short(c.value(obj)) for c in register.columns]) for obj in page],
        )
        return context


class RegisterDetailView(RegisterMixin, DetailView):
    template_name = "registers/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj, register = self.object, self.register
        fields = list(register.form_class._meta.fields)
        context["fields"] = [
            (capfirst(obj._meta.get_field(name).verbose_name), _field_value(obj, name)) for name in fields
        ]
        context["history"] = history_of(obj)
        context["flagged"] = register.flag is not None and type(obj).objects.filter(
            register.flag(self.today), pk=obj.pk
        ).exists()
        if register.extras.get("reviews"):
            context["reviews"] = obj.reviews.all()
            context["review_form"] = CoordinationReviewForm()
        return context


def _short(value):
    return Truncator(value).chars(100) if isinstance(value, str) else value


def _field_value(obj, name):
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(str(v) for v in getattr(obj, name).all()) or "—"
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if value in (None, ""):
        return "—"
    return value if isinstance(value, str) else formats.localize(value)


class RegisterFormMixin(RegisterMixin):
    template_name = "registers/form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.may_edit():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_class(self):
        return self.register.form_class

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            self.object = register_entry_save(
                form=form, by=self.request.user, register=self.register, expected_version=form.expected_version
            )
        except StaleEntryError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(self.request, _("Đã lưu."))
        return redirect("registers:detail", register=self.register.slug, pk=self.object.pk)


class RegisterCreateView(RegisterFormMixin, CreateView):
    def get_initial(self):
        return {"year": self.today.year} if "year" in self.register.form_class._meta.fields else {}


class RegisterUpdateView(RegisterFormMixin, UpdateView):
    pass


class RegisterExportView(FilteredListMixin, View):
    """The filtered list as an Excel workbook."""

    def get(self, request, *args, **kwargs):
        return register_workbook_response(self.register, self.get_queryset())


class HouseholdSummaryView(ScopedViewMixin, TemplateView):
    template_name = "registers/household_summary.html"

    def get_context_data(self, **kwargs):
        try:
            year = int(self.request.GET.get("year") or 0) or None
        except ValueError:
            year = None
        return super().get_context_data(
            register=REGISTERS["ho-ngheo-nhan-do-dau"], year=year,
            rows=list(household_summary(self.scope, year=year)), **kwargs,
        )


class CoordinationReviewCreateView(ScopedViewMixin, View):
    """Add a review (sơ kết, tổng kết) to a programme in the user's scope."""

    def post(self, request, pk):
        programme = get_object_or_404(within_scope(CoordinationProgramme.objects.all(), self.scope), pk=pk)
        form = CoordinationReviewForm(request.POST)
        form.instance.programme = programme
        if form.is_valid():
            coordination_review_add(form=form, programme=programme, by=request.user)
            messages.success(request, _("Đã thêm sơ kết, tổng kết."))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
        return redirect("registers:detail", register="chuong-trinh-phoi-hop", pk=programme.pk)
