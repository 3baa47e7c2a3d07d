"""The lean sign path, pinned: how many SQL statements each participant form's public
GET and POST runs (issue 19). A change that adds a query on the hot path fails here;
when one is really needed, change the number and say why in the commit.

Counts are of SELECT/INSERT/UPDATE/DELETE statements only, so they are the same on
SQLite and PostgreSQL (BEGIN and SAVEPOINT differ between them). "GET" is the blank
form as a new visitor gets it: "cold" renders it, "warm" is served from the page cache
(concerted/core/pagecache.py) and reads only the subject with its campaign; in front of
Django (concerted/core/fastpages.py, what gunicorn serves) the next one runs none."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from tests.fuzz.test_public_forms import FormFields

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DML = ("SELECT", "INSERT", "UPDATE", "DELETE")

# form -> (GET cold, GET warm, POST)
# Every participant form's POST first looks its CSRF token up (one SELECT by primary
# key) and stores its answer with the record (one INSERT): a repeat of the same form is
# answered with the first receipt and stores nothing (core/sentonce.py). Elections keep
# their own rules.
EXPECTED = {
    # the form's token; subject + campaign; UPDATE of the release's pending count; the
    # INSERT; the form's answer
    "petitions:sign": (3, 1, 5),
    # + the pledge row locked (SELECT ... FOR UPDATE) so no pledge lands after a lapse
    "pledges:pledge": (2, 1, 6),
    "cards:sign": (2, 1, 5),
    # the questions and their options (to check the answers), a fresh random id, the INSERT
    "surveys:answer": (3, 1, 7),
    # the form's token; subject + campaign; UPDATE of the release's pending count (the
    # brief prints the inventories as released); the INSERT; the form's answer
    "bargaining:report_surveillance": (1, 1, 5),
    # eligible credential, not spoiled for checking, no ballot yet with this ciphertext,
    # seen-ciphertext row, the previous revision, the INSERT (the ballot's own rules;
    # the page is one SELECT)
    "elections:vote": (1, 1, 7),
}


def _petition(fields: dict[str, list[str]], n: int) -> dict[str, str]:
    return {"name": f"Query Counter {n}", "contact": f"counter{n}@example.net", "consent_named": "on"}


def _card(fields: dict[str, list[str]], n: int) -> dict[str, str]:
    name = f"Query Counter {n}"
    return {
        "full_name": name,
        "employer": "Acme",
        "job_classification": "Agent",
        "phone": f"+44 7700 90012{n}",
        "email": f"counter{n}@example.net",
        "consent": "on",
        "signature": name,
    }


def _survey(fields: dict[str, list[str]], n: int) -> dict[str, str]:
    data: dict[str, str] = {}
    for name, options in fields.items():
        ranked = re.fullmatch(r"q\d+_(\d+)", name)
        if ranked:  # a ranking: one distinct rank per item
            data[name] = options[int(ranked.group(1)) + 1]
        elif options:
            data[name] = options[0]
    return data


def _report(fields: dict[str, list[str]], n: int) -> dict[str, str]:
    return {name: options[0] for name, options in fields.items() if options}


def _vote(fields: dict[str, list[str]], n: int) -> dict[str, str]:
    codes = (django_settings.DATA_DIR / "demo-election" / "unused-voting-codes.txt").read_text().split()
    return {"code": codes[n], "choice": "0", "no_script": "1"}  # as a phone with JavaScript off sends it


DATA: dict[str, Callable[[dict[str, list[str]], int], dict[str, str]]] = {
    "petitions:sign": _petition,
    "pledges:pledge": _petition,
    "cards:sign": _card,
    "surveys:answer": _survey,
    "bargaining:report_surveillance": _report,
    "elections:vote": _vote,
}


def count(fn: Callable[[], object]) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return sum(1 for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(DML)), result


@pytest.fixture
def demo_paths(settings, tmp_path) -> dict[str, str]:
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    paths: dict[str, str] = {}
    for url in re.findall(r"https?://\S+", out.getvalue()):
        path = urlsplit(url.rstrip(").,;")).path
        try:
            name = resolve(path).view_name
        except Exception:
            continue
        paths.setdefault(name, path)
    slug = resolve(paths["bargaining:home"]).kwargs["slug"]
    paths["bargaining:report_surveillance"] = f"/b/{slug}/monitoring/"
    return paths


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_pinned_number_of_queries_on_every_participant_form(demo_paths):
    assert set(EXPECTED) == set(DATA)
    caches["pages"].clear()
    found: dict[str, tuple[int, int, int]] = {}
    for n, name in enumerate(EXPECTED):
        path = demo_paths[name]
        cold, page = count(lambda p=path: Client().get(p))
        visitor = Client(enforce_csrf_checks=True)
        warm, page = count(lambda p=path, c=visitor: c.get(p))
        assert page.status_code == 200, name
        html = page.content.decode()
        parser = FormFields()
        parser.feed(html)
        data = DATA[name](parser.forms[0], n)
        data["csrfmiddlewaretoken"] = TOKEN_RE.search(html).group(1)
        posted, response = count(lambda p=path, c=visitor, d=data: c.post(p, d))
        assert response.status_code == 302, (name, response.status_code, response.content.decode()[:3000])
        found[name] = (cold, warm, posted)
    assert found == EXPECTED


@pytest.mark.django_db(transaction=True)
def test_it_serves_the_cached_page_with_each_visitors_own_csrf_token(demo_paths):
    path = demo_paths["petitions:sign"]
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    a, b = first.get(path), second.get(path)
    token_a, token_b = TOKEN_RE.search(a.content.decode()).group(1), TOKEN_RE.search(b.content.decode()).group(1)
    assert "PLACEHOLDER" not in b.content.decode()
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # Each visitor's token works with their own cookie, and only with it.
    ok = second.post(path, {"csrfmiddlewaretoken": token_b, "name": "B Person", "contact": "b@example.net"})
    assert ok.status_code == 302
    swapped = first.post(path, {"csrfmiddlewaretoken": "x" * 64, "name": "A Person", "contact": "a@example.net"})
    assert swapped.status_code == 403
    assert token_a != token_b or a.content == b.content


@pytest.mark.django_db(transaction=True)
def test_a_blank_page_answered_in_front_of_django_runs_no_query_and_its_token_signs(demo_paths):
    """The same forms through concerted/core/fastpages.py, as gunicorn serves them: the
    second new visitor's blank page never reaches Django, and the token in it works."""
    from http.cookies import SimpleCookie

    from django.core.handlers.wsgi import WSGIHandler

    from concerted.core.fastpages import FastPages
    from concerted.core.testing import wsgi_call

    caches["pages"].clear()
    for n, name in enumerate(EXPECTED):
        path = demo_paths[name]
        reached: list[str] = []
        django = WSGIHandler()
        app = FastPages(lambda environ, start, d=django, r=reached: r.append(environ["PATH_INFO"]) or d(environ, start))
        assert wsgi_call(app, "GET", path).status == 200
        queries, page = count(lambda p=path, a=app: wsgi_call(a, "GET", p))
        assert (page.status, queries, reached) == (200, 0, [path]), name
        (secret,) = SimpleCookie(page.header("Set-Cookie")).values()
        parser = FormFields()
        html = page.body.decode()
        parser.feed(html)
        data = DATA[name](parser.forms[0], n)
        data["csrfmiddlewaretoken"] = TOKEN_RE.search(html).group(1)
        visitor = Client(enforce_csrf_checks=True)
        visitor.cookies["csrftoken"] = secret.value
        response = visitor.post(path, data)
        assert response.status_code == 302, (name, response.status_code, response.content.decode()[:3000])


