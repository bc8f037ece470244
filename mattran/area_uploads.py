"""The areas file kept between its preview and its confirmation, for the admin and district pages.

The file is stored (default storage, ``area-imports/``) and named in the session by a random
token, so the confirmation imports exactly the file that was previewed, and only for its uploader.
"""
import secrets
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

SESSION_KEY = "mattran.area_import"
MAX_BYTES = 10 * 1024 * 1024
PREVIEW_ROWS = 200


def pending_keep(request, *, name: str, content: bytes) -> str:
    """Store a previewed file and remember it in the session; returns the token to confirm with."""
    pending_forget(request)
    token = secrets.token_urlsafe(16)
    stored = default_storage.save(f"area-imports/{token}{Path(name).suffix.lower()}", ContentFile(content))
    request.session[SESSION_KEY] = {"token": token, "path": stored, "name": name}
    return token


def pending_take(request, token: str) -> tuple[str, bytes] | None:
    """The previewed file's name and bytes if ``token`` is this session's, then forgotten; else None."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not token or token != pending["token"]:
        return None
    with default_storage.open(pending["path"], "rb") as handle:
        content = handle.read()
    pending_forget(request)
    return pending["name"], content


def pending_forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and default_storage.exists(pending["path"]):
        default_storage.delete(pending["path"])
