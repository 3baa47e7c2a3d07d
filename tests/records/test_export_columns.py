"""The sealed export holds nothing per record in the clear but the record's id (DESIGN
invariant 4; core/export.py), for EVERY registered kind and every way a server hands
its records out: each export path `concerted reveal` knows (core/reveal.py:
EXPORT_PATHS) and each message audience's download for `concerted send`. The columns
are in one sealed box for the whole export, each record's padded to one length.

Any organizer, the read-only role included, downloads these files, and they get
forwarded. A day and a group (or a card's text hash, a report's type, a "stopped" flag)
per record in the clear would be microdata: the small day x group cells the audited
group tables hide, and, downloaded again and again, each new record's group as it
arrives. The committee key gives every column back."""

from __future__ import annotations

import base64
import dataclasses
import json
import secrets
import string
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from nacl.public import PrivateKey

from concerted.core import audiences, export, records, reveal, sealing
from concerted.core.sealing import RevealError
from concerted.core.testing import export_columns, reseal_columns

from .factories import FACTORIES, Made

pytestmark = pytest.mark.django_db

LABELS = [m._meta.label for m in records.kinds()]
ALLOWED = {"id", "sealed"}


def canary() -> str:
    return "Quorv" + "".join(secrets.choice(string.ascii_lowercase) for _ in range(10))


@pytest.fixture(params=LABELS)
def kind(request: pytest.FixtureRequest) -> type[records.ParticipantRecord]:
    return apps.get_model(request.param)


# --- enough records under one parent for its export to open ----------------------------------


def _more_pledges(made: Made) -> None:
    from concerted.pledges import pledging

    for _ in range(made.parent.threshold_count):  # the export opens once the threshold is reached
        pledging.pledge(made.parent, {"name": canary(), "contact": f"{canary()}@example.net"})


def _more_free_text(made: Made) -> None:
    from concerted.surveys import answering

    question = made.parent.ordered_questions()[-1]
    for _ in range(made.parent.min_free_text + 10):  # free text opens from 10 respondents
        answering.submit(made.parent, {}, {question.pk: canary()})


def _more_reports(made: Made) -> None:
    from concerted.bargaining import filing

    for _ in range(10):  # free text opens from 10 reports (both types count)
        filing.file_pressure(made.parent, {"pressure": 2}, {"details": canary()})


def _a_note(made: Made) -> None:
    import datetime

    from concerted.cards import signing

    signing.add_note(made.record, {"day": datetime.date.today(), "who": "Ana", "note": canary()})


# Kinds whose export stays closed (or empty) with the one record a factory makes.
MORE: dict[str, Callable[[Made], None]] = {
    "pledges.Commitment": _more_pledges,
    "surveys.FreeText": _more_free_text,
    "bargaining.SurveillanceReport": _more_reports,
    "bargaining.PressureReport": _more_reports,
    "cards.RosterPerson": _a_note,  # so the roster's log (notes) export has a record too
}


def make(kind: type[records.ParticipantRecord], campaign: Any, segment: Any) -> Made:
    made = FACTORIES[kind._meta.label](campaign, canary())
    MORE.get(kind._meta.label, lambda _made: None)(made)
    mine = kind.objects.filter(**{kind.PARENT: made.parent})
    if any(f.name == "segment" and f.is_relation for f in kind._meta.get_fields()):
        mine.update(segment=segment)
    if any(f.name == "stop_hash" for f in kind._meta.get_fields()):
        # Everyone agreed to messages: the audience downloads hold them all.
        for pk in mine.values_list("pk", flat=True):
            kind.objects.filter(pk=pk).update(may_message=True, stop_hash=secrets.token_hex(32))
    return made


# --- every download that holds records ---------------------------------------------------------


