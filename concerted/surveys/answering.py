"""Turning a submitted form into one stored response: packed integers, sealed text."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
from django.db import transaction
from django.utils.translation import gettext as _

from concerted.invites import codes as invites

from .models import MISSING, FreeText, Question, RespondentContact, Response, Survey, random_id


def pack(survey: Survey, answers: dict[int, Any]) -> bytes:
    """answers: question id -> option index (single/scale), list of indexes (multi),
    list of ranks per option (rank, 0 = unranked), int (number). Missing: absent/None."""
    values = np.full(survey.slot_count(), MISSING, dtype="<i4")
    layout = survey.layout()
    for question in survey.ordered_questions():
        start, width = layout[question.pk]
        value = answers.get(question.pk)
        if width == 0 or value is None or value == [] or value == "":
            continue
        if question.kind == Question.Kind.MULTI:
            values[start] = sum(1 << int(i) for i in set(value))
        elif question.kind == Question.Kind.RANK:
            if not any(value):
                continue
            values[start : start + width] = [int(r) for r in value]
        else:
            values[start] = int(value)
    return values.tobytes()


def _free_id(model: type[Response] | type[FreeText] | type[RespondentContact]) -> int:
    """A random id not yet taken (31-bit ids collide rarely; sealed rows need the id up front)."""
    while True:
        candidate = random_id()
        if not model.objects.filter(pk=candidate).exists():
            return candidate


InviteRefused = invites.InviteRefused


def unknown_code_message() -> str:
    """The first sentence for a code that is unknown or used up, naming a survey (the
    invites app's default names a petition or pledge)."""
    return _(
        "That invite code doesn't work here. Each code works only once and only for the survey on its card; "
        "it may already have been used. Ask the committee for a new one."
    )


def submit(
    survey: Survey, answers: dict[int, Any], texts: dict[int, str], invite_code: str = "", contact: str = ""
) -> Response:
    """Store one response and its sealed free-text answers, all or nothing. When the survey
    takes one response per invite code, the code is used up in the same transaction
    (raises InviteRefused); nothing records which code went with which response. A
    contact left for messages (its owner ticked the box) is its own sealed record, no
    more linked to the response than the free text is."""
    with transaction.atomic():
        if survey.one_per_invite:
            try:
                invites.consume(Survey.INVITE_KIND, survey.pk, invite_code)
            except InviteRefused as refused:
                if refused.result != invites.Result.UNKNOWN:
                    raise
                raise InviteRefused(refused.result, invites.unknown_message(unknown_code_message())) from None
        response = Response(id=_free_id(Response), survey=survey, values=pack(survey, answers))
        response.save(force_insert=True)
        by_id = {q.pk: q for q in survey.ordered_questions()}
        items = [(qid, text) for qid, text in texts.items() if text]
        random.SystemRandom().shuffle(items)
        for qid, text in items:
            row = FreeText(id=_free_id(FreeText), survey=survey, question=by_id[qid])
            row.seal_data({"question": by_id[qid].text, "answer": text})
            row.save(force_insert=True)
        if contact and survey.asks_for_contact:
            left = RespondentContact(id=_free_id(RespondentContact), survey=survey, may_message=True)
            left.seal_data({"contact": contact})
            left.save(force_insert=True)
    return response
