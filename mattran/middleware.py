"""Vietnamese first: English only when chosen with the language switcher."""
from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
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
            queue._deferred.reset(token)
        return response
