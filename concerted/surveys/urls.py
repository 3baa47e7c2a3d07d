from django.urls import path

from .views import organizer, public

app_name = "surveys"
urlpatterns = [
    path("s/<slug:slug>/", public.answer, name="answer"),
    path("s/<slug:slug>/thanks/", public.thanks, name="thanks"),
    path("o/campaigns/<uuid:campaign_id>/surveys/new/", organizer.survey_new, name="new"),
    path("o/surveys/<uuid:survey_id>/", organizer.builder, name="builder"),
    path("o/surveys/<uuid:survey_id>/edit/", organizer.survey_edit, name="edit"),
    path("o/surveys/<uuid:survey_id>/questions/", organizer.question_add, name="question_add"),
    path("o/survey-questions/<int:question_id>/", organizer.question_edit, name="question_edit"),
    path("o/survey-questions/<int:question_id>/delete/", organizer.question_delete, name="question_delete"),
    path("o/survey-questions/<int:question_id>/move/", organizer.question_move, name="question_move"),
    path("o/surveys/<uuid:survey_id>/preview/", organizer.preview, name="preview"),
    path("o/surveys/<uuid:survey_id>/status/", organizer.set_status, name="status"),
    path("o/surveys/<uuid:survey_id>/makeup/", organizer.makeup, name="makeup"),
    path("o/surveys/<uuid:survey_id>/results/", organizer.results_page, name="results"),
    path("o/surveys/<uuid:survey_id>/release/", organizer.release, name="release"),
    path("o/surveys/<uuid:survey_id>/results.csv", organizer.results_csv, name="results_csv"),
    path("o/surveys/<uuid:survey_id>/export.json", organizer.export_json, name="export"),
    path("o/surveys/<uuid:survey_id>/written/", organizer.freetext, name="freetext"),
]
