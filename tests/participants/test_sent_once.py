"""A participant form is stored once, however often it is sent (concerted/core/sentonce.py).

On a slow connection a double tap, or Back then Submit again, sends the same form with
the same CSRF token. Found by a phone tester: two or three signatures were stored, the
person saw only the last receipt, and a second tap with an invite code was told the code
doesn't work although the first had stored the answer. Every participant form is run
here through the same registry (`FORMS`), which must list exactly the views that
remember their forms."""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from concerted.core import records, sentonce
from concerted.core.testing import assert_absent, database_bytes, files_containing, raw_files
from tests.fuzz.test_public_forms import PUBLIC, FormFields
from tests.queries.test_public_queries import (  # noqa: F401 (fixture)
    TOKEN_RE,
    _card,
    _petition,
    _report,
    _survey,
    demo_paths,
)

pytestmark = pytest.mark.django_db(transaction=True)

RECEIPT_RE = re.compile(r"/r/([A-Z2-7]{26})/")


def _kit(path: str) -> Any:
    from concerted.bargaining.models import Kit

    return Kit.objects.get(slug=resolve(path).kwargs["slug"])


def _proposal(path: str, fields: dict[str, list[str]], n: int) -> dict[str, str]:
    return {"demand": f"A person reviews every AI decision about our pay ({n})"}


def _ballot(path: str, fields: dict[str, list[str]], n: int) -> dict[str, str]:
    from concerted.bargaining import filing
    from concerted.invites import codes

    kit = _kit(path)
    _batch, (code,) = codes.create_batch(kit.campaign, filing.BALLOT_TARGET, kit.pk, 1, "sent-once test")
    first_rank = next(name for name in fields if name.startswith("rank_"))
    return {"code": code, first_rank: "1"}


def _plain(maker: Callable[[dict[str, list[str]], int], dict[str, str]]) -> Callable[..., dict[str, str]]:
    return lambda path, fields, n: maker(fields, n)


# Every participant form whose success is a redirect: how to fill it in. A view that
# remembers its form (@sentonce.form) and isn't here, or one here that doesn't, fails
# test_the_registry_is_every_view_that_remembers_its_form.
FORMS: dict[str, Callable[[str, dict[str, list[str]], int], dict[str, str]]] = {
    "petitions:sign": _plain(_petition),
    "pledges:pledge": _plain(_petition),
    "cards:sign": _plain(_card),
    "surveys:answer": _plain(_survey),
    "bargaining:report_surveillance": _plain(_report),
    "bargaining:report_pressure": _plain(_report),
    "bargaining:propose": _proposal,
    "bargaining:vote": _ballot,
}
# Public POST views that don't: what they do is already the same when done twice.
NOT_REMEMBERED = {
    "petitions:withdraw": "a second withdrawal finds nothing left to withdraw",
    "pledges:withdraw": "the same",
    "cards:revoke": "the same",
    "messaging:stop_by_receipt": "stopping twice stops once",
    "messaging:stop": "the same",
    "elections:vote": "an election ballot: its own rules (a ballot's revision, the board)",
    "elections:cast_json": "the same",
    "elections:spoiled_json": "the same",
    "accounts:login": "an organizer signing in",
    "accounts:login_code": "the same",
}


@pytest.fixture
def form_paths(demo_paths: dict[str, str]) -> dict[str, str]:  # noqa: F811 (the fixture imported above)
    slug = resolve(demo_paths["bargaining:home"]).kwargs["slug"]
    for name in (
        "bargaining:report_surveillance",
        "bargaining:report_pressure",
        "bargaining:propose",
        "bargaining:vote",
    ):
        demo_paths[name] = reverse(name, args=[slug])
    for name in FORMS:
        assert resolve(demo_paths[name]).view_name == name
    return demo_paths


def stored() -> int:
    """Every participant record of every kind."""
    return sum(kind.objects.count() for kind in records.kinds())


