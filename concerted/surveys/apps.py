from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "concerted.surveys"
    label = "surveys"
