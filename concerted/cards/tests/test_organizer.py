"""Every organizer view as owner, co-organizer, other campaign's organizer and anonymous."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from concerted.accounts.models import ExportToken
from concerted.cards.models import BargainingUnit, OneOnOne, RosterPerson
from concerted.core.days import today

from .conftest import sign_card

pytestmark = pytest.mark.django_db

ORGANIZERS = ["owner", "teammate"]
STRANGERS = ["outsider", "anonymous"]

# (url name, which id, method, extra): GET pages and POST actions with data that succeeds.
GET_VIEWS = [
    ("cards:dashboard", "unit"),
    ("cards:edit", "unit"),
    ("cards:preview", "unit"),
    ("cards:roster", "unit"),
    ("cards:wall_chart", "unit"),
    ("cards:declaration", "unit"),
    ("cards:export_cards", "unit"),
    ("cards:export_roster", "unit"),
    ("cards:export_notes", "unit"),
    ("cards:person", "person"),
    ("cards:new", "campaign"),
]


def url(name, which, unit, person):
    ident = {"unit": unit.pk, "person": person.pk, "campaign": unit.campaign_id}[which]
    return reverse(name, args=[ident])


@pytest.mark.parametrize(("name", "which"), GET_VIEWS)
@pytest.mark.parametrize("role", ORGANIZERS)
def test_organizers_can_open_every_page(as_user, unit, person, role, name, which):
    response = as_user(role).get(url(name, which, unit, person))
    assert response.status_code == 200


@pytest.mark.parametrize(("name", "which"), GET_VIEWS)
def test_an_organizer_of_another_campaign_gets_a_404(as_user, unit, person, name, which):
    assert as_user("outsider").get(url(name, which, unit, person)).status_code == 404


@pytest.mark.parametrize(("name", "which"), GET_VIEWS)
def test_anonymous_visitors_are_sent_to_sign_in(as_user, unit, person, name, which):
    response = as_user("anonymous").get(url(name, which, unit, person))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


POST_ONLY = [
    ("cards:status", "unit", {"status": "closed"}),
    ("cards:person_note", "person", {"day": "2026-01-05", "who": "Rosa", "note": "Talked about schedules."}),
    ("cards:person_delete", "person", {"confirm": "yes"}),
    ("cards:roster_import", "unit", {"lines": "Ann Lee; ; Support\nBo Berg"}),
]


@pytest.mark.parametrize(("name", "which", "data"), POST_ONLY)
@pytest.mark.parametrize("role", ORGANIZERS + STRANGERS)
def test_post_actions_are_for_organizers_only(as_user, unit, person, role, name, which, data):
    client = as_user(role)
    target = url(name, which, unit, person)
    response = client.post(target, data)
    if role in ORGANIZERS:
        assert response.status_code == 302
    elif role == "outsider":
        assert response.status_code == 404
    else:
        assert response.status_code == 302 and "/login/" in response["Location"]
    if role in STRANGERS:
        unit.refresh_from_db()
        assert unit.status == BargainingUnit.Status.OPEN
        assert RosterPerson.objects.filter(pk=person.pk).exists()
        assert RosterPerson.objects.count() == 1
        assert not OneOnOne.objects.exists()


@pytest.mark.parametrize(("name", "which", "_data"), POST_ONLY)
def test_post_actions_refuse_get(as_user, unit, person, name, which, _data):
    assert as_user("owner").get(url(name, which, unit, person)).status_code == 405


@pytest.mark.parametrize(
    ("name", "which"), [v for v in GET_VIEWS if v[0] not in ("cards:edit", "cards:roster", "cards:person", "cards:new")]
)
def test_read_only_pages_refuse_post(as_user, unit, person, name, which):
    assert as_user("owner").post(url(name, which, unit, person)).status_code == 405


UNIT_FORM = {
    "name": "Night shift",
    "employer": "Acme Corp.",
    "union": "Acme Workers United",
    "size": "11",
    "supermajority_percent": "65",
    "card_text": "I authorize {union} to represent me for collective bargaining with {employer}",
    "card_segment_kind": "shift",
}


@pytest.mark.parametrize("role", ORGANIZERS)
def test_organizers_start_a_card_drive(as_user, campaign, role):
    response = as_user(role).post(reverse("cards:new", args=[campaign.pk]), UNIT_FORM)
    unit = BargainingUnit.objects.get(name="Night shift")
    assert response["Location"] == reverse("cards:dashboard", args=[unit.pk])
    assert unit.status == BargainingUnit.Status.DRAFT
    assert unit.rendered_card_text() == (
        "I authorize Acme Workers United to represent me for collective bargaining with Acme Corp."
    )
    page = as_user(role).get(response["Location"]).content.decode()
    assert "Still needed" in page


@pytest.mark.parametrize("role", STRANGERS)
def test_strangers_cannot_start_a_card_drive(as_user, campaign, role):
    response = as_user(role).post(reverse("cards:new", args=[campaign.pk]), UNIT_FORM)
    assert response.status_code in (302, 404)
    assert not BargainingUnit.objects.filter(name="Night shift").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"size": "0"}, "greater than or equal to 1"),
        ({"supermajority_percent": "50"}, "greater than or equal to 51"),
        ({"name": ""}, "required"),
    ],
)
def test_bad_unit_settings_are_explained(as_user, campaign, fields, message):
    response = as_user("owner").post(reverse("cards:new", args=[campaign.pk]), {**UNIT_FORM, **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Acme Workers United" in response.content.decode()


@pytest.mark.parametrize("role", ORGANIZERS)
def test_organizers_edit_a_unit_and_are_warned_about_a_text_change(as_user, unit, role):
    sign_card(unit)
    client = as_user(role)
    response = client.post(reverse("cards:edit", args=[unit.pk]), {**UNIT_FORM, "name": unit.name}, follow=True)
    assert response.status_code == 200
    assert "card text changed" in response.content.decode()
    unit.refresh_from_db()
    assert unit.size == 11


@pytest.mark.parametrize("role", STRANGERS)
def test_strangers_cannot_edit_a_unit(as_user, unit, role):
    as_user(role).post(reverse("cards:edit", args=[unit.pk]), {**UNIT_FORM, "name": "Hijacked"})
    unit.refresh_from_db()
    assert unit.name == "Acme support agents"


def test_a_drive_cannot_open_without_a_key(as_user, unit):
    unit.status = BargainingUnit.Status.DRAFT
    unit.save()
    unit.campaign.public_key = ""
    unit.campaign.save()
    response = as_user("owner").post(reverse("cards:status", args=[unit.pk]), {"status": "open"}, follow=True)
    assert "Add the committee public key" in response.content.decode()
    unit.refresh_from_db()
    assert unit.status == BargainingUnit.Status.DRAFT


def state(private_key, person):
    """The person as the committee's device sees them: record plus log (cards.roster)."""
    from concerted.cards.models import NOTE_KIND, ROSTER_KIND
    from concerted.cards.roster import current
    from concerted.core.sealing import open_sealed

    record = open_sealed(private_key, person.sealed, kind=ROSTER_KIND, ids=person.envelope_ids())
    log = [open_sealed(private_key, n.sealed, kind=NOTE_KIND, ids=n.envelope_ids()) for n in person.notes.all()]
    return current(record, log)


