"""Project middleware: the language rule, the deferred-work notice, refusing NUL characters, no caching
of signed-in answers."""
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from . import queue


class SwitcherLocaleMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but ignores the browser's Accept-Language.

    Officers' computers are often set to English; the portal still opens in Vietnamese and
    switches only through the language switcher (Django's set_language cookie).
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class DeferredWorkNoticeMiddleware:
    """Tell the user, once, when work their request queued had to wait for the broker.

    The write itself is saved; ``mattran.queue`` recorded the work and a beat job queues it once the
    broker is back. Sits inside MessageMiddleware so the notice reaches the next page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = queue.reset_deferred()
        try:
            response = self.get_response(request)
            if queue.deferred_in_request() and hasattr(request, "_messages"):
                messages.info(request, _("Đã lưu. Số liệu tổng hợp sẽ được cập nhật sau ít phút (hệ thống xử lý nền đang bận)."))
        finally:
            queue.restore_deferred(token)
        return response


class RejectNulCharactersMiddleware:
    """Answer 400 to a path or query parameter holding a NUL character.

    PostgreSQL refuses NUL in text, so ``?unit=a%00b`` reaching a query would be a server error;
    no legitimate link carries one. (Form fields refuse NUL themselves.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or "\x00" in value for key, values in request.GET.lists()
                                         for value in values):
            return HttpResponseBadRequest(_("Địa chỉ có ký tự không hợp lệ."))
        return self.get_response(request)


class NoStoreForSignedInMiddleware:
    """``Cache-Control: no-store, private`` on every response to a signed-in user.

    Pages, grids, dashboards, API answers and Excel exports hold scoped data: no shared proxy nor
    the browser's disk cache may keep a copy after the officer signs out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
            response.headers.pop("Expires", None)
        return response
