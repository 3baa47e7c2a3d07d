"""`concerted send` against a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS with a
certificate made for the run): who gets a message, how it is addressed, the stop link,
the journal across crashes, the TLS rules and a wrong key."""

from __future__ import annotations

import io
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from nacl.public import PrivateKey

from concerted.core import keys
from concerted.petitions.models import Signature

from .conftest import FROM, smtp_args

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = re.compile(r"[^\s<>\"',;:]+@[^\s<>\"',;]+")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("send", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def stop_link(mail) -> str:
    text = mail.get_body(preferencelist=("plain",)).get_content()
    found = re.findall(r"https?://\S+/stop/[A-Za-z0-9_-]+/", text)
    assert len(found) == 1, text
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert found[0] in html and mail["List-Unsubscribe"] == f"<{found[0]}>"
    return found[0]


def test_it_sends_one_message_to_each_person_who_agreed_and_nobody_else(
    sign, message, download, key_file, smtp, tmp_path
):
    sign("ana@example.net")
    sign("bo@example.net")
    sign("BO@Example.net ")  # the same person again
    sign("carla@example.net", consent=False)
    stopped = sign("dee@example.net")
    sign("dee@example.net")  # stopped on one record: no message on any
    sign("eve@ACME.com")  # an employer address the form would refuse, stored by an older server
    sign("fay@mail.acme.com")
    sign("gus@ａｃｍｅ．com")  # full-width spelling of the employer domain
    sign("+49 151 2345678")  # a phone: for the committee's messaging app, not mail
    assert Client().post(f"/stop/{_token_of(stopped.signature, key_file)}/").status_code == 200

    path = download(message)
    out, err = run(
        "--file", str(path), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"), *smtp_args(smtp)
    )

    assert sorted(a.lower() for a in smtp.to()) == ["ana@example.net", "bo@example.net"]
    assert smtp.starttls_seen
    assert "Sent 2 messages" in out and "NOT SENT to 3 addresses" in err
    for rcpts, mail in smtp.received:
        assert mail["To"] == rcpts[0] and mail["From"] == FROM
        in_headers = {a.lower() for k, v in mail.items() for a in ADDRESS.findall(str(v)) if k != "Message-ID"}
        assert in_headers == {rcpts[0].lower(), FROM}, in_headers
        assert "Act on Monday." in mail.get_body(preferencelist=("plain",)).get_content()
        assert "<strong>Act on Monday.</strong>" in mail.get_body(preferencelist=("html",)).get_content()
    # The stop link works: GET shows a button and changes nothing (mail scanners), POST stops.
    rcpts, mail = smtp.received[0]
    path_only = "/" + stop_link(mail).split("/", 3)[3]
    before = Signature.objects.filter(may_message=True).count()
    assert Client().get(path_only).status_code == 200
    assert Signature.objects.filter(may_message=True).count() == before
    assert Client().post(path_only).status_code == 200
    assert Signature.objects.filter(may_message=True).count() == before - 1


def _token_of(signature, key_file: Path) -> str:
    from concerted.core.sealing import open_sealed

    private = keys.read_private_file(key_file)
    return open_sealed(private, bytes(signature.sealed), kind=signature.KIND, ids=signature.envelope_ids())["stop"]


def test_it_is_a_dry_run_unless_told_to_send(sign, message, download, key_file, smtp, tmp_path):
    sign("ana@example.net")
    out, _err = run("--file", str(download(message)), "--key", str(key_file), "--journal", str(tmp_path / "j"))
    assert "Dry run: would send 1 message," in out
    assert "To: ana@example.net" in out and "Act on Monday." in out and "/stop/" in out
    assert smtp.received == []


def test_it_fails_clearly_with_the_wrong_key(sign, message, download, smtp, tmp_path):
    sign("ana@example.net")
    wrong = tmp_path / "wrong.key"
    wrong.write_text(keys.format_private(PrivateKey.generate()))
    with pytest.raises(CommandError, match="none of the records could be opened with this key"):
        run("--file", str(download(message)), "--key", str(wrong), "--send", *smtp_args(smtp))
    assert smtp.received == []


def test_it_lists_the_mail_servers_bounces(sign, message, download, key_file, smtp, tmp_path):
    sign("ana@example.net")
    sign("gone@example.net")
    smtp.reject.add("gone@example.net")
    journal = str(tmp_path / "j")
    out, _err = run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", journal, *smtp_args(smtp)
    )
    assert "BOUNCED gone@example.net: 550" in out
    assert smtp.to() == ["ana@example.net"]
    # A bounce is final: the next run doesn't try again, and nobody gets a second copy.
    out, _err = run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", journal, *smtp_args(smtp)
    )
    assert "Already done in an earlier run" in out and smtp.to() == ["ana@example.net"]


