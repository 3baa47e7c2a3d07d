from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("o/campaigns/<uuid:campaign_id>/messages/", views.message_list, name="list"),
    path("o/campaigns/<uuid:campaign_id>/messages/new/", views.message_new, name="new"),
    path("o/messages/<uuid:message_id>/", views.message_detail, name="detail"),
    path("o/messages/<uuid:message_id>/send.json", views.send_json, name="send_json"),
    path("o/messages/<uuid:message_id>/sent/", views.report_sent, name="report_sent"),
    path("stop/from-receipt/", views.stop_by_receipt, name="stop_by_receipt"),
    path("stop/<str:token>/", views.stop, name="stop"),
]
