"""A real SMTP server on 127.0.0.1 (aiosmtpd) that requires STARTTLS with a certificate
made for the test run, and the data a message needs: signers who did or didn't agree."""

from __future__ import annotations

import datetime
import email
import email.policy
import json
import socket
import ssl
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

FROM = "committee@committee-mail.example.org"


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    return cert, key


class Inbox:
    """What the mail server accepted: (envelope recipients, parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.reject: set[str] = set()
        self.on_data: Callable[[int], None] | None = None
        self.starttls_seen = False

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any) -> str:
        if address in self.reject:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.starttls_seen = self.starttls_seen or session.ssl is not None
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), parsed))
        if self.on_data is not None:
            self.on_data(len(self.received))  # may kill the sender before it hears "250"
        return "250 Message accepted for delivery"

    def to(self) -> list[str]:
        return [rcpt for rcpts, _m in self.received for rcpt in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(tls_files):
    cert, key = tls_files
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), tls_context=context, require_starttls=True, ready_timeout=20
    )
    controller.start()
    inbox.port = controller.port  # type: ignore[attr-defined]
    inbox.cafile = str(cert)  # type: ignore[attr-defined]
    yield inbox
    controller.stop()


@pytest.fixture
def sign(petition):
    """sign(contact, consent) -> (signature, receipt code), dated yesterday like real
    arrivals the audience count already counts."""
    from concerted.petitions import signing

    def make(contact: str, consent: bool = True, name: str = "Someone") -> Any:
        done = signing.sign(petition, {"name": name, "contact": contact, "may_message": consent})
        type(done.signature).objects.filter(pk=done.signature.pk).update(
            day=datetime.date.today() - datetime.timedelta(days=1)
        )
        return done

    return make


@pytest.fixture
def message(petition):
    from concerted.messaging.models import Message

    return Message.objects.create(
        campaign=petition.campaign,
        audience="petitions.signers",
        audience_parent=str(petition.pk),
        subject="We reached 40%",
        body="**Act on Monday.** Meet at the *south entrance*.",
    )


@pytest.fixture
def download(as_user, tmp_path):
    def fetch(message: Any) -> Path:
        response = as_user("owner").get(reverse("messaging:send_json", args=[message.pk]))
        assert response.status_code == 200, response.content
        path = tmp_path / f"message-{message.pk}.json"
        path.write_bytes(response.content)
        return path

    return fetch


def smtp_args(inbox: Inbox) -> list[str]:
    return [
        "--smtp-host", "127.0.0.1", "--smtp-port", str(inbox.port), "--smtp-tls", "starttls",  # type: ignore[attr-defined]
        "--smtp-cafile", inbox.cafile, "--from", FROM, "--per-minute", "0",  # type: ignore[attr-defined]
    ]  # fmt: skip


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())