# Every other public page the demo leads to, and each form's receipt page (the 302 after
# a POST leads there): statements of one GET by a new visitor. A public page that is not
# listed fails the test: pin it (and say why it needs what it runs).
OTHER_GETS: dict[str, int] = {
    # receipts: subject + campaign, the record by its receipt hash, the released figures
    "petitions:receipt": 3,
    "pledges:receipt": 3,
    "cards:receipt": 3,
    "surveys:thanks": 1,
    "bargaining:thanks": 1,
    "elections:tracker": 2,
    # receipt lookup forms: subject + campaign, the released figures
    "petitions:receipt_lookup": 2,
    "pledges:receipt_lookup": 2,
    "cards:receipt_lookup": 2,
    "bargaining:home": 1,
    "bargaining:propose": 1,
    "bargaining:report_pressure": 1,
    "bargaining:vote": 2,
    "elections:board": 4,
    "elections:board_json": 5,
    "elections:manifest": 1,
    "elections:cast_json": 0,  # POST only: 405
    "elections:spoiled_json": 0,  # POST only: 405
    "messaging:stop_by_receipt": 0,  # POST only: 405
    "open": 0,
    "home": 0,
    "privacy": 0,
    "favicon": 0,
    "javascript-catalog": 0,
    "accounts:login": 1,  # does any organizer exist yet (the first-run hint)
    "accounts:login_code": 0,
    "accounts:sessions": 0,
    "accounts:two_factor": 0,
}


@pytest.mark.django_db(transaction=True)
def test_it_runs_the_pinned_number_of_queries_on_every_other_public_page(demo_paths):
    from tests.fuzz.test_public_forms import PUBLIC

    public_names = {name for _route, name in PUBLIC}
    caches["pages"].clear()
    found: dict[str, int] = {}
    for n, name in enumerate(EXPECTED):  # sign once on every form, for its receipt page
        path = demo_paths[name]
        visitor = Client()
        html = visitor.get(path).content.decode()
        parser = FormFields()
        parser.feed(html)
        response = visitor.post(path, DATA[name](parser.forms[0], n))
        assert response.status_code == 302, name
        location = urlsplit(response["Location"]).path
        receipt = resolve(location).view_name
        found[receipt], page = count(lambda p=response["Location"]: Client().get(p))
        assert page.status_code == 200, (receipt, page.status_code)
    # Every public pattern a GET can reach with what the demo made: no arguments, or the
    # slug of that app's demo subject.
    slugs = {}
    for name, path in demo_paths.items():
        try:
            slugs.setdefault(name.split(":")[0], resolve(path).kwargs["slug"])
        except (Resolver404, KeyError):
            continue
    paths = dict(demo_paths)
    for _route, name in PUBLIC:
        app = name.split(":")[0]
        for kwargs in ({}, {"slug": slugs.get(app, "")}):
            try:
                paths.setdefault(name, reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
            break
    for name, path in sorted(paths.items()):
        if name in EXPECTED or name in found or name not in public_names:
            continue
        found[name], page = count(lambda p=path: Client().get(p))
        assert page.status_code < 500, (name, page.status_code)
    assert found == OTHER_GETS
