"""Accessibility (WCAG 2.2 AA) of every page reachable in the demo, checked by
axe-core in chromium: participant pages anonymously, organizer pages signed in as the
demo organizer, each with JavaScript on and off.

The pages are found by crawling the demo (`concerted demo`'s data) from the home page
and the organizer's campaign list, plus the receipts a coworker gets by signing,
pledging and carding. Every URL pattern must be reached by the crawl or be listed in
NOT_PAGES with its reason, so a new page fails here until it is checked. Rules and
elements left out live in conftest.AXE_EXCLUDED_RULES / AXE_EXCLUDED_ELEMENTS, each
with a reason (today: none)."""

from __future__ import annotations

import datetime
import io
import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from concerted.core.days import today

from .conftest import AXE_EXCLUDED_ELEMENTS, AXE_EXCLUDED_RULES, axe_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANG = "/en/"
# Not HTML pages: what the walk can't and needn't run axe on. Each says why.
NOT_PAGES = {
    "favicon": "an icon",
    "open": "answers with a redirect to the page a code opens (or the home page, checked as home)",
    "accounts:login_code": "the code step of two-factor sign-in; the demo organizer has none (test_organizer_week)",
    "javascript-catalog": "a script (the strings of the browser scripts)",
    "accounts:logout": "POST only (a button in the header)",
    "accounts:token_revoke": "POST only",
    "accounts:session_end": "POST only",
    "release_now": "POST only",
    "campaigns:segment_delete": "POST only, through the confirmation page checked as core confirm",
    "campaigns:invite": "POST only (the form is on the organizers page)",
    "campaigns:invite_cancel": "POST only",
    "campaigns:organizer_role": "POST only",
    "campaigns:organizer_remove": "POST only",
    "campaigns:two_factor_policy": "POST only (the form is on the organizers page)",
    "campaigns:join": "a single-use invite link (checked in test_organizer_week)",
    "petitions:withdraw": "POST only; its confirmation step is checked in test_organizer_week",
    "petitions:status": "POST only",
    "petitions:preview": "POST only (htmx fragment of the edit page)",
    "petitions:export": "JSON for the organizer's own machine",
    "pledges:withdraw": "POST only",
    "pledges:preview": "POST only (htmx fragment of the edit page)",
    "pledges:open": "POST only",
    "pledges:confirm": "POST only",
    "pledges:call_off": "POST only",
    "pledges:export": "JSON for the organizer's own machine",
    "flyers:pdf": "a PDF (text checked in the flyer tests)",
    "flyers:batch_new": "POST only, answers a PDF",
    "surveys:question_add": "POST only (the form is on the builder page)",
    "surveys:question_delete": "POST only",
    "surveys:question_move": "POST only",
    "surveys:preview": "POST only (htmx fragment)",
    "surveys:status": "POST only",
    "surveys:release": "POST only",
    "surveys:results_csv": "a CSV file",
    "surveys:export": "JSON for the organizer's own machine",
    "cards:revoke": "POST only",
    "cards:preview": "POST only (htmx fragment of the edit page)",
    "cards:status": "POST only",
    "cards:roster_import": "POST only (the form is on the roster page)",
    "cards:declaration": "a PDF file (the declaration)",
    "cards:export_cards": "JSON for the organizer's own machine",
    "cards:export_roster": "JSON for the organizer's own machine",
    "cards:export_notes": "JSON for the organizer's own machine",
    "cards:person_note": "POST only (the form is on the person page)",
    "cards:person_consent": "POST only (the form is on the person page)",
    "cards:person_delete": "POST only",
    "bargaining:demand_merge": "POST only",
    "bargaining:brief": "a PDF (text checked in the brief tests)",
    "bargaining:reports_export": "JSON for the organizer's own machine",
    "bargaining:proposals_export": "JSON for the organizer's own machine",
    "elections:board_json": "JSON for verifiers",
    "elections:manifest": "JSON for verifiers",
    "elections:cast_json": "JSON for the voting script",
    "elections:spoiled_json": "JSON POST from the voting script (a spoiled ballot)",
    "elections:revoke": "POST only",
    "elections:credentials": "POST only (a button on the election page)",
    "elections:trustees": "POST only (a form on the election page)",
    "bargaining:settings": "POST only (the form is on the kit page)",
    "elections:action": "POST only",
    "elections:trustee_api": "JSON for the trustees' command-line tool",
    "flyers:batch_sealed": "JSON for the organizer's own machine (concerted codes print)",
    "flyers:batch_void": "POST only, through the confirmation step (axe-checked in test_invite_batches)",
    "messaging:detail": "the demo has no message; axe-checked in test_messaging_in_browser",
    "messaging:report_sent": "JSON POST from concerted send",
    "messaging:send_json": "JSON for concerted send on the organizer's machine",
    "messaging:stop": "needs a stop token sealed in a record; axe-checked in test_messaging_in_browser",
    "messaging:stop_by_receipt": "POST only (a button on receipt pages)",
    "pledges:confirm_json": "JSON POST from concerted reveal --confirm",
}
# The walk's budget: a few addresses per pattern are enough to see its template.
PER_PATTERN = 2


