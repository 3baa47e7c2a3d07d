"""The expired-form page (a CSRF refusal: the form sat open too long, the cookie was
cleared) shows what was typed, to copy into the form again: under the labels the form
shows, in the page's language, never as field names or a ticked box's "on"."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from concerted.bargaining.tests.conftest import kit  # noqa: F401 (fixture)
from concerted.cards.tests.conftest import unit  # noqa: F401 (fixture)
from concerted.core import refused
from concerted.pledges.tests.conftest import make_pledge, pledge  # noqa: F401 (fixtures)
from concerted.surveys.tests.conftest import survey  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SUBJECT = {"petitions": "petition", "pledges": "pledge", "cards": "unit", "surveys": "survey", "bargaining": "kit"}
WORDS = "Two years of keystroke logging is enough."


def typed_fields(form):  # type: ignore[no-untyped-def]
    return [name for name, field in form.fields.items() if refused.labelled([(name, "x")], form)]


@pytest.mark.parametrize("view_name", sorted(refused._forms))
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_expired_form_page_shows_what_was_typed_under_the_forms_labels(view_name, language, request):
    subject = request.getfixturevalue(SUBJECT[view_name.split(":")[0]])
    with translation.override(language):
        url = reverse(view_name, args=[subject.slug])
        form = refused._forms[view_name](slug=subject.slug)
        name = typed_fields(form)[0]
        label = str(form.fields[name].label)
        ticks = [n for n, f in form.fields.items() if getattr(f.widget, "input_type", "") == "checkbox"]
    data = {name: WORDS, **{tick: "on" for tick in ticks}}
    response = Client(enforce_csrf_checks=True).post(url, data, HTTP_SEC_FETCH_SITE="same-origin")
    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert f">{label}</label>" in page, f"{view_name}: {name} not under its label {label!r}"
    assert f">{WORDS}</textarea>" in page
    assert f">{name}</label>" not in page or name == label
    assert ">on</textarea>" not in page  # a ticked box is ticked again, not copied
