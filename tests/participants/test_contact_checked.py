"""Every participant form that takes a personal contact refuses one no message can
reach or one that imitates another domain, with the reason on the form and what was
typed still in it (the rule: concerted/core/forms.py, PersonalContactField).

The forms come from the registry of participant forms (test_sent_once.FORMS): a new
form that takes a contact is checked here without a copy of this test."""

from __future__ import annotations

import html

import pytest
from django.core.cache import caches
from django.test import Client

from tests.fuzz.test_public_forms import FormFields
from tests.participants.test_sent_once import FORMS, form_paths, open_form, stored  # noqa: F401 (fixture)
from tests.queries.test_public_queries import demo_paths  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

# Field names that hold an email address on a participant form (cards ask for the
# email and the phone apart).
CONTACT_NAMES = ("contact", "email")
# The forms that must take a contact: if one stops offering it, or is no longer in the
# registry, this test says so instead of passing without checking it.
TAKES_CONTACT = {"petitions:sign", "pledges:pledge", "cards:sign", "surveys:answer"}
REFUSED = ["ana@localhost", "ana@gmail", "ana@gm\u0430il.com", "ana@xn--gmil-63d.com"]


@pytest.fixture
def paths(form_paths: dict[str, str]) -> dict[str, str]:  # noqa: F811 (the fixture imported above)
    from concerted.surveys.models import Survey

    # The demo survey doesn't offer to leave a contact: make every survey offer it.
    Survey.objects.update(asks_for_contact=True)
    caches["pages"].clear()
    return form_paths


def test_it_refuses_an_unreachable_or_lookalike_contact_on_every_form_that_takes_one(paths: dict[str, str]) -> None:
    checked: set[str] = set()
    for name, maker in FORMS.items():
        visitor = Client(enforce_csrf_checks=True)
        fields = _fields(visitor, paths[name])
        field = next((f for f in CONTACT_NAMES if f in fields), None)
        if field is None:
            continue
        data = open_form(visitor, paths[name], maker, 1)
        if "may_message" in fields:  # a survey takes a contact only with the box ticked
            data["may_message"] = "on"
        checked.add(name)
        for address in REFUSED:
            before = stored()
            sent = visitor.post(paths[name], {**data, field: address})
            page = sent.content.decode()
            assert sent.status_code == 400, (name, address, sent.status_code)
            assert "Check the address:" in html.unescape(page), (name, address)
            assert f'value="{html.escape(address)}"' in page, f"{name}: {address} typed was lost"
            assert stored() == before, (name, address)
        # The same form with a reachable address goes through.
        ok = visitor.post(paths[name], {**data, field: "ana+union@b\u00fccher.de"})
        assert ok.status_code == 302, name
    assert checked == TAKES_CONTACT


def _fields(client: Client, path: str) -> set[str]:
    parser = FormFields()
    parser.feed(client.get(path).content.decode())
    return set(parser.forms[0]) if parser.forms else set()
