"""A stop covers the whole campaign, as the stop page says: a contact stopped in one
audience gets nothing from a message to another audience of the same campaign. The
server can't match contacts (they are sealed): it sends the records that stopped
elsewhere, sealed, and the sending machine opens them and drops every contact that
stopped anywhere in the campaign."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError
from django.test import Client

from concerted.cards import signing as card_signing
from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit, Card
from concerted.core import keys
from concerted.core.sealing import open_sealed
from concerted.messaging.models import Message
from concerted.petitions.models import Petition

from .conftest import read_json, smtp_args
from .test_roster import add
from .test_send import run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def unit(campaign) -> BargainingUnit:
    return BargainingUnit.objects.create(
        campaign=campaign, name="Support agents", employer="Acme", union="U", size=40, card_text=DEFAULT_CARD_TEXT
    )


def sign_card(unit: BargainingUnit, name: str, email: str, phone: str, agreed: bool = True) -> Card:
    cleaned = {
        "full_name": name, "employer": "Acme", "job_classification": "Agent", "phone": phone, "email": email,
        "signature": name, "consent": True, "may_message": agreed,
    }  # fmt: skip
    return card_signing.sign_card(unit, cleaned).card


def stop_token(record: Any, key_file: Path) -> str:
    private = keys.read_private_file(key_file)
    return open_sealed(private, bytes(record.sealed), kind=record.KIND, ids=record.envelope_ids())["stop"]


def stop(record: Any, key_file: Path) -> None:
    """The participant presses the button behind the stop link of a message they got."""
    response = Client().post(f"/stop/{stop_token(record, key_file)}/")
    assert (
        response.status_code == 200 and "will not write to you about this campaign again" in response.content.decode()
    )


def roster_message(unit: BargainingUnit) -> Message:
    return Message.objects.create(
        campaign=unit.campaign, audience="cards.roster", audience_parent=str(unit.pk), subject="Meeting", body="Come."
    )


def test_a_stop_in_the_card_signers_audience_holds_for_a_roster_message(
    as_user, unit, download, key_file, smtp, tmp_path
):
    """Emma signed a card with "may write to me" and is on the roster with recorded
    consent; she stopped from a card signers' message: the roster message skips her."""
    organizer = as_user("owner")
    emma_card = sign_card(unit, "Emma", "emma@example.net", "+49 151 1111 2222")
    sign_card(unit, "Finn", "finn@example.net", "+49 151 3333 4444")
    add(organizer, unit, "Emma Roster", "Emma@Example.net", agreed=True)
    add(organizer, unit, "Ana", "ana@example.net", agreed=True)
    stop(emma_card, key_file)

    path = download(roster_message(unit))
    downloaded = path.read_text()
    # The stop came along sealed: no contact and no hash of one in the clear.
    assert "example.net" not in downloaded and "emma" not in downloaded.lower()
    assert len(read_json(path)["stopped_elsewhere"]) == 1
    assert len(read_json(path)["stopped_elsewhere"][0]["export"]["records"]) == 1  # Emma's card; Finn didn't stop

    journal = str(tmp_path / "j")
    out, _err = run("--file", str(path), "--key", str(key_file), "--show", "10", "--journal", journal)
    assert "emma" not in out.lower() and "To: ana@example.net" in out
    assert "Dry run: would send 1 message," in out
    assert "Skipped 1 record of people who stopped messages in another audience of this campaign." in out
    run("--file", str(path), "--key", str(key_file), "--send", "--journal", journal, *smtp_args(smtp))
    assert smtp.to() == ["ana@example.net"]


def test_a_stop_on_the_roster_holds_for_a_card_signers_message(as_user, unit, download, key_file, smtp, tmp_path):
    from .test_roster import person

    organizer = as_user("owner")
    add(organizer, unit, "Emma", "emma@example.net", agreed=True)
    stop(person("Emma", key_file), key_file)
    sign_card(unit, "Emma", "EMMA@example.net", "+49 151 1111 2222")
    sign_card(unit, "Finn", "finn@example.net", "+49 151 3333 4444")
    message = Message.objects.create(
        campaign=unit.campaign, audience="cards.signers", audience_parent=str(unit.pk), subject="S", body="B"
    )
    path = download(message)
    assert read_json(path)["stopped_elsewhere"][0]["audience_name"] == "cards.roster"
    run("--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"), *smtp_args(smtp))
    assert smtp.to() == ["finn@example.net"]


