from django.urls import path  # noqa: F401

from reports.targets import api as api_targets

app_name = "api"

urlpatterns: list = []
urlpatterns += [path("target-results/", api_targets.TargetResultList.as_view(), name="target-results")]