@pytest.mark.parametrize("role", ORGANIZERS)
def test_organizers_add_people_to_the_roster(as_user, unit, role, private_key):
    response = as_user(role).post(
        reverse("cards:roster", args=[unit.pk]),
        {"name": "Katherine Johnson", "contact": "+1 555 010 0199", "department": "support ", "assessment": "3"},
    )
    assert response.status_code == 302
    person = RosterPerson.objects.get()
    seen = state(private_key, person)
    assert seen["name"] == "Katherine Johnson"
    assert seen["department"] == "Support"  # spelled like the campaign's segment
    assert seen["assessment"] == 3
    assert seen["assessed_on"] == datetime.date.today().isoformat()


@pytest.mark.parametrize("role", STRANGERS)
def test_strangers_cannot_add_to_the_roster(as_user, unit, role):
    as_user(role).post(reverse("cards:roster", args=[unit.pk]), {"name": "Spy"})
    assert not RosterPerson.objects.exists()


def test_the_roster_refuses_an_employer_address(as_user, unit):
    response = as_user("owner").post(
        reverse("cards:roster", args=[unit.pk]), {"name": "Kay", "contact": "kay@acme.com"}
    )
    assert response.status_code == 400
    assert "your employer" in response.content.decode()
    assert not RosterPerson.objects.exists()


