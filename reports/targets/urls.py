from django.urls import path

from reports.targets import views

app_name = "targets"

urlpatterns = [
    path("", views.TargetIndexView.as_view(), name="index"),
    path("<int:year>/", views.TargetYearView.as_view(), name="year"),
    path("<int:year>/tinh-lai/", views.RecomputeView.as_view(), name="recompute"),
    path("<int:year>/trang-thai/", views.RecomputeStatusView.as_view(), name="status"),
    path("<int:year>/<slug:target>/<str:unit>/", views.TargetUnitsView.as_view(), name="units"),
]
