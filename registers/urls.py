"""Register pages under /so-theo-doi/: one generic set of URLs per register slug (see registry.py)."""
from django.urls import path

from . import views

app_name = "registers"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("ho-ngheo-nhan-do-dau/tong-hop/", views.HouseholdSummaryView.as_view(), name="household-summary"),
    path("chuong-trinh-phoi-hop/<int:pk>/so-ket/", views.CoordinationReviewCreateView.as_view(), name="review-add"),
    path("<slug:register>/", views.RegisterListView.as_view(), name="list"),
    path("<slug:register>/them/", views.RegisterCreateView.as_view(), name="create"),
    path("<slug:register>/xuat-excel/", views.RegisterExportView.as_view(), name="export"),
    path("<slug:register>/<int:pk>/", views.RegisterDetailView.as_view(), name="detail"),
    path("<slug:register>/<int:pk>/sua/", views.RegisterUpdateView.as_view(), name="edit"),
]
