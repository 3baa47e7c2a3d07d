"""Who a committee message can go to (concerted.core.audiences)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerted.core.audiences import Audience

from .models import RespondentContact, Survey


def _describe(survey: Survey) -> dict[str, Any]:
    return {"id": str(survey.pk), "slug": survey.slug, "title": survey.title}


def _while_answering(survey: Survey) -> str:
    # A contact record has no day. While answers come in, a new contact showing up
    # next to a new response could be timed against it, by a count or a send; once the
    # survey is closed, nothing arrives to time.
    if survey.accepting() or survey.status == Survey.Status.DRAFT:
        return gettext(
            "Respondents can be written to once the survey is closed: until then, a contact could be timed against an answer."
        )
    return ""


RESPONDENTS = Audience(
    name="surveys.respondents",
    label=_("Survey respondents who left a contact"),
    model=RespondentContact,
    parents=lambda campaign: Survey.objects.filter(campaign=campaign, asks_for_contact=True).exclude(
        status=Survey.Status.DRAFT
    ),
    describe=_describe,
    refuse=_while_answering,
    title=lambda survey: survey.title,
)
