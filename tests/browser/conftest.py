"""Playwright driving Debian's chromium (never a downloaded browser).

`phone_page` is a 390x844 page with JavaScript disabled that records every request
URL; `assert_stayed_local(page)` fails if any request left the live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def clicks_wait_for_the_next_page() -> Iterator[None]:
    """A click that navigates returns once the answer is committed, before its body is
    parsed: on a busy CI machine `page.content()` read an empty page and `is_visible()`
    (which never waits) could read nothing. Every click here also waits for the page it
    led to, so a test's next line reads the whole page; a click that doesn't navigate
    finds the page already loaded and returns at once. A test that taps a page on
    purpose before it has loaded says `no_wait_after=True`."""
    from playwright.sync_api import Locator

    click = Locator.click

    def click_then_wait(self: Locator, *args: object, **kwargs: object) -> None:
        click(self, *args, **kwargs)  # type: ignore[arg-type]
        if not kwargs.get("no_wait_after"):
            self.page.wait_for_load_state("load")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Locator, "click", click_then_wait)
        yield


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make install-dev` (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _page(browser, live_server, *, javascript: bool, viewport: dict[str, int]):
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport, locale="en-US")
    page = context.new_page()
    page.requested_urls = []  # type: ignore[attr-defined]
    page.on("request", lambda request: page.requested_urls.append(request.url))  # type: ignore[attr-defined]
    page.live_url = live_server.url  # type: ignore[attr-defined]
    return context, page


@pytest.fixture
def phone_page(browser, live_server):
    context, page = _page(browser, live_server, javascript=False, viewport={"width": 390, "height": 844})
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser, live_server):
    """An organizer's browser: JavaScript on."""
    context, page = _page(browser, live_server, javascript=True, viewport={"width": 1280, "height": 900})
    yield page
    context.close()


def assert_stayed_local(page) -> None:
    assert page.requested_urls, "no request was recorded"
    strays = [url for url in page.requested_urls if not url.startswith(page.live_url + "/")]
    assert not strays, f"requests left {page.live_url}: {strays}"
    assert page.live_url.startswith("http://127.0.0.1:") or page.live_url.startswith("http://localhost:")


def assert_fits_phone(page) -> None:
    """Nothing scrolls sideways on the phone viewport (evaluated by the driver, not the page)."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide on a {page.viewport_size['width']}px screen"


# Rules or elements the accessibility walk leaves out, each with its reason. Empty: every
# axe-core rule runs on every element. Add here, never inline in a test.
AXE_EXCLUDED_RULES: dict[str, str] = {}
AXE_EXCLUDED_ELEMENTS: dict[str, str] = {}


def axe_problems(page) -> list[str]:
    """Serious and critical axe-core violations on the current page (axe-core from npm,
    served by the app: script-src 'self' allows it, nothing inline)."""
    # A click that navigates returns once the new page is committed, before its <head>
    # exists on a loaded machine: walk the page once it has loaded.
    page.wait_for_load_state("load")
    page.add_script_tag(url=f"{page.live_url}/static/vendor/axe-core/axe.min.js")
    # target-size (WCAG 2.2, 2.5.8) is off in axe-core by default; AA needs it.
    options = {"rules": {"target-size": {"enabled": True}, **{rule: {"enabled": False} for rule in AXE_EXCLUDED_RULES}}}
    context = {"exclude": [[selector] for selector in AXE_EXCLUDED_ELEMENTS]} if AXE_EXCLUDED_ELEMENTS else None
    result = page.evaluate(
        "async ([context, options]) => (await axe.run(context || document, options)).violations",
        [context, options],
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def vote_open(campaign):  # type: ignore[no-untyped-def]
    """A yes/no election with its key ceremony run and voting open (the vote pages' tests)."""
    from concerted.elections import ballotbox
    from concerted.elections.models import Election
    from concerted.elections.tests.conftest import run_ceremony

    election = Election.objects.create(
        campaign=campaign, title="Strike authorization", question="Authorize a strike?", trustee_count=3, threshold=2
    )
    c = run_ceremony(election)
    ballotbox.open_voting(election)
    election.refresh_from_db()
    return c
