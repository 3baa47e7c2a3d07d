from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "concerted.surveys"
    label = "surveys"

    def ready(self) -> None:
        from concerted.campaigns import overview
        from concerted.core import demo, reveal

        from . import demo as survey_demo
        from .overview import survey_items

        from operator import attrgetter

        from concerted.core import pagecache

        from .models import Option, Question

        # The answer page shows the questions and their options.
        pagecache.watch(Question, attrgetter("survey.campaign_id"))
        pagecache.watch(Option, attrgetter("question.survey.campaign_id"))
        overview.register(survey_items)
        overview.register_action(_("Start a survey"), "surveys:new")
        reveal.register_export_path("survey", "/o/surveys/{id}/export.json")
        demo.register(40, "surveys", survey_demo.load)
