"""Bad-input drill: property-based fuzzing of every public page and form.

The public URL patterns are discovered from the URL resolver (everything outside the
organizer area /o/ and the organizer account pages), so an endpoint added later is
fuzzed without editing this file. Real objects come from the demo data every app
registers (`concerted demo`), so sign, pledge, card and survey forms are fuzzed with
their real field names; receipt codes come from signatures the fuzzer itself made.

For every generated request: the status is below 500, and a 400 carries a visible
message (a field error, an alert box, or the error page's heading)."""

from __future__ import annotations

import io
import os
import re
import string
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from hypothesis import given
from hypothesis import strategies as st

ORGANIZER_PREFIXES = ("o/", "accounts/tokens", "accounts/logout")
RECEIPT_RE = re.compile(r"/r/([A-Z2-7]{26})/")
# Every page lives under a language prefix; the fuzzer uses the default one.
LANGUAGE_PREFIX = "en/"


def public_patterns() -> list[tuple[str, str]]:
    """(route, view name) for every URL pattern a participant can reach."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                bare = route.removeprefix(LANGUAGE_PREFIX)
                if not bare.startswith(ORGANIZER_PREFIXES) and "static" not in route:
                    found.append((route, f"{namespace}{p.name}"))

    walk(get_resolver().url_patterns, "", "")
    return found


PUBLIC = public_patterns()


class FormFields(HTMLParser):
    """Field names (and select options) of the POST forms on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, list[str]]] = []
        self.actions: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append({})
            self.actions.append(a.get("action") or "")
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            name = a["name"] or ""
            if name == "csrfmiddlewaretoken":
                return
            values = self.forms[-1].setdefault(name, [])
            if tag == "input" and a.get("type") in ("checkbox", "radio", "hidden") and a.get("value"):
                values.append(a["value"] or "")
            if tag == "select":
                self._select = name
        elif tag == "option" and self._select and self.forms:
            self.forms[-1][self._select].append(a.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def nasty_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
        st.text(alphabet=string.printable, min_size=0, max_size=300),
        st.sampled_from(
            [
                "",
                " ",
                "\x00",
                "a" * 5000,
                "<script>alert(1)</script>",
                "'; DROP TABLE petitions_signature; --",
                "me@acme.com",
                "someone@example.org",
                "+1 (555) 010-9999",
                "\u202e\u200b\ufeff",
                "０１２３",
                "-1",
                "99999999999999999999999",
                '=HYPERLINK("x")',
            ]
        ),
    )


def field_value(options: list[str]) -> st.SearchStrategy[str | list[str]]:
    choices = [st.just(o) for o in options] if options else []
    return st.one_of(*choices, nasty_text(), st.lists(nasty_text(), max_size=3))


def form_data(fields: dict[str, list[str]]) -> st.SearchStrategy[dict[str, object]]:
    if not fields:
        return st.dictionaries(nasty_text().filter(bool), nasty_text(), max_size=4)
    return st.fixed_dictionaries({}, optional={name: field_value(opts) for name, opts in fields.items()}).flatmap(
        lambda d: st.dictionaries(
            st.sampled_from(["extra", "id", "day", "sealed", "status"]), nasty_text(), max_size=2
        ).map(lambda extra: {**extra, **d})
    )