def test_a_stop_on_the_phone_number_of_a_card_holds_for_the_same_phone_elsewhere(
    as_user, unit, download, key_file, tmp_path
):
    organizer = as_user("owner")
    stop(sign_card(unit, "Gus", "", "+49 151 5555 6666"), key_file)
    add(organizer, unit, "Gus", "+49 151 5555 6666", agreed=True)
    add(organizer, unit, "Hal", "+49 151 7777 8888", agreed=True)
    out_dir = tmp_path / "phones"
    run(
        "--file", str(download(roster_message(unit))), "--key", str(key_file), "--phones-out", str(out_dir),
        "--journal", str(tmp_path / "j"),
    )  # fmt: skip
    phones = (out_dir / f"phones-{Message.objects.get().pk}.csv").read_text()
    assert "7777 8888" in phones and "5555 6666" not in phones


def test_a_stop_on_one_petition_holds_for_another_petition_of_the_campaign(
    petition, sign, message, download, key_file, smtp, tmp_path
):
    from concerted.petitions import signing

    second = Petition.objects.create(
        campaign=petition.campaign, title="Publish the AI policy", body="Publish it.", addressee="Acme management",
        goal_count=10, status=Petition.Status.OPEN,
    )  # fmt: skip
    dee = signing.sign(second, {"name": "Dee", "contact": "dee@example.net", "may_message": True}).signature
    signing.sign(second, {"name": "Eli", "contact": "eli@example.net", "may_message": True})
    stop(dee, key_file)
    sign("dee@example.net")  # the same person on the first petition: their stop was on the second
    sign("ana@example.net")
    run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        *smtp_args(smtp),
    )  # fmt: skip
    assert smtp.to() == ["ana@example.net"]


def test_a_stop_that_cant_be_read_stops_the_send(as_user, unit, download, key_file, smtp, tmp_path):
    """A stop the sending machine can't open can't be honoured: nothing goes out."""
    organizer = as_user("owner")
    stop(sign_card(unit, "Emma", "emma@example.net", "+49 151 1111 2222"), key_file)
    stop(sign_card(unit, "Finn", "finn@example.net", "+49 151 3333 4444"), key_file)
    stop(sign_card(unit, "Gus", "gus@example.net", "+49 151 5555 6666"), key_file)
    add(organizer, unit, "Emma", "emma@example.net", agreed=True)
    add(organizer, unit, "Ana", "ana@example.net", agreed=True)
    path = download(roster_message(unit))
    data = read_json(path)
    # Each stop's sealed data moved to the other's row: the envelopes' ids don't match.
    first, second, _third = data["stopped_elsewhere"][0]["export"]["records"]
    first["sealed"], second["sealed"] = second["sealed"], first["sealed"]
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match="2 stops made in the campaign's other audiences can't be read"):
        run("--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"), *smtp_args(smtp))
    assert smtp.received == []
    # Not one of them opens (another committee's key, say): the same refusal.
    for record in data["stopped_elsewhere"][0]["export"]["records"]:
        record["sealed"] = data["export"]["records"][0]["sealed"]
    path.write_text(json.dumps(data))
    with pytest.raises(
        CommandError, match=r"Can't open the stops made in the campaign's other audiences.*Nothing was sent"
    ):
        run("--file", str(path), "--key", str(key_file), "--journal", str(tmp_path / "j"))


def test_a_download_without_the_campaigns_stops_says_so(as_user, unit, download, key_file, tmp_path):
    add(as_user("owner"), unit, "Ana", "ana@example.net", agreed=True)
    path = download(roster_message(unit))
    data = read_json(path)
    del data["stopped_elsewhere"]  # a download from an older server
    path.write_text(json.dumps(data))
    _out, err = run("--file", str(path), "--key", str(key_file), "--journal", str(tmp_path / "j"))
    assert "only stops made in this audience are applied" in err
