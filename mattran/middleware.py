"""Vietnamese first: English only when chosen with the language switcher."""
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


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
