"""English labels of third-party apps shown in the admin, listed so our catalogue translates them.

Django merges every catalogue of a language and LOCALE_PATHS wins, so giving these msgids a
Vietnamese msgstr in locale/vi translates django-axes and DRF's tokens without touching them.
Listed with gettext_noop so `make messages` keeps them.
"""
from django.utils.translation import gettext_noop, ngettext_lazy

LABELS = [
    # django-axes: models, fields, admin sections
    gettext_noop("access attempt"), gettext_noop("access attempts"),
    gettext_noop("access failure"), gettext_noop("access failures"),
    gettext_noop("access log"), gettext_noop("access logs"),
    gettext_noop("access attempt expiration"), gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"), gettext_noop("Access lock out"), gettext_noop("Attempt Time"),
    gettext_noop("Failed Logins"), gettext_noop("Form Data"), gettext_noop("GET Data"), gettext_noop("POST Data"),
    gettext_noop("HTTP Accept"), gettext_noop("IP Address"), gettext_noop("Logout Time"), gettext_noop("Meta Data"),
    gettext_noop("Path"), gettext_noop("Session key hash (sha256)"), gettext_noop("User Agent"),
    gettext_noop("Username"), gettext_noop("Locked Out"), gettext_noop("Expires At"), gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
    # Django REST framework's tokens
    gettext_noop("Auth Token"), gettext_noop("Token"), gettext_noop("Tokens"), gettext_noop("Key"),
    gettext_noop("Created"),
    # django-simple-history's history pages (it ships no Vietnamese)
    gettext_noop("Object"), gettext_noop("Date/time"), gettext_noop("Comment"), gettext_noop("Changed by"),
    gettext_noop("Change reason"), gettext_noop("Changes"), gettext_noop("Changed"), gettext_noop("Deleted"),
    gettext_noop("Change history: %s"), gettext_noop("View history: %s"), gettext_noop("View %s"),
    gettext_noop("Revert %s"), gettext_noop("Revert"), gettext_noop("Change History"), gettext_noop("Close"),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
    ngettext_lazy("entry", "entries", 1),
    # Django admin's hidden column headers of the index (untranslated in Django's own catalogue)
    gettext_noop("Model name"), gettext_noop("Add link"), gettext_noop("Change or view list link"),
    gettext_noop("Error:"),
    ngettext_lazy("Please correct the error below.", "Please correct the errors below.", 1),
]
