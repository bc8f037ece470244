"""Signals of the unit tree for the apps that compute over it (mattran depends on none of them)."""
from django.dispatch import Signal

# Sent after a bulk import inserted or changed units (bulk writes send no post_save).
units_changed = Signal()
