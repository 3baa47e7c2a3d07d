from django.urls import path

from .views import organizer, public

app_name = "bargaining"
urlpatterns = [
    path("b/<slug:slug>/", public.home, name="home"),
    path("b/<slug:slug>/monitoring/", public.report_surveillance, name="report_surveillance"),
    path("b/<slug:slug>/ai-metrics/", public.report_pressure, name="report_pressure"),
    path("b/<slug:slug>/propose/", public.propose, name="propose"),
    path("b/<slug:slug>/vote/", public.vote, name="vote"),
    path("b/<slug:slug>/thanks/", public.thanks, name="thanks"),
    path("o/campaigns/<uuid:campaign_id>/bargaining/", organizer.start, name="start"),
    path("o/bargaining/<uuid:kit_id>/", organizer.dashboard, name="dashboard"),
    path("o/bargaining/<uuid:kit_id>/settings/", organizer.settings, name="settings"),
    path("o/bargaining/<uuid:kit_id>/clauses/", organizer.library, name="library"),
    path("o/bargaining/<uuid:kit_id>/demands/new/", organizer.demand_new, name="demand_new"),
    path("o/bargaining/demands/<uuid:demand_id>/", organizer.demand_edit, name="demand_edit"),
    path("o/bargaining/demands/<uuid:demand_id>/merge/", organizer.demand_merge, name="demand_merge"),
    path("o/bargaining/<uuid:kit_id>/results/", organizer.results, name="results"),
    path("o/bargaining/<uuid:kit_id>/brief/", organizer.brief_page, name="brief_page"),
    path("o/bargaining/<uuid:kit_id>/brief.pdf", organizer.brief_pdf, name="brief"),
    path("o/bargaining/<uuid:kit_id>/reports.json", organizer.reports_export, name="reports_export"),
    path("o/bargaining/<uuid:kit_id>/proposals.json", organizer.proposals_export, name="proposals_export"),
]
