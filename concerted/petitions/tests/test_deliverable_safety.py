"""The deliverable PDF goes to management (DESIGN: "what organizers share ... may reach
management"). Safety in numbers (invariant 5): it names signers only once at least
MIN_NAMED (the rule of 5, core/kanon.py) agreed to be named, sorts names by the name
alone, and prints no signing day: the only date on it is the delivery date. Below the
threshold the organizer is told why no names were printed; the count stays."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from concerted.core import kanon, keys
from concerted.core.reveal import MIN_NAMED, Revealed, deliverable_names
from concerted.petitions.deliverable import petition_pdf
from concerted.petitions.signing import sign

DELIVERY = datetime.date(2027, 1, 15)
# Arrival order (and day) is deliberately not alphabetical.
SIGNERS = [
    ("Hal Kim", "2026-03-01"),
    ("Ada Ruiz", "2026-03-02"),
    ("Zed Obi", "2026-03-03"),
    ("Bea Novak", "2026-03-04"),
    ("émile Durand", "2026-03-05"),
    ("Cy Park", "2026-03-06"),
    ("Dot Quinn", "2026-03-07"),
    ("Eve Stone", "2026-03-08"),
]

# The first five, as the deliverable lists them: by name, accents set aside.
ALPHABETICAL = ["Ada Ruiz", "Bea Novak", "émile Durand", "Hal Kim", "Zed Obi"]


def export() -> dict:
    return {
        "kind": "petitions.signature",
        "parent": {"id": "p", "title": "End keystroke tracking", "addressee": "Acme management", "body": "Stop it."},
        "campaign": {"id": "c", "committee": "Acme workers committee"},
    }


def rows(named: int) -> list[dict]:
    """Eight signers in arrival order; the first `named` of them agreed to be named."""
    return [
        {"id": f"r{i}", "name": name, "day": day, "consent_named": i < named, "contact": "", "comment": ""}
        for i, (name, day) in enumerate(SIGNERS)
    ]


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_threshold_is_the_projects_small_cell_threshold():
    assert MIN_NAMED == kanon.MIN_COUNT == 5


@pytest.mark.parametrize("named", [1, 4])
def test_below_five_named_it_prints_no_names_and_tells_the_organizer_why(named, capsys):
    text = text_of(petition_pdf(Revealed(export=export(), rows=rows(named)), today=DELIVERY))
    for name, _day in SIGNERS:
        assert name not in text
    assert "Signed by 8 coworkers." in text  # everyone is still counted
    assert "more coworkers" not in text  # nothing that tells management how many agreed
    err = capsys.readouterr().err
    assert f"Only {named} signer{'s' if named > 1 else ''} agreed to be named" in err
    assert "names are printed once at least 5 have, so nobody stands alone" in err


def test_with_five_named_it_prints_all_five_sorted_and_no_days(capsys):
    text = text_of(petition_pdf(Revealed(export=export(), rows=rows(5)), today=DELIVERY))
    positions = [text.index(name) for name in ALPHABETICAL]
    assert positions == sorted(positions)  # alphabetical, not arrival order
    for name, _day in SIGNERS[5:]:
        assert name not in text
    assert "Signed by 8 coworkers." in text
    assert "…and 3 more coworkers who signed without being named." in text
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("named", [1, 4, 5, 8])
def test_no_signers_day_is_on_the_pdf_only_the_delivery_date(named):
    text = text_of(petition_pdf(Revealed(export=export(), rows=rows(named)), today=DELIVERY))
    assert "15 January 2027" in text
    # Every signer signed in March 2026: no sign of that year, month or any day of it.
    assert "2026" not in text and "March" not in text
    for _name, day in SIGNERS:
        assert day not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_arrival_order_leaves_no_trace_on_the_page():
    forward = text_of(petition_pdf(Revealed(export=export(), rows=rows(8)), today=DELIVERY))
    backward = text_of(petition_pdf(Revealed(export=export(), rows=rows(8)[::-1]), today=DELIVERY))
    assert forward == backward


def test_only_an_explicit_consent_counts():
    forged = [
        *rows(4),
        {"id": "x", "name": "Forged Yes", "consent_named": "yes"},  # a forged export's truthy string
        {"id": "y", "name": " ", "consent_named": True},  # no name to print
    ]
    found = deliverable_names(forged)
    assert found.consented == 4 and found.names == [] and found.withheld
    assert deliverable_names(rows(0)).withheld is False  # nobody asked: nothing to explain
    assert deliverable_names(rows(5)).names == ALPHABETICAL


# Through `concerted reveal`, as the organizer runs it.


def reveal(tmp_path, petition, owner, private_key) -> str:
    key = tmp_path / "committee.key"
    key.write_text(keys.format_private(private_key))
    client = Client()
    client.force_login(owner)
    path = tmp_path / "export.json"
    path.write_bytes(client.get(reverse("petitions:export", args=[petition.pk])).content)
    out = tmp_path / "out"
    call_command("reveal", key=str(key), file=str(path), out=str(out), stdout=io.StringIO())
    return text_of((out / f"petitions-{petition.slug}.pdf").read_bytes())


@pytest.mark.django_db
@pytest.mark.parametrize("named", [1, 4])
def test_reveal_writes_no_names_below_five_and_says_so(tmp_path, petition, owner, private_key, capsys, named):
    for i, (name, _day) in enumerate(SIGNERS):
        sign(petition, {"name": name, "contact": f"s{i}@example.org", "consent_named": i < named})
    text = reveal(tmp_path, petition, owner, private_key)
    assert "Signed by 8 coworkers." in text
    for name, _day in SIGNERS:
        assert name not in text
    assert datetime.date.today().isoformat() not in text
    assert "names are printed once at least 5 have" in capsys.readouterr().err


@pytest.mark.django_db
def test_reveal_writes_five_names_sorted_without_their_day(tmp_path, petition, owner, private_key, capsys):
    for i, (name, _day) in enumerate(SIGNERS):
        sign(petition, {"name": name, "contact": f"s{i}@example.org", "consent_named": i < 5})
    # A repeat of a named signer (same contact) is one person: still five, not six.
    sign(petition, {"name": "Hal Kim", "contact": "S0@example.org", "consent_named": True})
    text = reveal(tmp_path, petition, owner, private_key)
    positions = [text.index(name) for name in ALPHABETICAL]
    assert positions == sorted(positions)
    assert text.count("Hal Kim") == 1
    assert "Signed by 8 coworkers." in text
    assert datetime.date.today().isoformat() not in text
    assert "agreed to be named" not in capsys.readouterr().err


@pytest.mark.django_db
def test_the_browser_list_uses_the_same_threshold(petition, owner):
    client = Client()
    client.force_login(owner)
    page = client.get(reverse("petitions:signers", args=[petition.pk])).content.decode()
    assert f'data-min-named="{MIN_NAMED}"' in page
    assert 'id="named-note"' in page
