from django.urls import path

from . import views

app_name = "campaigns"
urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_new, name="new"),
    path("<uuid:campaign_id>/", views.campaign_detail, name="detail"),
    path("<uuid:campaign_id>/edit/", views.campaign_edit, name="edit"),
    path("<uuid:campaign_id>/key/", views.campaign_key, name="key"),
    path("<uuid:campaign_id>/groups/", views.campaign_segments, name="segments"),
    path("<uuid:campaign_id>/groups/<int:segment_id>/delete/", views.segment_delete, name="segment_delete"),
    path("<uuid:campaign_id>/organizers/", views.campaign_organizers, name="organizers"),
    path("<uuid:campaign_id>/organizers/invite/", views.organizer_invite, name="invite"),
    path("<uuid:campaign_id>/organizers/invites/<int:invite_id>/cancel/", views.invite_cancel, name="invite_cancel"),
    path("<uuid:campaign_id>/organizers/<int:user_id>/role/", views.organizer_role, name="organizer_role"),
    path("<uuid:campaign_id>/organizers/<int:user_id>/remove/", views.organizer_remove, name="organizer_remove"),
    path("<uuid:campaign_id>/two-factor/", views.two_factor_policy, name="two_factor_policy"),
    path("join/<str:code>/", views.join, name="join"),
]
