"""The roster as an audience: its people never ticked a box, so only an organizer who
heard them agree records it (when adding them, or later on their page); the stop token
is sealed like the forms' and the stop link works; a selection on sealed fields
(`--where assessment=1,2`) is made on the sending machine, on each person's current
record (their log applied), and the server never sees it."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.cards.models import DEFAULT_CARD_TEXT, NOTE_KIND, BargainingUnit, OneOnOne, RosterPerson
from concerted.core import keys
from concerted.core.days import today
from concerted.core.sealing import open_sealed
from concerted.messaging.models import Message

from .conftest import read_json, smtp_args
from .test_send import run, stop_link

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unit(campaign) -> BargainingUnit:
    return BargainingUnit.objects.create(
        campaign=campaign, name="Support agents", employer="Acme", union="U", size=40, card_text=DEFAULT_CARD_TEXT
    )


def add(organizer: Client, unit: BargainingUnit, name: str, contact: str, assessment: str = "", agreed: bool = False):
    data = {"name": name, "contact": contact, "assessment": assessment, **({"may_message": "on"} if agreed else {})}
    response = organizer.post(reverse("cards:roster", args=[unit.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]


def person(name: str, key_file) -> RosterPerson:
    private = keys.read_private_file(key_file)
    for p in RosterPerson.objects.all():
        if open_sealed(private, bytes(p.sealed), kind=p.KIND, ids=p.envelope_ids())["name"] == name:
            return p
    raise AssertionError(name)


def test_the_roster_form_asks_the_organizer_unticked_and_seals_a_stop_token(as_user, unit, key_file):
    organizer = as_user("owner")
    page = organizer.get(reverse("cards:roster", args=[unit.pk])).content.decode()
    box = re.search(r'<input type="checkbox" name="may_message"[^>]*>', page)
    assert box and "checked" not in box.group(0) and "They told me in person" in page
    add(organizer, unit, "Ana", "ana@example.net", agreed=True)
    add(organizer, unit, "Bo", "bo@example.net")
    add(organizer, unit, "Cy", "", agreed=True)  # nowhere to write: no consent kept
    ana, bo, cy = (person(n, key_file) for n in ("Ana", "Bo", "Cy"))
    assert ana.may_message and ana.stop_hash
    assert not bo.may_message and bo.stop_hash is None and not cy.may_message
    data = open_sealed(keys.read_private_file(key_file), bytes(ana.sealed), kind=ana.KIND, ids=ana.envelope_ids())
    assert data["may_message"] is True and data["stop"] not in ana.stop_hash


def test_consent_recorded_later_is_sealed_in_the_log_and_never_undoes_a_stop(as_user, unit, key_file):
    organizer = as_user("owner")
    add(organizer, unit, "Bo", "bo@example.net")
    bo = person("Bo", key_file)
    url = reverse("cards:person_consent", args=[bo.pk])
    assert organizer.post(url, {}).status_code == 400  # the box must be ticked
    assert organizer.post(url, {"agreed": "on"}).status_code == 400  # and the contact they agreed to
    assert organizer.post(url, {"agreed": "on", "contact": "bo@example.net"}).status_code == 302
    bo.refresh_from_db()
    assert bo.may_message and bo.stop_hash
    entry = OneOnOne.objects.get(person=bo)
    private = keys.read_private_file(key_file)
    logged = open_sealed(private, bytes(entry.sealed), kind=NOTE_KIND, ids=entry.envelope_ids())
    assert logged["event"] == "consent" and logged["may_message"] is True
    # The stop link stops them; a second "consent" from an organizer can't undo it.
    assert Client().post(f"/stop/{logged['stop']}/").status_code == 200
    bo.refresh_from_db()
    assert not bo.may_message
    organizer.post(url, {"agreed": "on", "contact": "bo@example.net"})
    bo.refresh_from_db()
    assert not bo.may_message and OneOnOne.objects.filter(person=bo).count() == 1


def test_person_consent_refuses_the_wrong_method_outsiders_and_anonymous(as_user, unit, key_file):
    add(as_user("owner"), unit, "Bo", "bo@example.net")
    url = reverse("cards:person_consent", args=[person("Bo", key_file).pk])
    assert as_user("owner").get(url).status_code == 405
    assert as_user("outsider").post(url, {"agreed": "on"}).status_code == 404
    response = as_user("anonymous").post(url, {"agreed": "on"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not RosterPerson.objects.filter(may_message=True).exists()


def test_a_roster_message_goes_to_those_who_agreed_selected_on_their_current_assessment(
    as_user, unit, download, key_file, smtp, tmp_path
):
    organizer = as_user("owner")
    add(organizer, unit, "Ana", "ana@example.net", assessment="1", agreed=True)
    add(organizer, unit, "Bo", "bo@example.net", assessment="4", agreed=True)
    add(organizer, unit, "Cy", "cy@example.net", assessment="2")  # never agreed
    add(organizer, unit, "Di", "di@example.net", assessment="5")
    add(organizer, unit, "Eve", "eve@example.net", assessment="3", agreed=True)
    # Fay is on the roster twice; she stopped messages from one entry (a 5, left out by
    # the selection): the other entry, a 1, still gets nothing.
    add(organizer, unit, "Fay", "fay@example.net", assessment="5", agreed=True)
    add(organizer, unit, "Fay again", "Fay@Example.net", assessment="1", agreed=True)
    fay = person("Fay", key_file)
    token = open_sealed(keys.read_private_file(key_file), bytes(fay.sealed), kind=fay.KIND, ids=fay.envelope_ids())
    assert Client().post(f"/stop/{token['stop']}/").status_code == 200
    # Later: Di agrees in person and, after a one-on-one, is a 2; Eve becomes a 5.
    di = person("Di", key_file)
    consent = {"agreed": "on", "contact": "di@example.net"}
    assert organizer.post(reverse("cards:person_consent", args=[di.pk]), consent).status_code == 302
    for who, level in ((di, "2"), (person("Eve", key_file), "5")):
        response = organizer.post(
            reverse("cards:person_note", args=[who.pk]),
            # Today, after the assessment they were added with (an older date wouldn't replace it).
            {"day": today().isoformat(), "who": "Org", "note": "Talked.", "assessment": level},
        )
        assert response.status_code == 302

    # The count: Ana, Bo, Di, Eve and the Fay entry that didn't stop (no day on roster
    # rows: the organizers' own records, counted as they are, under the rule of 5).
    listing = organizer.get(reverse("messaging:list", args=[unit.campaign_id])).content.decode()
    row = re.search(r"The roster: people who agreed in person: Support agents.*?</tr>", listing, re.S).group(0)
    assert 'class="count">5<' in row and "example.net" not in listing
    response = organizer.post(
        reverse("messaging:new", args=[unit.campaign_id]),
        {"audience_choice": f"cards.roster:{unit.pk}", "subject": "Meeting Thursday", "body": "Come."},
    )
    assert response.status_code == 302
    message = Message.objects.get()
    path = download(message)
    # Sealed records and their sealed log; no assessment, no address, no selection.
    downloaded = path.read_text()
    assert "assessment" not in downloaded and "example.net" not in downloaded
    assert len(read_json(path)["companions"][0]["records"]) == 3  # Di's consent, Di's and Eve's one-on-ones

    out, _err = run(
        "--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        "--where", "assessment=1,2", *smtp_args(smtp),
    )  # fmt: skip
    assert sorted(smtp.to()) == ["ana@example.net", "di@example.net"]
    assert "Left out by --where: 2 records." in out  # Bo (4) and Eve (5 now); Fay's stop counts anyway
    _rcpts, mail = smtp.received[0]
    assert "/stop/" in stop_link(mail)

    # Without a selection: everyone who agreed, once (the journal keeps Ana and Di from a second copy).
    run("--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"), *smtp_args(smtp))
    assert sorted(smtp.to()) == ["ana@example.net", "bo@example.net", "di@example.net", "eve@example.net"]


def test_where_is_checked(as_user, unit, download, key_file, tmp_path):
    from django.core.management import CommandError

    add(as_user("owner"), unit, "Ana", "ana@example.net", agreed=True)
    message = Message.objects.create(
        campaign=unit.campaign, audience="cards.roster", audience_parent=str(unit.pk), subject="S", body="B"
    )
    with pytest.raises(CommandError, match="--where takes FIELD=VALUE"):
        run(
            "--file", str(download(message)), "--key", str(key_file), "--where", "assessment",
            "--journal", str(tmp_path / "j"),
        )  # fmt: skip