def assert_handled(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"
    if response.status_code == 400:
        body = response.content.decode("utf-8", "replace")
        assert 'role="alert"' in body or "<h1>" in body, f"{what}: a 400 without a visible message"


@pytest.fixture
def demo_urls(settings, tmp_path) -> list[str]:
    """Load every app's demo data and return the public paths the demo prints."""
    settings.DATA_DIR = tmp_path
    out = io.StringIO()
    call_command("demo", stdout=out)
    base = settings.PUBLIC_BASE_URL
    paths = []
    for url in re.findall(r"https?://\S+", out.getvalue()):
        path = urlsplit(url.rstrip(").,;")).path
        if url.startswith(base) and not path.lstrip("/").removeprefix(LANGUAGE_PREFIX).startswith(ORGANIZER_PREFIXES):
            paths.append(path)
    return paths


def concrete_paths(route: str, name: str, demo_paths: list[str], receipts: dict[str, str]) -> list[str]:
    """Real paths for this pattern: from the demo, or built from receipts we collected."""
    out = []
    for path in demo_paths:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.view_name == name:
            out.append(path)
        elif "code" in route and match.kwargs.get("slug"):
            # receipt pages of a demo object: use a receipt the fuzzer got, or a made-up one
            code, slug = receipts.get(path, "A" * 26), match.kwargs["slug"]
            candidate = re.sub(r"<[^>]+>", lambda m, c=code, s=slug: c if "code" in m.group(0) else s, route)
            try:
                if resolve("/" + candidate).view_name == name:
                    out.append("/" + candidate)
            except Resolver404:
                pass
        elif "slug" in route and "code" not in route and match.kwargs.get("slug"):
            candidate = "/" + re.sub(r"<[^>]+>", match.kwargs["slug"], route)
            try:
                if resolve(candidate).view_name == name:
                    out.append(candidate)
            except Resolver404:
                pass
    return sorted(set(out))


def filler(route: str) -> st.SearchStrategy[str]:
    """A path for this pattern with made-up arguments (objects that don't exist)."""
    parts = re.split(r"(<[^>]+>)", route)
    strategies = []
    for part in parts:
        if part.startswith("<"):
            kind = part[1:-1].split(":")[0] if ":" in part else "str"
            alphabet = string.ascii_letters + string.digits + ("-_" if kind == "slug" else "-_~.%")
            if kind == "int":
                strategies.append(st.integers(0, 10**12).map(str))
            elif kind == "uuid":
                strategies.append(st.uuids().map(str))
            else:
                strategies.append(st.text(alphabet=alphabet, min_size=1, max_size=40))
        else:
            strategies.append(st.just(part))
    return st.tuples(*strategies).map(lambda t: "/" + "".join(t))


def sign_once(client: Client, path: str, fields: dict[str, list[str]]) -> str | None:
    """A valid submission of this form, to get a receipt code for the receipt pages."""
    data: dict[str, str] = {}
    for name, opts in fields.items():
        if name in ("name", "full_name") or "name" in name:
            data[name] = "Fuzz Tester"
        elif "contact" in name or "email" in name:
            data[name] = "fuzz.tester@example.org"
        elif opts:
            data[name] = opts[-1]
        else:
            data[name] = "yes"
    response = client.post(path, data)
    match = RECEIPT_RE.search(response.get("Location", ""))
    return match.group(1) if match else None


@pytest.mark.django_db
def test_it_answers_every_public_request_without_a_server_error(demo_urls):
    # One demo load for all patterns (loading it per pattern costs more than the fuzzing).
    client = Client()
    receipts: dict[str, str] = {}
    for path in demo_urls:
        page = client.get(path)
        if page.status_code == 200:
            parser = FormFields()
            parser.feed(page.content.decode("utf-8", "replace"))
            for fields in parser.forms:
                code = sign_once(client, path, fields)
                if code:
                    receipts[path] = code
    counts = {}
    for route, name in PUBLIC:
        counts[name] = fuzz_pattern(client, route, name, demo_urls, receipts)
    if os.environ.get("FUZZ_COUNT_FILE"):  # `make bench` adds these up
        with open(os.environ["FUZZ_COUNT_FILE"], "a") as f:
            f.writelines(f"{name} {n}\n" for name, n in counts.items())
    assert all(counts.values()), counts


def fuzz_pattern(client: Client, route: str, name: str, demo_urls: list[str], receipts: dict[str, str]) -> int:
    paths = concrete_paths(route, name, demo_urls, receipts)
    forms: dict[str, dict[str, list[str]]] = {}
    for path in paths:
        page = client.get(path)
        assert_handled(page, f"GET {path}")
        parser = FormFields()
        parser.feed(page.content.decode("utf-8", "replace"))
        merged: dict[str, list[str]] = {}
        for fields in parser.forms:
            for k, v in fields.items():
                merged.setdefault(k, []).extend(v)
        forms[path] = merged

    path_strategy = st.one_of(st.sampled_from(paths), filler(route)) if paths else filler(route)
    counted = [0]

    @given(
        path=path_strategy,
        method=st.sampled_from(["GET", "POST", "POST", "POST", "PUT", "HEAD"]),
        query=st.dictionaries(st.sampled_from(["code", "new", "paper", "q", "page"]), nasty_text(), max_size=2),
        data=st.data(),
    )
    def fuzz(path: str, method: str, query: dict[str, str], data) -> None:
        counted[0] += 1
        fields = forms.get(path, {})
        if method == "GET":
            response = client.get(path, query)
        elif method == "HEAD":
            response = client.head(path)
        elif method == "PUT":
            response = client.put(path, "x=1", content_type="application/x-www-form-urlencoded")
        else:
            response = client.post(path, data.draw(form_data(fields)))
        assert_handled(response, f"{method} {path} ({name})")

    fuzz()
    return counted[0]


@pytest.mark.django_db
def test_it_finds_the_real_forms_it_fuzzes(demo_urls):
    # The drill is only as good as its discovery: the demo petition's form must be found
    # with its real fields, and a valid submission must give a receipt.
    client = Client()
    # The demo's "Open:" and login lines have no language prefix: the middleware serves
    # them, resolve() can't.
    prefixed = [p for p in demo_urls if p.startswith("/" + LANGUAGE_PREFIX)]
    petition_paths = [p for p in prefixed if resolve(p).view_name == "petitions:sign"]
    assert petition_paths, demo_urls
    parser = FormFields()
    parser.feed(client.get(petition_paths[0]).content.decode())
    assert {"name", "contact"} <= set(parser.forms[0])
    assert sign_once(client, petition_paths[0], parser.forms[0])
    assert (LANGUAGE_PREFIX + "p/<slug:slug>/r/<str:code>/withdraw/", "petitions:withdraw") in PUBLIC


def test_it_flags_a_server_error_and_a_silent_400():
    class Response:
        def __init__(self, status: int, content: bytes) -> None:
            self.status_code, self.content = status, content

    with pytest.raises(AssertionError):
        assert_handled(Response(500, b"<h1>oops</h1>"), "x")
    with pytest.raises(AssertionError):
        assert_handled(Response(400, b"bad"), "x")
    assert_handled(Response(400, b'<p class="error" role="alert">Enter your name.</p>'), "x")


@pytest.mark.django_db
def test_a_head_request_answers_as_the_get_does(demo_urls):
    """Uptime monitors, link checkers and `curl -I` ask with HEAD: a page that GET serves
    must not answer them 405 (it did, for every view behind require_GET)."""
    client = Client()
    paths = ["/", "/" + LANGUAGE_PREFIX, *demo_urls]
    assert len(paths) > 5, paths
    for path in paths:
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code != 405, path
        assert head.content == b"", path
