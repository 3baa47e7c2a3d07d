from django.urls import path

from .views import organizer, public

app_name = "cards"
urlpatterns = [
    path("c/<slug:slug>/", public.sign, name="sign"),
    path("c/<slug:slug>/receipt/", public.receipt_lookup, name="receipt_lookup"),
    path("c/<slug:slug>/r/<str:code>/", public.receipt, name="receipt"),
    path("c/<slug:slug>/r/<str:code>/revoke/", public.revoke, name="revoke"),
    path("o/campaigns/<uuid:campaign_id>/units/new/", organizer.unit_new, name="new"),
    path("o/units/<uuid:unit_id>/", organizer.dashboard, name="dashboard"),
    path("o/units/<uuid:unit_id>/edit/", organizer.unit_edit, name="edit"),
    path("o/units/<uuid:unit_id>/preview/", organizer.preview, name="preview"),
    path("o/units/<uuid:unit_id>/status/", organizer.set_status, name="status"),
    path("o/units/<uuid:unit_id>/roster/", organizer.roster, name="roster"),
    path("o/units/<uuid:unit_id>/roster/import/", organizer.roster_import, name="roster_import"),
    path("o/units/<uuid:unit_id>/wall-chart/", organizer.wall_chart, name="wall_chart"),
    path("o/units/<uuid:unit_id>/declaration/", organizer.declaration_page, name="declaration"),
    path("o/units/<uuid:unit_id>/cards/export.json", organizer.export_cards, name="export_cards"),
    path("o/units/<uuid:unit_id>/roster/export.json", organizer.export_roster, name="export_roster"),
    path("o/units/<uuid:unit_id>/notes/export.json", organizer.export_notes, name="export_notes"),
    path("o/roster/<uuid:person_id>/", organizer.person, name="person"),
    path("o/roster/<uuid:person_id>/notes/", organizer.person_note, name="person_note"),
    path("o/roster/<uuid:person_id>/consent/", organizer.person_consent, name="person_consent"),
    path("o/roster/<uuid:person_id>/delete/", organizer.person_delete, name="person_delete"),
]
