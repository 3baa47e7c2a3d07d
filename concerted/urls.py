from django.urls import include, path

from concerted.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("privacy/", core_views.privacy, name="privacy"),
    path("open/", core_views.open_by_code, name="open"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("accounts/", include("concerted.accounts.urls")),
    path("o/releases/<str:kind>/<uuid:subject_id>/", core_views.release_now, name="release_now"),
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
]

handler400 = "concerted.core.views.bad_request"
handler403 = "concerted.core.views.forbidden"
handler404 = "concerted.core.views.not_found"
handler500 = "concerted.core.views.server_error"
