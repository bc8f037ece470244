"""Read-only JSON of target results: one object per target for one unit and year."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers

from mattran.access import get_visible_unit_or_404
from reports.formatting import format_target_percent
from reports.models import TargetResult


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


@extend_schema(
    summary="Kết quả chỉ tiêu của một đơn vị trong một năm",
    parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True, description="Năm, ví dụ 2019."),
        OpenApiParameter("unit", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True, description="Mã đơn vị."),
    ],
    responses=TargetResultSerializer(many=True),
)
class TargetResultList(generics.ListAPIView):
    """Every target's result for the unit itself (not its subtree) in the year; out of scope answers 404."""

    serializer_class = TargetResultSerializer
    pagination_class = None

    def get_queryset(self):
        query = TargetResultQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        unit = get_visible_unit_or_404(self.request.user, code=query.validated_data["unit"])
        return (
            TargetResult.objects.filter(unit=unit, year=query.validated_data["year"])
            .select_related("target", "unit").order_by("target__code")
        )
