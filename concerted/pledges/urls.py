from django.urls import path

from .views import organizer, public

app_name = "pledges"
urlpatterns = [
    path("k/<slug:slug>/", public.pledge_page, name="pledge"),
    path("k/<slug:slug>/receipt/", public.receipt_lookup, name="receipt_lookup"),
    path("k/<slug:slug>/r/<str:code>/", public.receipt, name="receipt"),
    path("k/<slug:slug>/r/<str:code>/withdraw/", public.withdraw, name="withdraw"),
    path("o/campaigns/<uuid:campaign_id>/pledges/new/", organizer.pledge_new, name="new"),
    path("o/pledges/<uuid:pledge_id>/", organizer.dashboard, name="dashboard"),
    path("o/pledges/<uuid:pledge_id>/edit/", organizer.pledge_edit, name="edit"),
    path("o/pledges/<uuid:pledge_id>/preview/", organizer.preview, name="preview"),
    path("o/pledges/<uuid:pledge_id>/open/", organizer.open_pledge, name="open"),
    path("o/pledges/<uuid:pledge_id>/confirm/", organizer.confirm, name="confirm"),
    path("o/pledges/<uuid:pledge_id>/confirm.json", organizer.confirm_json, name="confirm_json"),
    path("o/pledges/<uuid:pledge_id>/call-off/", organizer.call_off, name="call_off"),
    path("o/pledges/<uuid:pledge_id>/export.json", organizer.export_json, name="export"),
]
