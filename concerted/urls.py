from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from concerted.core import views as core_views

# Every page lives under its language (/es/p/<slug>/); an address without one is sent
# on by concerted.core.middleware.UrlLanguageMiddleware. Only the favicon has no language.
urlpatterns = [path("favicon.ico", core_views.favicon, name="favicon")]
urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    # The JavaScript strings of the current language, as a script file the app serves
    # (script-src 'self'; nothing inline).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("open/", core_views.open_by_code, name="open"),
    path("accounts/", include("concerted.accounts.urls")),
    path("o/releases/<str:kind>/<uuid:subject_id>/", core_views.release_now, name="release_now"),
    path("o/translations/<str:kind>/<uuid:pk>/<str:language>/", core_views.translation_edit, name="translation_edit"),
    path("o/campaigns/", include("concerted.campaigns.urls")),
    path("", include("concerted.petitions.urls")),
    path("", include("concerted.invites.urls")),
    path("", include("concerted.pledges.urls")),
    path("", include("concerted.flyers.urls")),
    path("", include("concerted.surveys.urls")),
    path("", include("concerted.cards.urls")),
    path("", include("concerted.bargaining.urls")),
    path("", include("concerted.elections.urls")),
    path("", include("concerted.messaging.urls")),
)

handler400 = "concerted.core.views.bad_request"
handler403 = "concerted.core.views.forbidden"
handler404 = "concerted.core.views.not_found"
handler500 = "concerted.core.views.server_error"
