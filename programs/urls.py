from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.PlanView.as_view(), name="index"),
    path("<int:number>/", views.ProgramDetailView.as_view(), name="detail"),
]
