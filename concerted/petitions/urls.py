from django.urls import path

from .views import organizer, public

app_name = "petitions"
urlpatterns = [
    path("p/<slug:slug>/", public.sign, name="sign"),
    path("p/<slug:slug>/receipt/", public.receipt_lookup, name="receipt_lookup"),
    path("p/<slug:slug>/r/<str:code>/", public.receipt, name="receipt"),
    path("p/<slug:slug>/r/<str:code>/withdraw/", public.withdraw, name="withdraw"),
    path("o/campaigns/<uuid:campaign_id>/petitions/new/", organizer.petition_new, name="new"),
    path("o/petitions/<uuid:petition_id>/", organizer.dashboard, name="dashboard"),
    path("o/petitions/<uuid:petition_id>/edit/", organizer.petition_edit, name="edit"),
    path("o/petitions/<uuid:petition_id>/preview/", organizer.preview, name="preview"),
    path("o/petitions/<uuid:petition_id>/status/", organizer.set_status, name="status"),
    path("o/petitions/<uuid:petition_id>/export.json", organizer.export_json, name="export"),
    path("o/petitions/<uuid:petition_id>/signers/", organizer.signers, name="signers"),
]