def open_form(client: Client, path: str, maker: Callable[..., dict[str, str]], n: int) -> dict[str, str]:
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    html = page.content.decode()
    parser = FormFields()
    parser.feed(html)
    data = maker(path, parser.forms[0], n)
    data["csrfmiddlewaretoken"] = TOKEN_RE.search(html).group(1)  # type: ignore[union-attr]
    return data


def _callbacks(patterns: list[Any], namespace: str = "") -> dict[str, Any]:
    """View name -> view function, for every URL pattern."""
    found: dict[str, Any] = {}
    for p in patterns:
        if isinstance(p, URLResolver):
            found |= _callbacks(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
        elif isinstance(p, URLPattern):
            found.setdefault(f"{namespace}{p.name}", p.callback)
    return found


def test_the_registry_is_every_view_that_remembers_its_form() -> None:
    public = {name for _route, name in PUBLIC}
    callbacks = _callbacks(get_resolver().url_patterns)
    remembering = {name for name, view in callbacks.items() if getattr(view, "concerted_sent_once", False)}
    assert remembering == set(FORMS)
    assert set(FORMS) <= public
    assert set(NOT_REMEMBERED) <= public, set(NOT_REMEMBERED) - public
    assert len(sentonce.views()) == len(FORMS)


@pytest.mark.parametrize("name", list(FORMS))
def test_a_form_sent_twice_is_stored_once_and_answered_with_its_first_answer(form_paths, name: str) -> None:
    path = form_paths[name]
    visitor = Client(enforce_csrf_checks=True)
    data = open_form(visitor, path, FORMS[name], 1)
    before = stored()
    first = visitor.post(path, data)
    assert first.status_code == 302, (name, first.status_code, first.content.decode()[:2000])
    after_first = stored()
    assert after_first > before
    # The double tap, or Back then Submit: the same form with the same token.
    for _ in range(2):
        again = visitor.post(path, data)
        assert again.status_code in (302, 303), (name, again.status_code, again.content.decode()[:2000])
        assert again["Location"] == first["Location"]
        assert stored() == after_first, f"{name}: a repeat of the same form was stored again"
    assert visitor.get(first["Location"]).status_code == 200
    # A new copy of the page is a new form: stored like any other.
    fresh = open_form(visitor, path, FORMS[name], 2)
    assert visitor.post(path, fresh).status_code == 302
    assert stored() > after_first


def _invite_petition(form_paths: dict[str, str]) -> tuple[str, str]:
    from concerted.invites import codes
    from concerted.petitions.models import Petition

    path = form_paths["petitions:sign"]
    petition = Petition.objects.get(slug=resolve(path).kwargs["slug"])
    petition.requires_invite = True
    petition.save()
    _batch, (code,) = codes.create_batch(petition.campaign, Petition.INVITE_KIND, petition.pk, 1, "sent-once test")
    return path, code


def test_a_second_tap_with_an_invite_code_gets_the_first_receipt_not_a_used_code(form_paths) -> None:
    from concerted.petitions.models import Signature

    path, code = _invite_petition(form_paths)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(path, {"code": code}).content.decode()  # the invite link
    data = {"name": "Doble Toque", "invite_code": code, "csrfmiddlewaretoken": TOKEN_RE.search(page).group(1)}  # type: ignore[union-attr]
    before = Signature.objects.count()
    first = visitor.post(path, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    again = visitor.post(path, data)
    assert again.status_code == 303, again.content.decode()[:2000]
    assert again["Location"] == first["Location"]
    assert Signature.objects.count() == before + 1
    receipt = visitor.get(again["Location"])
    assert receipt.status_code == 200 and "doesn't work" not in receipt.content.decode()


def test_of_two_racing_taps_one_stores_and_the_other_gets_its_receipt(form_paths) -> None:
    """The second tap looks the form up before the first has committed: it must wait,
    find the invite code used (or the form's row taken), store nothing, and answer with
    the first tap's receipt."""
    from concerted.petitions.models import Signature

    path, code = _invite_petition(form_paths)
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(path, {"code": code}).content.decode()
    data = {"name": "Racing Taps", "invite_code": code, "csrfmiddlewaretoken": TOKEN_RE.search(page).group(1)}  # type: ignore[union-attr]
    before = Signature.objects.count()
    inside, go = threading.Event(), threading.Event()
    first_thread: list[threading.Thread] = []

    def hold(sender: Any, **kwargs: Any) -> None:  # the first tap, between its INSERT and its commit
        if threading.current_thread() in first_thread:
            inside.set()
            go.wait(10)

    answers: dict[str, Any] = {}

    def tap(which: str) -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            client.cookies = visitor.cookies
            answers[which] = client.post(path, data)
        finally:
            connection.close()

    post_save.connect(hold, sender=Signature, dispatch_uid="sent-once-race")
    try:
        one = threading.Thread(target=tap, args=("first",))
        first_thread.append(one)
        one.start()
        assert inside.wait(10)
        two = threading.Thread(target=tap, args=("second",))
        two.start()
        two.join(0.5)  # it has looked the form up and now waits for the first tap's transaction
        go.set()
        one.join(20)
        two.join(20)
    finally:
        post_save.disconnect(dispatch_uid="sent-once-race", sender=Signature)
    first, second = answers["first"], answers["second"]
    assert first.status_code == 302, first.content.decode()[:2000]
    assert second.status_code == 303, second.content.decode()[:2000]
    assert second["Location"] == first["Location"]
    assert Signature.objects.count() == before + 1


def test_the_first_answer_is_kept_out_of_the_raw_files(form_paths) -> None:
    """The receipt code is in the remembered answer, and the token opens it: neither is
    in the database file or its WAL (or a PostgreSQL dump) in the clear."""
    path = form_paths["petitions:sign"]
    visitor = Client(enforce_csrf_checks=True)
    data = open_form(visitor, path, FORMS["petitions:sign"], 3)
    response = visitor.post(path, data)
    code = RECEIPT_RE.search(response["Location"]).group(1)  # type: ignore[union-attr]
    from concerted.core.models import SentForm

    assert SentForm.objects.count() == 1
    haystack = database_bytes()
    assert_absent(haystack, code, response["Location"], data["csrfmiddlewaretoken"])


def test_tick_erases_the_answers_of_earlier_days(form_paths) -> None:
    from concerted.core.days import today
    from concerted.core.models import SentForm

    path = form_paths["petitions:sign"]
    visitor = Client(enforce_csrf_checks=True)
    data = open_form(visitor, path, FORMS["petitions:sign"], 4)
    first = visitor.post(path, data)
    old = SentForm.objects.get()
    SentForm.objects.filter(pk=old.pk).update(day=today() - datetime.timedelta(days=1))
    kept = visitor.post(path, open_form(visitor, path, FORMS["petitions:sign"], 5))
    assert kept.status_code == 302
    needle = bytes(old.answer)[-24:]
    assert files_containing(needle, raw_files()), "sanity: yesterday's answer is on disk before the tick"
    call_command("tick", verbosity=0)
    assert SentForm.objects.count() == 1 and SentForm.objects.get().day == today()
    assert not files_containing(needle, raw_files()), "an erased answer is still on disk"
    # A repeat of yesterday's form is no longer recognized: it is a new submission.
    assert visitor.post(path, data)["Location"] != first["Location"]


def test_a_repeat_is_answered_before_anything_else_is_checked(form_paths) -> None:
    """The repeat is looked up first: a petition the committee closed between the two
    taps still gives the person their receipt, not the closed page, and stores nothing."""
    from concerted.petitions.models import Petition, Signature

    path = form_paths["petitions:sign"]
    visitor = Client(enforce_csrf_checks=True)
    data = open_form(visitor, path, FORMS["petitions:sign"], 6)
    first = visitor.post(path, data)
    assert first.status_code == 302
    Petition.objects.filter(slug=resolve(path).kwargs["slug"]).update(status=Petition.Status.CLOSED)
    before = Signature.objects.count()
    again = visitor.post(path, data)
    assert (again.status_code, again.get("Location")) == (303, first["Location"])
    assert Signature.objects.count() == before
