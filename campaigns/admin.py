"""Django admin for campaigns and movements."""
from django.contrib import admin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "program", "parent", "order")
    list_filter = ("kind", "program")
    search_fields = ("code", "name")
    list_select_related = ("program", "parent")
    autocomplete_fields = ("parent", "indicators")