@pytest.mark.parametrize("role", ORGANIZERS)
def test_organizers_correct_groups_and_assessment(as_user, unit, person, role, private_key):
    response = as_user(role).post(reverse("cards:person", args=[person.pk]), {"shift": "Night", "assessment": "1"})
    assert response.status_code == 302
    seen = state(private_key, person)
    assert (seen["shift"], seen["assessment"], seen["name"]) == ("Night", 1, "Grace Hopper")
    # A blank field leaves what is recorded.
    as_user(role).post(reverse("cards:person", args=[person.pk]), {"site": "Lisbon"})
    seen = state(private_key, person)
    assert (seen["shift"], seen["site"], seen["assessment"]) == ("Night", "Lisbon", 1)


@pytest.mark.parametrize("role", STRANGERS)
def test_strangers_cannot_change_an_assessment(as_user, person, role, private_key):
    as_user(role).post(reverse("cards:person", args=[person.pk]), {"assessment": "5"})
    assert not OneOnOne.objects.exists()
    assert state(private_key, person)["assessment"] == 2


def test_a_bad_correction_is_explained(as_user, person):
    response = as_user("owner").post(reverse("cards:person", args=[person.pk]), {"department": "x" * 101})
    assert response.status_code == 400
    assert "at most 100 characters" in response.content.decode()
    assert "x" * 101 in response.content.decode()  # what was typed is kept
    assert not OneOnOne.objects.exists()


def test_a_one_on_one_updates_the_assessment(as_user, person, private_key):
    # Dated the day the person was added: the later-recorded conversation wins.
    day = today().isoformat()
    response = as_user("teammate").post(
        reverse("cards:person_note", args=[person.pk]),
        {"day": day, "who": "Rosa", "note": "Ready to sign.", "next_step": "Send link", "assessment": "1"},
    )
    assert response.status_code == 302
    assert OneOnOne.objects.count() == 1
    seen = state(private_key, person)
    assert (seen["assessment"], seen["assessed_on"]) == (1, day)
    assert seen["last_one_on_one"] == f"{day} (Rosa): Ready to sign."
    assert seen["next_step"] == "Send link"