def every_pattern() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list, namespace: str) -> None:  # type: ignore[type-arg]
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern):
                names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "")
    return names


def view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def crawl(client: Client, seeds: list[str], keep) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """pattern name -> the HTML pages found for it, following links from the seeds."""
    found: dict[str, list[str]] = {}
    queue, seen = list(seeds), set(seeds)
    while queue:
        path = queue.pop(0)
        name = view_name(urlsplit(path).path)
        if name is None or name in NOT_PAGES or not keep(path) or len(found.get(name, [])) >= PER_PATTERN:
            continue
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        found.setdefault(name, []).append(path)
        for href in re.findall(r'href="([^"#]+)"', response.content.decode()):
            href = unescape(href)
            if href.startswith(LANG) and href not in seen:
                seen.add(href)
                queue.append(href)
    return found


def is_organizer_path(path: str) -> bool:
    return path.removeprefix(LANG).startswith(("o/", "accounts/tokens", "accounts/two-factor", "accounts/sessions"))


@pytest.fixture
def demo(settings, tmp_path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    settings.DATA_DIR = tmp_path
    call_command("demo", stdout=io.StringIO())
    from concerted.cards.models import BargainingUnit
    from concerted.cards.signing import sign_card
    from concerted.petitions.models import Petition
    from concerted.petitions.signing import sign
    from concerted.pledges.models import Pledge
    from concerted.pledges.pledging import pledge

    receipts = []
    for petition in Petition.objects.filter(status=Petition.Status.OPEN)[:1]:
        receipts.append(f"{LANG}p/{petition.slug}/r/{sign(petition, {'name': 'Ada Walker'}).receipt_code}/")
    for target in Pledge.objects.filter(status=Pledge.Status.OPEN)[:1]:
        receipts.append(f"{LANG}k/{target.slug}/r/{pledge(target, {'name': 'Ada Walker'}).receipt_code}/")
    for unit in BargainingUnit.objects.filter(status=BargainingUnit.Status.OPEN)[:1]:
        signed = sign_card(
            unit,
            {
                "full_name": "Ada Walker",
                "employer": "Acme Corp.",
                "job_classification": "Support",
                "phone": "+49 30 1234567",
                "signature": "Ada Walker",
                "consent": True,
            },
        )
        receipts.append(f"{LANG}c/{unit.slug}/r/{signed.receipt_code}/")
    organizer = get_user_model().objects.get(username="organizer")
    staff = Client()
    staff.force_login(organizer)
    organizer_pages = crawl(
        staff, [f"{LANG}o/campaigns/", f"{LANG}accounts/tokens/", *direct_pages()], is_organizer_path
    )
    public_seeds = [LANG, f"{LANG}privacy/", f"{LANG}accounts/login/", *receipts, *direct_pages()]
    # Participant pages are linked from the organizer's (the "open the public page" links).
    public_seeds += [path for paths in crawl(staff, [f"{LANG}o/campaigns/"], lambda p: True).values() for path in paths]
    public_pages = crawl(Client(), public_seeds, lambda p: not is_organizer_path(p))
    return {"organizer": organizer, "organizer_pages": organizer_pages, "public_pages": public_pages}


def direct_pages() -> list[str]:
    """Pages reached through a form or a state the demo isn't in, not a link."""
    from concerted.bargaining.models import Kit
    from concerted.campaigns.models import Campaign
    from concerted.cards.models import RosterPerson
    from concerted.elections.models import Ballot, Election
    from concerted.pledges.models import Pledge
    from concerted.surveys.models import Question, Survey

    kit, election, survey = Kit.objects.first(), Election.objects.first(), Survey.objects.first()
    demo = Campaign.objects.order_by("name").first()
    # A second campaign with drafts: pages the demo's opened items have left behind.
    drafts = Campaign.objects.create(name="Drafts", committee_name="The committee", public_key=demo.public_key)
    drafts.organizers.add(*demo.organizers.all(), through_defaults={"role": "owner"})
    draft_pledge = Pledge.objects.create(
        campaign=drafts,
        title="Refuse the tracker",
        promise="I will decline it.",
        threshold_count=5,
        deadline=today() + datetime.timedelta(days=10),
    )
    draft_survey = Survey.objects.create(campaign=drafts, title="Tracking", design=Survey.Design.PROBABILITY)
    question = Question.objects.create(survey=draft_survey, position=0, kind="text", text="What do you want?")
    paths = [
        reverse("campaigns:detail", args=[drafts.pk]),
        reverse("bargaining:start", args=[drafts.pk]),
        reverse("pledges:edit", args=[draft_pledge.pk]),
        reverse("surveys:question_edit", args=[question.pk]),
        reverse("cards:person", args=[RosterPerson.objects.first().pk]),
    ]
    if kit:
        paths += [reverse("bargaining:settings", args=[kit.pk]), reverse("bargaining:thanks", args=[kit.slug])]
    if survey:
        paths.append(reverse("surveys:thanks", args=[survey.slug]))
    if election:
        # The dashboard links the vote page by its public address (CONCERTED_PUBLIC_BASE_URL,
        # printed on the voting cards), which the walk, on the test server's own address,
        # doesn't follow.
        paths.append(reverse("elections:vote", args=[election.slug]))
        ballot = Ballot.objects.filter(election=election).first()
        if ballot:
            paths.append(reverse("elections:tracker", args=[election.slug, ballot.tracker]))
    return paths


def strip_scripts(route) -> None:  # type: ignore[no-untyped-def]
    """What a browser with JavaScript off shows: the page without its scripts, and with
    its <noscript> content. (axe itself needs script, so JavaScript stays on for it.)"""
    request = route.request
    if request.resource_type == "script" and "/static/vendor/axe-core/" not in request.url:
        route.abort()
        return
    if request.resource_type != "document":
        route.continue_()
        return
    response = route.fetch()
    body = response.text()
    body = re.sub(r"<script\b[^>]*>.*?</script>", "", body, flags=re.S)
    body = re.sub(r"</?noscript>", "", body)
    route.fulfill(response=response, body=body)


def login(context, live_url: str, user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_url}])


