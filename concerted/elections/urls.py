from django.urls import path

from .views import organizer, public

app_name = "elections"
urlpatterns = [
    path("e/<slug:slug>/", public.vote, name="vote"),
    path("e/<slug:slug>/t/<str:tracker>/", public.tracker, name="tracker"),
    path("e/<slug:slug>/board/", public.board, name="board"),
    path("e/<slug:slug>/board.json", public.board_json, name="board_json"),
    path("e/<slug:slug>/manifest.json", public.manifest_json, name="manifest"),
    path("e/<slug:slug>/cast.json", public.cast_json, name="cast_json"),
    path("e/<slug:slug>/spoiled.json", public.spoiled_json, name="spoiled_json"),
    path("o/campaigns/<uuid:campaign_id>/elections/new/", organizer.election_new, name="new"),
    path("o/elections/<uuid:election_id>/", organizer.dashboard, name="dashboard"),
    path("o/elections/<uuid:election_id>/trustees/", organizer.trustees, name="trustees"),
    path("o/elections/<uuid:election_id>/credentials/", organizer.credentials, name="credentials"),
    path("o/elections/<uuid:election_id>/revoke/", organizer.revoke, name="revoke"),
    path("o/elections/<uuid:election_id>/action/", organizer.action, name="action"),
    path("o/elections/api/<uuid:election_id>/<slug:step>", organizer.trustee_api, name="trustee_api"),
]
