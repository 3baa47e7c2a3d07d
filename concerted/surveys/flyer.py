"""Surveys as a flyer / invite-code target (concerted.flyers.targets.register)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Survey


def describe(survey: Survey):
    from concerted.flyers.targets import Flyer, first_paragraph

    return Flyer(
        kind=Survey.INVITE_KIND,
        kind_label=_("Survey"),
        target_id=survey.pk,
        campaign=survey.campaign,
        headline=survey.title,
        pitch=first_paragraph(survey.intro or _("An anonymous survey from your coworkers.")),
        public_path=reverse("surveys:answer", args=[survey.slug]),
        dashboard_url=reverse("surveys:builder", args=[survey.pk]),
        requires_invite=survey.one_per_invite,
        is_public=survey.status != Survey.Status.DRAFT,
    )


def register_flyer_target() -> None:
    from concerted.flyers.targets import register

    register(Survey.INVITE_KIND, Survey, describe)
