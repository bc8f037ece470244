"""Template context shared by every page."""


def officer(request):
    """The signed-in user's Officer record, or None (administrators may have none)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"officer": None}
    return {"officer": getattr(user, "officer", None)}
