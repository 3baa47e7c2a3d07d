"""What an organizer's command prints speaks their language (core/management/base.py):
the terminal's (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), English for C or a language
Concerted doesn't offer. Two real commands: `concerted reveal` in its own process, as an
organizer runs it, and `organizer` through call_command, in this one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import ngettext
from pypdf import PdfReader

from concerted.core import keys
from concerted.core.management.base import terminal_language
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(tmp_path, petition, owner, private_key) -> tuple[Path, Path]:
    sign(petition, {"name": "Zoë Ångström", "contact": "zoe@example.org", "comment": "", "consent_named": True})
    key = tmp_path / "committee.key"
    key.write_text(keys.format_private(private_key))
    client = Client()
    client.force_login(owner)
    path = tmp_path / "export.json"
    path.write_bytes(client.get(reverse("petitions:export", args=[petition.pk])).content)
    return key, path


def reveal(tmp_path: Path, export: tuple[Path, Path], env: dict[str, str], *extra: str) -> tuple[str, str]:
    """Run `concerted reveal --file` as an organizer does; its output and the PDF's text."""
    key, path = export
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "concerted.cli",
            "reveal",
            "--key",
            str(key),
            "--file",
            str(path),
            "--out",
            str(out),
            *extra,
        ],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": ":".join(sys.path), **env},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (pdf,) = out.glob("*.pdf")
    return result.stdout, "".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_it_speaks_the_terminals_language(tmp_path, export):
    english, english_pdf = reveal(tmp_path, export, {"LANG": "C.UTF-8"})
    assert "Different people: 1" in english and "Opened 1 record:" in english

    spanish, spanish_pdf = reveal(tmp_path, export, {"LANG": "es_ES.UTF-8"})
    assert "Personas distintas: 1" in spanish and "PDF para entregar" in spanish
    opened = ("Opened %(n)d record: %(path)s", "Opened %(n)d records: %(path)s")
    with translation.override("es"):
        line = ngettext(*opened, 1) % {"n": 1, "path": ""}
    assert line != opened[0] % {"n": 1, "path": ""}, "the Spanish catalog lacks this line (make messages)"
    assert line in spanish
    # The deliverable is for the addressee: the organizer's terminal doesn't change it.
    assert spanish_pdf == english_pdf

    german, _pdf = reveal(tmp_path, export, {"LC_ALL": "de_DE.UTF-8", "LANG": "es_ES.UTF-8"})
    assert "Verschiedene Personen: 1" in german


def test_reveals_language_option_stays_the_pdfs(tmp_path, export):
    """reveal's --language is the addressee's; what the organizer reads stays theirs."""
    _out, english_pdf = reveal(tmp_path, export, {"LANG": "C.UTF-8"})
    spanish, german_pdf = reveal(tmp_path, export, {"LANG": "es_ES.UTF-8"}, "--language", "de")
    assert "Personas distintas: 1" in spanish
    assert german_pdf != english_pdf


def test_an_unknown_language_falls_back_to_english(tmp_path, export):
    out, _pdf = reveal(tmp_path, export, {"LANG": "fr_FR.UTF-8"})
    assert "Different people: 1" in out
    out, _pdf = reveal(tmp_path, export, {"LANGUAGE": "", "LC_ALL": "C", "LANG": "de_DE.UTF-8"})
    assert "Different people: 1" in out  # LC_ALL=C decides before LANG, as in gettext


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("es_ES.UTF-8", "demasiado corta"),
        ("de_DE.UTF-8", "zu kurz"),
        ("C.UTF-8", "too short"),
        ("xx_XX.UTF-8", "too short"),
    ],
)
def test_it_speaks_the_terminals_language_in_process_too(monkeypatch, lang, expected):
    monkeypatch.setenv("LANG", lang)
    monkeypatch.setenv("WEAK", "123")
    with pytest.raises(CommandError, match=expected):
        call_command("organizer", "add", "weakling", password_env="WEAK")
    # The language is the command's, not left behind for whatever runs next.
    assert translation.get_language() == "en"


def test_terminal_language_reads_posix_variables():
    assert terminal_language({}) == "en"
    assert terminal_language({"LANG": "es_ES.UTF-8"}) == "es"
    assert terminal_language({"LC_MESSAGES": "pt_BR.UTF-8", "LANG": "de_DE.UTF-8"}) == "pt"
    assert terminal_language({"LANGUAGE": "fr:de", "LANG": "es_ES.UTF-8"}) == "de"
    assert terminal_language({"LANG": "C"}) == "en"
    assert terminal_language({"LANG": "sv_SE.UTF-8"}) == "en"