def test_every_url_pattern_is_walked_or_has_a_reason(demo):
    walked = set(demo["organizer_pages"]) | set(demo["public_pages"])  # type: ignore[arg-type]
    missing = sorted(every_pattern() - walked - NOT_PAGES.keys())
    assert not missing, f"pages the accessibility walk doesn't reach: {missing}; link them in the demo or list why"
    assert not NOT_PAGES.keys() - every_pattern(), "NOT_PAGES names a pattern that no longer exists"
    assert not (walked & NOT_PAGES.keys()), "a pattern is both walked and listed as not a page"
    for why in [*NOT_PAGES.values(), *AXE_EXCLUDED_RULES.values(), *AXE_EXCLUDED_ELEMENTS.values()]:
        assert len(why) > 5, "every exclusion says why"


def test_every_command_line_says_what_its_url_and_token_are(demo):
    """An organizer copying `concerted reveal --server URL --token TOKEN ...` needs this
    site's address and where a token comes from, next to the command."""
    staff = Client()
    staff.force_login(demo["organizer"])
    with_commands = []
    for paths in demo["organizer_pages"].values():  # type: ignore[attr-defined]
        for path in paths:
            html = staff.get(path).content.decode()
            if "--server URL" in html:
                with_commands.append(path)
                where = re.search(r'<p class="help cli-where">(.*?)</p>', html, re.S)
                assert where, f"{path}: a command line without what URL and TOKEN are"
                assert "<code>http://testserver</code>" in where.group(1), path
                assert f'href="{reverse("accounts:tokens")}"' in where.group(1), path
    assert len(with_commands) >= 4  # petitions, cards, surveys, bargaining, flyers...


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_every_page_has_no_serious_axe_violation(browser, live_server, demo, javascript):
    problems: list[str] = []
    checked: list[str] = []
    for who, pages in (("public", demo["public_pages"]), ("organizer", demo["organizer_pages"])):
        # Participants on a phone; organizers on a laptop, and with JavaScript off on a
        # small phone (an organizer checks the dashboard on launch day from anywhere).
        if who == "public":
            viewport = {"width": 390, "height": 844}
        else:
            viewport = {"width": 1280, "height": 900} if javascript else {"width": 360, "height": 740}
        context = browser.new_context(viewport=viewport, locale="en-US")
        context.set_default_timeout(60_000)
        if not javascript:
            context.route("**/*", strip_scripts)
        if who == "organizer":
            login(context, live_server.url, demo["organizer"])
        page = context.new_page()
        page.live_url = live_server.url  # type: ignore[attr-defined]
        for name, paths in sorted(pages.items()):  # type: ignore[attr-defined]
            for path in paths:
                page.goto(live_server.url + path)
                assert page.locator("nav.languages a").count() == len(settings.LANGUAGES), f"{path}: no language switch"
                found = axe_problems(page)
                problems += [f"{path} ({name}): {p}" for p in found]
                # WCAG 1.4.10: nothing scrolls the whole page sideways (a wide table
                # scrolls in its own box, .table-wrap).
                wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if wide > 0:
                    problems.append(f"{path} ({name}): {wide} px wider than the {viewport['width']}-px window")
                checked.append(f"{name} {path}")
        context.close()
    print(f"\naxe-core checked {len(checked)} pages with JavaScript {'on' if javascript else 'off'}:")
    print("\n".join(f"  {line}" for line in checked))
    assert len(checked) >= 60
    assert not problems, "\n".join(problems)
