"""The plan's pages, under the `programs` namespace they have always had."""
from django.urls import path

from . import plan_views as views

app_name = "programs"

urlpatterns = [
    path("", views.PlanView.as_view(), name="index"),
    path("<int:number>/", views.ProgramDetailView.as_view(), name="detail"),
]