def downloads(client: Client, campaign: Any, made: Made, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """(where, body) of every sealed download about the record's parent that answers."""
    from concerted.messaging.models import Message

    found = []
    for option, template in sorted(reveal.EXPORT_PATHS.items()):
        response = client.get(template.format(id=made.parent.pk))
        if response.status_code == 200:
            found.append((f"--{option}", response.content))
    for audience in audiences.all_audiences():
        if audience.parent(campaign, str(made.parent.pk)) is None:
            continue
        # Whether the audience may be written to now is not what is checked here.
        monkeypatch.setitem(audiences._audiences, audience.name, dataclasses.replace(audience, refuse=lambda _p: ""))
        message = Message.objects.create(
            campaign=campaign, audience=audience.name, audience_parent=str(made.parent.pk), subject="S", body="B"
        )
        response = client.get(reverse("messaging:send_json", args=[message.pk]))
        assert response.status_code == 200, (audience.name, response.content[:300])
        found.append((audience.name, response.content))
    return found


def sealed_exports(where: str, body: bytes) -> list[tuple[str, dict[str, Any]]]:
    data = json.loads(body)
    if "export" in data:  # a message download: its export and the companions it carries
        return [(where, data["export"])] + [(f"{where} companion", c) for c in data.get("companions", [])]
    return [(where, data)]


def test_every_export_holds_only_ids_and_sealed_columns_and_reveal_gives_them_back(
    kind, campaign, private_key: PrivateKey, make_user, monkeypatch
) -> None:
    from concerted.campaigns.models import Role, Segment

    if not kind.is_sealed():
        return  # nothing to export: counted in the clear (a survey's packed answers, a ranking)
    segment = Segment.objects.create(campaign=campaign, kind="team", label="Night " + canary())
    made = make(kind, campaign, segment)
    reader = make_user("reader")  # the read-only role downloads every export too
    campaign.organizers.add(reader, through_defaults={"role": Role.READ_ONLY})
    client = Client()
    client.force_login(reader)

    found = downloads(client, campaign, made, monkeypatch)
    ours = {str(r.pk): r for r in kind.objects.filter(**{kind.PARENT: made.parent})}
    checked = set()
    for where, body in found:
        assert segment.label not in body.decode(), f"{where}: a group's name in the clear"
        for name, data in sealed_exports(where, body):
            assert data["format"] == export.FORMAT
            for record in data["records"]:
                assert set(record) <= ALLOWED, f"{name}: {sorted(set(record) - ALLOWED)} in the clear"
                if data["kind"] == kind.KIND and record["id"] in ours:
                    # The columns are in the export's sealed columns box, not only somewhere
                    # in the opened row (a signature's sealed data repeats its day).
                    kept = {k: v for k, v in ours[record["id"]].export_row().items() if k not in ("id", "sealed")}
                    if kept:
                        columns = export_columns(data, private_key, record)
                        assert {k: columns.get(k) for k in kept} == kept, name
            opened = reveal.open_export(data, private_key)
            assert not opened.failures, (name, opened.failures)
            if data["kind"] != kind.KIND:
                continue
            for row in opened.rows:
                if row["id"] not in ours:
                    continue
                # Every column the server keeps comes back with the key: the day, the
                # group, and whatever else the kind exports (text hash, type, ...).
                expected = {k: v for k, v in ours[row["id"]].export_row().items() if k != "sealed"}
                assert {k: row.get(k) for k in expected} == expected, name
                if "day" in expected:
                    assert row["day"] == ours[row["id"]].day.isoformat()
                if "segment" in expected:
                    assert row["segment"] == segment.label
                checked.add(row["id"])
    assert found, f"{kind._meta.label}: no export path or audience serves its records"
    assert checked == set(ours), f"{kind._meta.label}: records no download held: {set(ours) - checked}"


def _built(campaign: Any, labels: list[str]) -> dict[str, Any]:
    rows = [
        {
            "id": f"{9 - i:032x}",
            "sealed": b"x",
            "day": "2026-05-0" + str(i % 9 + 1),
            "segment": label,
            "stopped": i % 2 == 0,
        }
        for i, label in enumerate(labels)
    ]
    return export.build(
        kind="petitions.signature", campaign=campaign, parent_field="petition", parent={"id": "p"}, records=rows
    )


def test_an_exports_columns_all_have_one_length(campaign, private_key: PrivateKey) -> None:
    """A group's name must not show in the columns' length either: every record's columns
    in the one box are padded to one length, set by the campaign's longest group name,
    not by which records exist, so the box's length says no more than the record count."""
    from concerted.campaigns.models import Segment

    longest = "Zürich Nord " + "ß" * 80
    Segment.objects.create(campaign=campaign, kind="site", label=longest)
    built = _built(campaign, ["", "Data", longest, "Support"])
    assert [set(r) for r in built["records"]] == [{"id", "sealed"}] * 4
    ids = export.export_ids(built)
    opened = sealing.open_sealed(
        private_key, base64.b64decode(built[export.COLUMNS]), kind="petitions.signature/columns", ids=ids
    )
    assert set(opened[export.RECORDS]) == {r["id"] for r in built["records"]}
    sizes = {
        len(json.dumps(c, ensure_ascii=False, separators=(",", ":")).encode()) for c in opened[export.RECORDS].values()
    }
    assert len(sizes) == 1
    # The same number of records in other groups (none, or all in the longest): one length.
    for labels in (["", "", "", ""], [longest] * 4, ["Data"] * 4):
        assert len(_built(campaign, labels)[export.COLUMNS]) == len(built[export.COLUMNS]), labels
    # In id order, not in the order the records came (a day order would date them).
    assert [r["id"] for r in built["records"]] == sorted(r["id"] for r in built["records"])
    assert [r["id"] for r in built["records"]] != [f"{9 - i:032x}" for i in range(4)]


def test_the_columns_box_opens_only_in_its_own_export(campaign, private_key: PrivateKey) -> None:
    """The one box names the export's campaign and parent: moved to another export it
    opens for no record; sealed as another kind, it refuses the export."""

    def signed(parent: str) -> dict[str, Any]:
        ids = {"campaign": str(campaign.pk), "petition": parent, "row": "r1"}
        blob = sealing.seal(private_key.public_key, kind="petitions.signature", ids=ids, data={"name": "Ada"})
        rows = [{"id": "r1", "sealed": blob, "day": "2026-05-01", "segment": "Data"}]
        return export.build(
            kind="petitions.signature", campaign=campaign, parent_field="petition", parent={"id": parent}, records=rows
        )

    mine, theirs = signed("p"), signed("q")
    (row,) = reveal.open_export(mine, private_key).rows
    assert row == {"id": "r1", "day": "2026-05-01", "segment": "Data", "name": "Ada"}
    moved = {**mine, export.COLUMNS: theirs[export.COLUMNS]}
    with pytest.raises(RevealError, match="none of the records could be opened"):
        reveal.open_export(moved, private_key)
    reseal_columns(mine, private_key, mine["records"][0], {"day": "2026-05-01"}, kind="pledges.commitment")
    with pytest.raises(RevealError, match=r"refused: this export says it holds 'petitions\.signature' records"):
        reveal.open_export(mine, private_key)


def test_format_2_and_1_exports_still_open(campaign, private_key: PrivateKey) -> None:
    """Exports downloaded before the columns went into one box open as they did: format
    2 with a box per record (naming the record's row), format 1 with clear columns."""
    head = {
        "kind": "petitions.signature",
        "campaign": {"id": str(campaign.pk)},
        "parent_field": "petition",
        "parent": {"id": "p"},
    }

    def seal(kind: str, row: str, data: dict[str, Any]) -> str:
        ids = {"campaign": str(campaign.pk), "petition": "p", "row": row}
        return base64.b64encode(sealing.seal(private_key.public_key, kind=kind, ids=ids, data=data)).decode()

    columns = {"day": "2026-05-01", "segment": "Data"}
    first = {
        "id": "r1",
        "sealed": seal("petitions.signature", "r1", {"name": "Ada"}),
        "columns": seal("petitions.signature/columns", "r1", export.padded(columns, 300)),
    }
    # Format 2's boxes name the record's row: another record's columns don't open.
    moved = {**first, "id": "r2", "sealed": seal("petitions.signature", "r2", {"name": "Bo"})}
    two = {**head, "format": export.FORMAT_RECORD_COLUMNS, "records": [first, moved]}
    one = {
        **head,
        "format": export.FORMAT_CLEAR_COLUMNS,
        "records": [{"id": "r1", **columns, "sealed": first["sealed"]}],
    }
    for old in (two, one):
        opened = reveal.open_export(old, private_key)
        assert opened.rows == [{"id": "r1", "day": "2026-05-01", "segment": "Data", "name": "Ada"}], old["format"]
    assert [rid for rid, _reason in reveal.open_export(two, private_key).failures] == ["r2"]
