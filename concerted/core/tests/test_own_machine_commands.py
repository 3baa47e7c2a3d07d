"""The commands an organizer runs on their own computer (`concerted keys`, `reveal`,
`send`, `codes print`, `wallchart`) leave nothing there but the files they were asked to
write: no secret key, no data or static folder from the server's settings, which would
tell whoever looks at the laptop that it belongs to an organizer."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from concerted.cards import signing as cards
from concerted.cards.models import BargainingUnit
from concerted.cli import OWN_MACHINE_COMMANDS
from concerted.core import keys
from concerted.elections.tests.test_own_machine import concerted, holds
from concerted.invites.models import InviteBatch
from concerted.messaging.models import Message
from concerted.petitions import signing

pytestmark = pytest.mark.django_db


def downloaded(client, laptop: Path, name: str, url: str) -> str:
    """A file the organizer downloaded from the dashboard onto the laptop."""
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    (laptop / name).write_bytes(response.content)
    return name


def test_it_writes_nothing_on_an_organizer_s_laptop_but_what_was_asked(
    as_user, petition, private_key, settings, tmp_path
):
    settings.PUBLIC_BASE_URL = "https://organize.example.org"  # cards for a reachable address
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    concerted(laptop, "keys", "new", "--out", "keys")
    assert holds(laptop) == ["keys", "keys/committee.key", "keys/committee.pub"]
    concerted(laptop, "keys", "show-public", "--key", "keys/committee.key")
    assert holds(laptop) == ["keys", "keys/committee.key", "keys/committee.pub"]

    # The campaign's own key, as the committee keeps it, and what it downloaded.
    (laptop / "committee.key").write_text(keys.format_private(private_key) + "\n")
    client = as_user("owner")
    signing.sign(petition, {"name": "Ana Lima", "contact": "ana@example.net", "may_message": True})
    export = downloaded(client, laptop, "export.json", reverse("petitions:export", args=[petition.pk]))
    petition.requires_invite = True
    petition.save(update_fields=["requires_invite"])
    client.post(
        reverse("flyers:batch_new", args=["petition", petition.pk]), {"count": 1, "label": "Lost", "paper": "a4"}
    )
    batch = InviteBatch.objects.get(label="Lost")
    sealed = downloaded(client, laptop, "batch.json", reverse("flyers:batch_sealed", args=[batch.pk]))
    message = Message.objects.create(
        campaign=petition.campaign,
        audience="petitions.signers",
        audience_parent=str(petition.pk),
        subject="We reached 40%",
        body="Meet at the south entrance.",
    )
    mail = downloaded(client, laptop, "message.json", reverse("messaging:send_json", args=[message.pk]))
    before = holds(laptop)

    assert "Opened 1 record: " in concerted(
        laptop, "reveal", "--key", "committee.key", "--file", export, "--out", "opened"
    )
    csv_name = f"opened/petitions-{petition.slug}.csv"
    assert holds(laptop) == sorted([*before, "opened", csv_name, csv_name.replace(".csv", ".pdf")])
    printed = concerted(
        laptop, "codes", "print", str(batch.pk), "--key", "committee.key", "--file", sealed, "--out", "cards.pdf"
    )
    assert "Printed 1 unused code as a card: cards.pdf" in printed  # its own singular, not "code(s)"
    assert holds(laptop) == sorted([*before, "opened", csv_name, csv_name.replace(".csv", ".pdf"), "cards.pdf"])
    before = holds(laptop)
    # A dry run writes only its journal (asked for here; by default ./concerted-send-ID.journal).
    concerted(laptop, "send", "--key", "committee.key", "--file", mail, "--journal", "send.journal")
    assert holds(laptop) == sorted([*before, "send.journal"])

    unit = BargainingUnit.objects.create(
        campaign=petition.campaign, name="Support agents", employer="Acme", union="Acme Workers", size=10,
        card_text="I authorize Acme Workers to represent me.", status=BargainingUnit.Status.OPEN,
    )  # fmt: skip
    cards.add_person(unit, {"name": "Grace Hopper", "contact": "grace@example.org", "assessment": 2})
    files = [
        arg
        for kind in ("roster", "notes", "cards")
        for arg in (
            f"--{kind}-file",
            downloaded(client, laptop, f"{kind}.json", reverse(f"cards:export_{kind}", args=[unit.pk])),
        )
    ]
    before = holds(laptop)
    concerted(laptop, "wallchart", "--key", "committee.key", *files, "--out", "chart")
    chart = f"chart/wallchart-{unit.slug}"
    assert holds(laptop) == sorted([*before, "chart", f"{chart}.csv", f"{chart}.pdf"])


def test_it_names_every_command_meant_for_the_organizer_s_machine():
    # The server's own commands (migrate, tick, backup, organizer ...) keep their data folder:
    # concerted/elections/tests/test_own_machine.py runs `check` and sees it made.
    assert {"keys", "reveal", "send", "codes", "wallchart"} <= set(OWN_MACHINE_COMMANDS)
    assert not {"migrate", "check", "tick", "backup", "restore", "organizer", "doctor", "demo"} & set(
        OWN_MACHINE_COMMANDS
    )
