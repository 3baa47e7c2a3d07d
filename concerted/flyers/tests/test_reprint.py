"""Lost cards are printed again on the committee's computer: `concerted codes print`
fetches the sealed batch with a reveal token, opens it with the committee key and
writes the same tear-off cards, whose QR codes decode (zbarimg) to codes that work.
Voiding a batch, with a confirmation step, makes its unused codes refuse."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from nacl.public import PrivateKey
from pypdf import PdfReader

from concerted.accounts.models import ExportToken
from concerted.campaigns.models import Membership, Role
from concerted.core import keys
from concerted.core.testing import export_columns, reseal_columns
from concerted.invites import codes
from concerted.invites.models import InviteBatch, InviteCode

from .qr import read_pdf

CODE_IN_URL = re.compile(r"\?code=([a-z0-9]+)$")


@pytest.fixture
def key_file(tmp_path, private_key):
    path = tmp_path / "committee.key"
    path.write_text(keys.format_private(private_key) + "\n")
    return path


def make_cards(client: Client, petition, count: int = 5) -> InviteBatch:
    response = client.post(
        reverse("flyers:batch_new", args=["petition", petition.pk]), {"count": count, "label": "Lost", "paper": "a4"}
    )
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    return InviteBatch.objects.get(label="Lost")


def run_print(*args: str) -> str:
    out = io.StringIO()
    call_command("codes", "print", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def decoded_codes(document: bytes, workdir) -> list[str]:
    urls = [url for page in read_pdf(document, workdir) for url in page.codes]
    return [CODE_IN_URL.search(url).group(1) for url in urls]  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_it_prints_the_unused_cards_again_from_the_server(
    live_server, as_user, invite_petition, owner, key_file, tmp_path
):
    batch = make_cards(as_user("owner"), invite_petition, 5)
    _token, raw = ExportToken.issue(owner, "laptop")
    out = tmp_path / "again.pdf"
    args = [str(batch.pk), "--key", str(key_file), "--server", live_server.url, "--token", raw, "--out", str(out)]
    assert "Printed 5 unused codes" in run_print(*args)
    first = decoded_codes(out.read_bytes(), tmp_path / "a")
    assert len(first) == 5
    # One card is used, then the PDF is lost: the used card isn't printed again.
    codes.consume_now("petition", invite_petition.pk, first[0])
    assert "Printed 4 unused codes" in run_print(*args)
    document = out.read_bytes()
    assert out.stat().st_mode & 0o077 == 0  # the PDF holds working codes
    again = decoded_codes(document, tmp_path / "b")
    assert sorted(again) == sorted(first[1:])
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)
    for code in again:
        assert codes.display(code) in text
    url = "https://organize.example.org" + reverse("petitions:sign", args=[invite_petition.slug])
    assert all(u.startswith(url + "?code=") for page in read_pdf(document, tmp_path / "c") for u in page.codes)
    # The reprinted codes are the real ones: each works once on the petition.
    for code in again:
        assert codes.consume_now("petition", invite_petition.pk, code).pk == batch.pk
    batch.refresh_from_db()
    assert batch.used == 5
    with pytest.raises(CommandError, match="No unused codes"):
        run_print(*args)


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_voided_batch_and_a_wrong_token(live_server, as_user, invite_petition, owner, key_file, tmp_path):
    batch = make_cards(as_user("owner"), invite_petition, 2)
    _token, raw = ExportToken.issue(owner, "laptop")
    base = [str(batch.pk), "--key", str(key_file), "--server", live_server.url, "--out", str(tmp_path / "x.pdf")]
    with pytest.raises(CommandError, match="token is wrong"):
        run_print(*base, "--token", "cxt_wrong")
    codes.void_batch(batch)
    with pytest.raises(CommandError, match="voided"):
        run_print(*base, "--token", raw)
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.django_db
def test_a_wrong_key_fails_clearly_and_prints_nothing(as_user, invite_petition, tmp_path):
    client = as_user("owner")
    batch = make_cards(client, invite_petition, 2)
    sealed = client.get(reverse("flyers:batch_sealed", args=[batch.pk]))
    assert sealed.status_code == 200 and sealed["Cache-Control"] == "no-store, private"
    path = tmp_path / "batch.json"
    path.write_bytes(sealed.content)
    wrong = tmp_path / "other.key"
    wrong.write_text(keys.format_private(PrivateKey.generate()))
    out = tmp_path / "cards.pdf"
    with pytest.raises(CommandError, match="none of the records could be opened with this key"):
        run_print(str(batch.pk), "--key", str(wrong), "--file", str(path), "--out", str(out))
    assert not out.exists()


@pytest.mark.django_db
def test_a_server_cant_pass_another_batchs_codes_off(
    as_user, invite_petition, other_petition, key_file, private_key, tmp_path
):
    """Codes sealed for one target, served as another's batch, are refused: the cards
    would print with the wrong address."""
    client = as_user("owner")
    batch = make_cards(client, invite_petition, 2)
    other, _made = codes.create_batch(invite_petition.campaign, "petition", other_petition.pk, 2, "other")
    data = json.loads(client.get(reverse("flyers:batch_sealed", args=[batch.pk])).content)
    forged = json.loads(client.get(reverse("flyers:batch_sealed", args=[other.pk])).content)
    # The other batch's codes, with this batch's target sealed in their columns.
    target = export_columns(data, private_key, data["records"][0])["target"]
    data["records"] = forged["records"]
    for record in data["records"]:
        reseal_columns(data, private_key, record, {"target": target})
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r"could not be verified|none of the records"):
        run_print(str(batch.pk), "--key", str(key_file), "--file", str(path), "--out", str(tmp_path / "f.pdf"))
    with pytest.raises(CommandError, match="another batch"):
        run_print(str(other.pk), "--key", str(key_file), "--file", str(path), "--out", str(tmp_path / "f.pdf"))


@pytest.fixture
def other_petition(campaign):
    from concerted.petitions.models import Petition

    return Petition.objects.create(
        campaign=campaign, title="Another ask", body="x", requires_invite=True, status=Petition.Status.OPEN
    )


# Organizer views: success, confirmation, wrong method, strangers, read-only.


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "teammate"])
def test_organizers_void_a_batch_after_confirming(as_user, invite_petition, who):
    client = as_user(who)
    batch = make_cards(client, invite_petition, 3)
    page = client.get(reverse("flyers:page", args=["petition", invite_petition.pk])).content.decode()
    assert (
        f"concerted codes print {batch.pk}" in page and "at the next release" in page
    )  # no use shown before a release
    url = reverse("flyers:batch_void", args=[batch.pk])
    asked = client.post(url)
    assert asked.status_code == 200
    assert "can't be undone" in asked.content.decode() and 'name="confirm" value="yes"' in asked.content.decode()
    batch.refresh_from_db()
    assert not batch.voided and InviteCode.objects.filter(batch=batch).count() == 3
    done = client.post(url, {"confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == reverse("flyers:page", args=["petition", invite_petition.pk])
    batch.refresh_from_db()
    assert batch.voided and not InviteCode.objects.filter(batch=batch).exists()
    page = client.get(reverse("flyers:page", args=["petition", invite_petition.pk])).content.decode()
    assert "Voided on" in page and f"concerted codes print {batch.pk}" not in page
    assert client.get(reverse("flyers:batch_sealed", args=[batch.pk])).status_code == 409


@pytest.mark.django_db
def test_batch_views_refuse_the_wrong_method(as_user, invite_petition):
    client = as_user("owner")
    batch = make_cards(client, invite_petition, 1)
    assert client.get(reverse("flyers:batch_void", args=[batch.pk])).status_code == 405
    assert client.post(reverse("flyers:batch_sealed", args=[batch.pk])).status_code == 405


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "anonymous"])
def test_batch_views_give_strangers_nothing(as_user, invite_petition, who):
    batch = make_cards(as_user("owner"), invite_petition, 2)
    client = as_user(who)
    for response in (
        client.post(reverse("flyers:batch_void", args=[batch.pk]), {"confirm": "yes"}),
        client.get(reverse("flyers:batch_sealed", args=[batch.pk])),
    ):
        if who == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        else:
            assert response.status_code == 404
    batch.refresh_from_db()
    assert not batch.voided and InviteCode.objects.filter(batch=batch).count() == 2


@pytest.mark.django_db
def test_read_only_organizers_fetch_but_cant_void(as_user, invite_petition, teammate):
    batch = make_cards(as_user("owner"), invite_petition, 2)
    Membership.objects.filter(user=teammate).update(role=Role.READ_ONLY)
    client = as_user("teammate")
    page = client.get(reverse("flyers:page", args=["petition", invite_petition.pk]))
    assert page.status_code == 200
    assert client.post(reverse("flyers:batch_void", args=[batch.pk]), {"confirm": "yes"}).status_code == 403
    batch.refresh_from_db()
    assert not batch.voided


@pytest.mark.django_db
def test_old_batches_say_they_cant_be_printed_again(as_user, invite_petition):
    client = as_user("owner")
    batch = make_cards(client, invite_petition, 2)
    InviteBatch.objects.filter(pk=batch.pk).update(sealed=False)  # as the migration leaves older batches
    InviteCode.objects.filter(batch=batch).update(sealed=None)
    page = client.get(reverse("flyers:page", args=["petition", invite_petition.pk])).content.decode()
    assert "Made before codes were kept sealed" in page
    refused = client.get(reverse("flyers:batch_sealed", args=[batch.pk]))
    assert refused.status_code == 409 and "can't be printed again" in refused.content.decode()
