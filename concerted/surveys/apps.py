from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "concerted.surveys"
    label = "surveys"

    def ready(self) -> None:
        from operator import attrgetter

        from concerted.campaigns import overview
        from concerted.core import audiences, demo, pagecache, reveal

        from . import audience
        from . import demo as survey_demo
        from .models import FREE_TEXT_KIND, Option, Question
        from .overview import survey_items
        from .results import written_answers_line

        # The answer page shows the questions and their options.
        pagecache.watch(Question, attrgetter("survey.campaign_id"))
        pagecache.watch(Option, attrgetter("question.survey.campaign_id"))
        overview.register(survey_items)
        overview.register_action(_("Start a survey"), "surveys:new")
        reveal.register_export_path("survey", "/o/surveys/{id}/export.json")
        reveal.register_count_line(FREE_TEXT_KIND, written_answers_line)
        demo.register(40, "surveys", survey_demo.load)
        audiences.register(audience.RESPONDENTS)

        # The expired-form page shows what was sent under this form's labels.
        from concerted.core import refused, subjects

        from .forms import AnswerForm
        from .models import Survey

        refused.register_form("surveys:answer", lambda slug: AnswerForm(survey=subjects.by_slug(Survey, slug)))