@pytest.mark.parametrize(
    ("fields", "message"),
    [({"note": ""}, "required"), ({"day": "2999-01-01"}, "in the future"), ({"day": "yesterday"}, "valid date")],
)
def test_bad_notes_are_explained(as_user, person, fields, message):
    data = {"day": "2026-01-05", "who": "Rosa", "note": "Fine.", **fields}
    response = as_user("owner").post(reverse("cards:person_note", args=[person.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not OneOnOne.objects.exists()


def test_it_takes_a_one_on_one_dated_today_where_the_committee_is(as_user, person, settings, monkeypatch):
    """23:30 UTC is already the next day in Berlin: a note dated that day is today's, not
    the future, and the form offers that day."""
    settings.TIME_ZONE = "Europe/Berlin"
    late = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: late)
    client = as_user("owner")
    assert 'value="2026-03-03"' in client.get(reverse("cards:person", args=[person.pk])).content.decode()
    data = {"day": "2026-03-03", "who": "Rosa", "note": "Spoke after the night shift."}
    response = client.post(reverse("cards:person_note", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert OneOnOne.objects.count() == 1
    data["day"] = "2026-03-04"
    assert client.post(reverse("cards:person_note", args=[person.pk]), data).status_code == 400


@pytest.mark.parametrize(("name", "which"), [("cards:wall_chart", "unit"), ("cards:person", "person")])
def test_the_roster_pages_may_load_libsodium_and_nothing_inline(as_user, unit, person, name, which):
    response = as_user("owner").get(url(name, which, unit, person))
    csp = response["Content-Security-Policy"]
    assert "'wasm-unsafe-eval'" in csp
    assert "'unsafe-inline'" not in csp
    page = response.content.decode()
    assert "cards/roster.js" in page
    assert '<script id="roster-labels" type="application/json">' in page


def test_an_export_narrows_to_one_person(as_user, unit, person):
    from concerted.cards import signing

    other = signing.add_person(unit, {"name": "Someone Else", "contact": ""})
    signing.add_note(other, {"day": datetime.date(2026, 1, 5), "who": "Rosa", "note": "Hi."})
    client = as_user("owner")
    roster = client.get(reverse("cards:export_roster", args=[unit.pk]), {"person": str(person.pk)}).json()
    assert [r["id"] for r in roster["records"]] == [str(person.pk)]
    notes = client.get(reverse("cards:export_notes", args=[unit.pk]), {"person": str(person.pk)}).json()
    assert notes["records"] == []
    assert len(client.get(reverse("cards:export_roster", args=[unit.pk]), {"person": "junk"}).json()["records"]) == 2


def test_exports_accept_a_reveal_token_and_refuse_a_bad_one(owner, outsider, unit):
    from django.test import Client

    path = reverse("cards:export_cards", args=[unit.pk])
    _token, secret = ExportToken.issue(owner, "laptop")
    assert Client().get(path, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    _token, other = ExportToken.issue(outsider, "laptop")
    assert Client().get(path, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
    assert Client().get(path, HTTP_AUTHORIZATION="Bearer cxt_nonsense").status_code == 401


def test_the_declaration_is_marked_as_a_template(as_user, unit):
    page = as_user("owner").get(reverse("cards:declaration", args=[unit.pk])).content.decode()
    assert "not legal advice" in page
    assert "TEMPLATE" in page
    assert "Acme Workers United" in page
    text = as_user("owner").get(reverse("cards:declaration", args=[unit.pk]), {"format": "txt"})
    assert text["Content-Type"].startswith("text/plain")
    assert unit.card_text_hash() in text.content.decode()


def test_organizers_paste_a_roster(as_user, unit, private_key):
    client = as_user("teammate")
    path = reverse("cards:roster_import", args=[unit.pk])
    lines = "Ann Lee; ann@example.org; support; Night\nBo Berg\tBo@example.org\tData\n\nCy Dee; ; Data; ; ; Agent II"
    segments = unit.campaign.segments.count()
    response = client.post(path, {"lines": lines})
    assert response.status_code == 302
    people = {s["name"]: s for s in (state(private_key, p) for p in RosterPerson.objects.all())}
    assert len(people) == 3
    assert people["Ann Lee"]["department"] == "Support"  # matched to the segment regardless of case
    assert people["Ann Lee"]["shift"] == "Night"
    assert people["Bo Berg"]["contact"] == "Bo@example.org"
    assert people["Cy Dee"]["classification"] == "Agent II"
    assert people["Cy Dee"]["assessment"] is None
    assert unit.campaign.segments.count() == segments  # a roster's groups create nothing in the clear


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("Ann Lee; ann@acme.com", "Line 1: That is an address at acme.com"),
        ("Ann Lee\n; x@example.org", "Line 2 has no name."),
        ("a;b;c;d;e;f;g", "more than 6 columns"),
        ("Ann Lee; ; " + "x" * 101, "Line 1: a group name is longer than 100 characters"),
        ("   \n  ", "required"),
    ],
)
def test_a_bad_roster_paste_is_explained(as_user, unit, lines, message):
    response = as_user("owner").post(reverse("cards:roster_import", args=[unit.pk]), {"lines": lines})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not RosterPerson.objects.exists()


def test_the_campaign_page_lists_the_drive_and_offers_to_start_one(as_user, unit):
    sign_card(unit)
    page = as_user("teammate").get(reverse("campaigns:detail", args=[unit.campaign_id])).content.decode()
    assert "Card drive" in page
    assert reverse("cards:dashboard", args=[unit.pk]) in page
    assert "Start a union card drive" in page
    assert reverse("cards:new", args=[unit.campaign_id]) in page


@pytest.mark.parametrize("jurisdiction", ["us", ""])
def test_legal_wording_follows_the_campaigns_jurisdiction(client, as_user, unit, jurisdiction):
    unit.campaign.jurisdiction = jurisdiction
    unit.campaign.save()
    from django.urls import reverse

    dashboard = as_user("owner").get(reverse("cards:dashboard", args=[unit.pk])).content.decode()
    sign = client.get(reverse("cards:sign", args=[unit.slug])).content.decode()
    if jurisdiction == "us":
        assert "petition the NLRB" in dashboard and "Cemex" in dashboard
        assert "National Labor Relations Act" in sign
    else:
        assert "NLRB" not in dashboard and "NLRB" not in sign
        assert "protected by" not in sign
        assert "depends on your country" in dashboard


def test_the_edit_page_shows_the_card_translations_in_the_page_not_in_its_title(as_user, unit):
    html = as_user("owner").get(reverse("cards:edit", args=[unit.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "<" not in title and "translations-panel" not in title
    body = html.split("</head>", 1)[1]
    assert 'class="translations-panel"' in body
