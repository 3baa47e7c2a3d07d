"""`concerted reveal` and `concerted wallchart` run on the committee's own computer, which
doesn't have the server's CONCERTED_PAPER: without `--paper` a committee in Lisbon got its
petition for management on Letter. They take `--paper a4|letter`, and every dashboard
that writes one of these commands out names the installation's paper in it."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from concerted.petitions.signing import sign

from .test_paper import A4, LETTER, sizes

pytestmark = pytest.mark.django_db


def test_it_reveals_the_petition_on_the_paper_it_is_told(settings, tmp_path, key_file, petition, as_user):
    for n in range(3):
        sign(petition, {"name": f"Signer {n}", "contact": "", "comment": "", "consent_named": True})
    export = tmp_path / "export.json"
    export.write_bytes(as_user("owner").get(reverse("petitions:export", args=[petition.pk])).content)
    settings.PAPER = "letter"  # a laptop without CONCERTED_PAPER nor a time zone
    pdf = tmp_path / "out" / f"petitions-{petition.slug}.pdf"

    call_command("reveal", key=str(key_file), file=str(export), out=str(tmp_path / "out"), stdout=io.StringIO())
    assert sizes(pdf.read_bytes()) == {LETTER}
    call_command(
        "reveal", "--paper", "A4", key=str(key_file), file=str(export), out=str(tmp_path / "out"), stdout=io.StringIO()
    )
    assert sizes(pdf.read_bytes()) == {A4}
    with pytest.raises(CommandError, match="invalid choice: 'a3'"):
        call_command("reveal", "--paper", "a3", key=str(key_file), file=str(export), stdout=io.StringIO())


def test_it_draws_the_wall_chart_on_the_paper_it_is_told(settings, tmp_path, key_file, campaign, as_user):
    from concerted.cards import signing
    from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit

    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Warehouse", employer="Acme", union="Local 1", size=10, card_text=DEFAULT_CARD_TEXT
    )
    signing.add_person(unit, {"name": "Emma Goldman", "contact": "", "assessment": 2})
    files = {}
    for kind in ("roster", "notes", "cards"):
        path = tmp_path / f"{kind}.json"
        path.write_bytes(as_user("owner").get(reverse(f"cards:export_{kind}", args=[unit.pk])).content)
        files[f"{kind}_file"] = str(path)
    settings.PAPER = "letter"
    call_command("wallchart", "--paper", "a4", key=str(key_file), out=str(tmp_path), stdout=io.StringIO(), **files)
    assert sizes((tmp_path / f"wallchart-{unit.slug}.pdf").read_bytes()) == {A4[::-1]}


@pytest.mark.parametrize("installation", ["a4", "letter"])
def test_it_writes_the_installations_paper_into_every_command_that_makes_a_pdf(
    settings, installation, petition, campaign, as_user
):
    from concerted.cards.models import DEFAULT_CARD_TEXT, BargainingUnit
    from concerted.pledges.models import Pledge

    settings.PAPER = installation
    pledge = Pledge.objects.create(
        campaign=campaign,
        title="Refuse the tracker",
        promise="I will decline.",
        threshold_count=5,
        deadline=datetime.date.today() + datetime.timedelta(days=10),
        status=Pledge.Status.ACTIVE,
        confirmed_on=datetime.date.today(),
        confirmed_count=5,
    )
    unit = BargainingUnit.objects.create(
        campaign=campaign, name="Warehouse", employer="Acme", union="Local 1", size=10, card_text=DEFAULT_CARD_TEXT
    )
    pages = {
        "petition dashboard": (reverse("petitions:dashboard", args=[petition.pk]), 1),
        "signer list": (reverse("petitions:signers", args=[petition.pk]), 1),
        "pledge dashboard": (reverse("pledges:dashboard", args=[pledge.pk]), 1),
        "card drive (reveal and wallchart)": (reverse("cards:dashboard", args=[unit.pk]), 2),
    }
    for page, (url, commands) in pages.items():
        html = as_user("owner").get(url).content.decode()
        assert html.count(f"--out DIR --paper {installation}</code>") == commands, page
