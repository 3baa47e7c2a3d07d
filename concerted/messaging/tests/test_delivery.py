"""Delivering a petition by mail from the organizer's machine, against a real SMTP
server: a dry run first, then the PDF to the addressee, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from concerted.petitions import signing

from .conftest import smtp_args

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_delivers_the_petition_pdf_to_the_addressee_once(petition, as_user, key_file, smtp, tmp_path):
    for name, named in [("Named Person", True), ("Quiet Person", False), ("Other Named", True)]:
        signing.sign(petition, {"name": name, "contact": f"{name[:3].lower()}@example.net", "consent_named": named})
    signing.sign(petition, {"name": "Named Person", "contact": "nam@example.net", "consent_named": True})  # repeat
    export = tmp_path / "petition.json"
    export.write_bytes(as_user("owner").get(reverse("petitions:export", args=[petition.pk])).content)
    base = ["--deliver-petition", str(petition.pk), "--file", str(export), "--key", str(key_file)]
    base += ["--to", "management@acme.com", "--journal", str(tmp_path / "j")]

    out = io.StringIO()
    call_command("send", *base, stdout=out)
    assert "Dry run: would deliver the petition to management@acme.com" in out.getvalue()
    # 2 agreed to be named, fewer than 5: the summary says what the PDF prints, no name.
    assert "3 different people, 0 named, 3 counted without their name" in out.getvalue()
    assert smtp.received == []

    call_command("send", *base, "--send", *smtp_args(smtp), stdout=io.StringIO())
    call_command("send", *base, "--send", *smtp_args(smtp), stdout=out)  # a second run: not again
    assert "Already delivered" in out.getvalue()
    assert smtp.to() == ["management@acme.com"]
    _rcpts, mail = smtp.received[0]
    attachment = next(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages)
    # 2 agreed to be named, fewer than 5: the PDF names nobody (safety in numbers).
    assert "Named Person" not in text and "Other Named" not in text and "Quiet Person" not in text
    assert "Signed by 3 coworkers." in text
    assert "signed by 3 coworkers" in mail.get_body(preferencelist=("plain",)).get_content()

    with pytest.raises(CommandError, match="addressee's email address"):
        call_command("send", *base[:-4], "--to", "not an address", stdout=io.StringIO())