def test_it_never_sends_in_the_clear_by_default(sign, message, download, key_file, tmp_path):
    from aiosmtpd.controller import Controller

    from .conftest import Inbox, free_port

    sign("ana@example.net")
    inbox = Inbox()
    plain = Controller(inbox, hostname="127.0.0.1", port=free_port())  # no TLS offered
    plain.start()
    try:
        args = ["--file", str(download(message)), "--key", str(key_file), "--send", "--from", FROM]
        args += ["--smtp-host", "127.0.0.1", "--smtp-port", str(plain.port), "--journal", str(tmp_path / "j")]
        with pytest.raises(CommandError, match="doesn't offer STARTTLS"):
            run(*args)
        assert inbox.received == []
        with pytest.raises(CommandError, match="insecure-localhost-only sends without TLS and only to a mail server"):
            run(*[a if a != "127.0.0.1" else "192.0.2.1" for a in args], "--smtp-tls", "insecure-localhost-only")
        run(*args, "--smtp-tls", "insecure-localhost-only", "--per-minute", "0")
        assert inbox.to() == ["ana@example.net"]
    finally:
        plain.stop()


def test_it_writes_phone_numbers_for_the_committees_messaging_app(sign, message, download, key_file, tmp_path):
    sign("+49 151 2345678", name="Phone Person")
    sign("+49 151 999 000", consent=False)
    out_dir = tmp_path / "out"
    run("--file", str(download(message)), "--key", str(key_file), "--phones-out", str(out_dir), "--journal", str(tmp_path / "j"))
    csv_file, vcard = out_dir / f"phones-{message.pk}.csv", out_dir / f"phones-{message.pk}.vcf"
    for path in (csv_file, vcard):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "Phone Person" in csv_file.read_text() and "+49 151 2345678" in csv_file.read_text()
    assert "999 000" not in csv_file.read_text()
    assert "TEL:+49 151 2345678" in vcard.read_text() and "/stop/" in vcard.read_text()


def test_a_crash_after_the_mail_server_accepted_is_reported_and_never_resent(
    sign, message, download, key_file, smtp, tmp_path
):
    """The sender is killed from inside the mail server's DATA handler: the server has
    the third message, the sender never heard "250" and never journaled "sent". The
    next run sends the rest, sends nobody twice, and names the uncertain one."""
    addresses = [f"p{i}@example.net" for i in range(6)]
    for address in addresses:
        sign(address)
    path = download(message)
    journal = tmp_path / "journal"
    command = [
        sys.executable, "-m", "concerted.cli", "send", "--file", str(path), "--key", str(key_file), "--send",
        "--journal", str(journal), *smtp_args(smtp),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)

    def kill_on_third(count: int) -> None:
        if count == 3:
            os.kill(process.pid, signal.SIGKILL)
            time.sleep(0.2)  # the sender is gone before it could hear the reply

    smtp.on_data = kill_on_third
    process.communicate(timeout=600)
    assert process.returncode == -signal.SIGKILL
    first = list(smtp.to())
    assert len(first) == 3
    smtp.on_data = None

    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert sorted(smtp.to()) == sorted(addresses)  # everyone exactly once
    assert "UNCERTAIN: 1 message may" in result.stdout and f"  {first[2]}" in result.stdout
    assert "Already done in an earlier run (journal" in result.stdout
    # The journal names nobody in the clear.
    assert "@" not in journal.read_text() and stat.S_IMODE(journal.stat().st_mode) == 0o600

    # Asked explicitly, the organizer can send the uncertain one again (and only it).
    again = subprocess.run([*command, "--resend-uncertain"], capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    assert sorted(smtp.to()) == sorted([*addresses, first[2]])


def test_a_server_that_flips_the_consent_flag_gets_nobody_more_mail(sign, message, download, key_file, smtp, tmp_path):
    """The row's flag and stop hash are the server's word; the sealed consent is the
    participant's. A server (or a seized copy) that marks a declined row as agreed
    puts it in the download, and the sending machine still writes to nobody new."""
    sign("ana@example.net")
    declined = sign("carla@example.net", consent=False)
    Signature.objects.filter(pk=declined.signature.pk).update(may_message=True, stop_hash="f" * 64)
    out, _err = run(
        "--file", str(download(message)), "--key", str(key_file), "--send", "--journal", str(tmp_path / "j"),
        *smtp_args(smtp),
    )  # fmt: skip
    assert smtp.to() == ["ana@example.net"]
    assert "Skipped 1 record without consent to messages." in out
