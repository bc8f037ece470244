"""Read-only JSON of target results: one object per target for one unit and year."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.response import Response

from mattran.access import get_visible_unit_or_404
from mattran.models import UnitKind
from reports.constants import year_end
from reports.formatting import format_target_percent
from reports.models import TargetResult
from reports.targets.sql import target_counts_recut, targets_of_year


class TargetResultSerializer(serializers.ModelSerializer):
    target = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Mã chỉ tiêu."))
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True, help_text=_("Mã đơn vị."))
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, coerce_to_string=False, read_only=True, allow_null=True,
        help_text=_("Tỷ lệ phần trăm, hai chữ số thập phân."),
    )
    percent_display = serializers.SerializerMethodField(
        help_text=_("Tỷ lệ như trang và báo cáo hiển thị: số chữ số thập phân của chỉ tiêu, thêm chữ số khi cần."),
    )

    class Meta:
        model = TargetResult
        fields = [
            "target", "unit", "year", "numerator", "denominator", "percent", "percent_display", "achieved", "due",
            "not_reported", "computed_at",
        ]
        read_only_fields = fields

    def get_percent_display(self, result) -> str:
        return format_target_percent(result.target, result)


class TargetResultQuery(serializers.Serializer):
    year = serializers.IntegerField(
        min_value=2000, max_value=2100,
        error_messages={
            "required": _("Thiếu năm: thêm ?year=2019."),
            "invalid": _("Năm phải là một số nguyên, ví dụ 2019."),
            "min_value": _("Năm phải từ 2000 đến 2100."),
            "max_value": _("Năm phải từ 2000 đến 2100."),
        },
    )
    unit = serializers.CharField(
        max_length=20,
        error_messages={"required": _("Thiếu mã đơn vị: thêm &unit=MÃ."), "blank": _("Mã đơn vị không được để trống.")},
    )
    as_of = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Ngày as_of phải có dạng YYYY-MM-DD, ví dụ 2025-07-01.")},
    )


class RecutResultSerializer(serializers.Serializer):
    """A year's figures of a target re-cut on the tree as at ``as_of`` (computed on the fly, never stored)."""

    target = serializers.CharField(help_text=_("Mã chỉ tiêu."))
    unit = serializers.CharField(help_text=_("Mã đơn vị."))
    year = serializers.IntegerField()
    as_of = serializers.DateField(help_text=_("Ngày của địa giới dùng để tính (theo địa giới hiện nay)."))
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False, allow_null=True)
    achieved = serializers.BooleanField()
    not_reported = serializers.IntegerField()


@extend_schema(
    summary="Kết quả chỉ tiêu của một đơn vị trong một năm",
    parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="Năm, ví dụ 2019."),
        OpenApiParameter("unit", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="Mã đơn vị."),
        OpenApiParameter(
            "as_of", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
            description="Tính lại số liệu của năm trên địa giới tại ngày này (ví dụ 2025-07-01: theo địa giới hiện nay). "
            "Không có: theo địa giới của năm đó, như đã lưu.",
        ),
    ],
    responses=TargetResultSerializer(many=True),
)
class TargetResultList(generics.ListAPIView):
    """Every target's result for the unit itself (not its subtree) in the year; out of scope answers 404."""

    serializer_class = TargetResultSerializer
    pagination_class = None

    def _query(self):
        query = TargetResultQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data

    def get_queryset(self):
        query = self._query()
        # The unit the code names on the tree the figures are cut on.
        day = query.get("as_of") or year_end(query["year"])
        unit = get_visible_unit_or_404(self.request.user, day=day, code=query["unit"])
        return (
            TargetResult.objects.filter(unit=unit, year=query["year"])
            .select_related("target", "unit").order_by("target__code")
        )

    def list(self, request, *args, **kwargs):
        query = self._query()
        if "as_of" not in query:
            return super().list(request, *args, **kwargs)
        year, day = query["year"], query["as_of"]
        unit = get_visible_unit_or_404(request.user, day=day, code=query["unit"])
        rows = [
            {"target": target.code, "unit": unit.code, "year": year, "as_of": day,
             **target_counts_recut(target, year, unit, day)}
            for target in targets_of_year(year).order_by("code")
            if set(target.counted_kinds) & set(_levels_under(unit))
        ]
        return Response(RecutResultSerializer(rows, many=True).data)


def _levels_under(unit) -> list[str]:
    """The kinds a unit's subtree can count: its own and those below it."""
    kinds = list(UnitKind.values)
    return kinds[kinds.index(unit.kind):]
