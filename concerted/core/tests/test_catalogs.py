"""The translation catalogs are complete: every entry of es, de and pt translated, none
fuzzy, none a copy of the English (apart from the words listed below, each with its
reason), placeholders kept, and every committed .mo compiled from its .po as it is now.

These fail while a catalog is partial, on purpose: a half-translated page mixes
languages, which reads as broken and hides which half is which. docs/TRANSLATING.md
says how to fix each failure."""

from __future__ import annotations

import os
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "concerted" / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
DOMAINS = ["django", "djangojs"]
CATALOGS = [(lang, domain) for lang in LANGUAGES for domain in DOMAINS]

# A translation may equal the English only when the same word is right in that
# language too; each entry says why. Strings without letters (placeholders, numbers,
# punctuation) are always allowed.
SAME_IN_EVERY_LANGUAGE = {
    "Concerted": "the product's name",
    "Concerted — %(title)s": "the product's name and a title",
    "PDF": "a file format's name",
    "CSV": "a file format's name",
    "JSON": "a file format's name",
    "TOTP": "the standard's name, shown beside the translated explanation",
    "QR": "the code's name",
    "OK": "understood as is in all four languages",
    "A4": "the paper size's name",
    "<code>concerted reveal --server URL --token TOKEN --survey %(id)s --key committee.key --out DIR</code>": (
        "a command line, typed as is"
    ),
}
SAME_IN = {
    "es": {
        "no": "the same word in Spanish",
        "No": "the same word in Spanish",
        "Total": "the same word in Spanish",
        "Error": "the same word",
        "Token": "the word Spanish uses for an access token",
    },
    "de": {
        "Token": "the word German uses for an access token",
        "TEST": "the same word in German (the test-print stamp)",
        "Name": "the same word in German",
        "Option": "the same word in German",
        "Petition": "the same word in German",
        "Petition: %(title)s": "the same words in German",
        "Team": "the same word in German",
        "Start": "the same word in German",
        "Status": "the same word in German",
        "Export": "the same word in German",
        "Flyer": "the same word in German",
        "Details": "the same word in German",
        "Code": "the same word in German",
        "Organizer": "used as a loanword in German unions' own material",
        "Feedback": "the same word in German",
        "Link": "the same word in German",
        "Text": "the same word in German",
        "Version": "the same word in German",
    },
    "pt": {"Total": "the same word in Portuguese", "Status": "the same word in Portuguese"},
}

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def catalog(lang: str, domain: str) -> polib.POFile:
    path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.po"
    assert path.exists(), f"{path} is missing: run `make messages` (docs/TRANSLATING.md)"
    return polib.pofile(str(path))


def has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in PLACEHOLDER.sub("", text))


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def where(entry: polib.POEntry) -> str:
    place = f" ({entry.occurrences[0][0]}:{entry.occurrences[0][1]})" if entry.occurrences else ""
    return f"{entry.msgid[:70]!r}{place}"


def test_it_lists_every_language_a_page_can_be_in():
    assert LANGUAGES == ["es", "de", "pt"]


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_it_has_no_untranslated_entry(lang, domain):
    po = catalog(lang, domain)
    missing = [where(e) for e in po if not e.obsolete and not all(translations(e))]
    assert not missing, f"{lang}/{domain}.po: {len(missing)} untranslated, e.g. {missing[:5]}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_it_has_no_fuzzy_entry(lang, domain):
    po = catalog(lang, domain)
    assert not po.metadata_is_fuzzy, f"{lang}/{domain}.po: the header is marked fuzzy (msgfmt would skip it)"
    fuzzy = [where(e) for e in po.fuzzy_entries() if not e.obsolete]
    assert not fuzzy, f"{lang}/{domain}.po: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert po.metadata.get("Language") == lang


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_every_plural_has_exactly_the_forms_the_language_has(lang, domain):
    """Spanish has three plural forms (1, millions, the rest): an entry with only two
    falls back to the English for every count but 1 — an English sentence on a Spanish
    page, which the other checks don't see."""
    po = catalog(lang, domain)
    forms = int(re.search(r"nplurals\s*=\s*(\d+)", po.metadata["Plural-Forms"]).group(1))
    wrong = [
        where(e) for e in po_entries(lang, domain) if e.msgid_plural and sorted(e.msgstr_plural) != list(range(forms))
    ]
    assert not wrong, f"{lang}/{domain}.po: plural forms other than {forms} in {wrong[:5]}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_no_translation_is_a_copy_of_the_english(lang, domain):
    allowed = SAME_IN_EVERY_LANGUAGE.keys() | SAME_IN.get(lang, {}).keys()
    copies = [
        where(e)
        for e in po_entries(lang, domain)
        if e.msgstr and e.msgstr == e.msgid and has_letters(e.msgid) and e.msgid not in allowed
    ]
    assert not copies, f"{lang}/{domain}.po: {len(copies)} left in English, e.g. {copies[:5]}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_every_translation_keeps_the_placeholders(lang, domain):
    wrong = []
    for e in po_entries(lang, domain):
        wanted = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        for text in translations(e):
            # A singular may say "one" instead of %(n)s; a plural form must keep them all.
            got = sorted(PLACEHOLDER.findall(text))
            if text and got != wanted and not (e.msgid_plural and set(got) <= set(wanted)):
                wrong.append(where(e))
    assert not wrong, f"{lang}/{domain}.po: placeholders differ in {wrong[:5]}"


@pytest.mark.parametrize(("lang", "domain"), CATALOGS)
def test_the_committed_mo_is_compiled_from_the_po(lang, domain):
    mo_path = LOCALE / lang / "LC_MESSAGES" / f"{domain}.mo"
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    compiled = {(e.msgctxt, e.msgid): tuple(translations(e)) for e in polib.mofile(str(mo_path)) if e.msgid}
    source = {
        (e.msgctxt, e.msgid): tuple(translations(e))
        for e in po_entries(lang, domain)
        if all(translations(e)) and "fuzzy" not in e.flags
    }
    assert compiled == source, f"{mo_path} is stale: run `make messages` and commit the .mo"


def po_entries(lang: str, domain: str) -> list[polib.POEntry]:
    return [e for e in catalog(lang, domain) if not e.obsolete and e.msgid]


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_marked_string_is_in_the_catalogs(domain, tmp_path):
    """A string marked in the code but never extracted shows in English on every
    translated page, and the checks above can't see it: extract again, as `make
    messages` does, from a copy of the code, and compare with the committed catalog."""
    import shutil
    import subprocess
    import sys

    root = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    shutil.copytree(
        root / "concerted", copy / "concerted", ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.pyc")
    )
    shutil.copy(root / "manage.py", copy / "manage.py")
    lang = LANGUAGES[0]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"PYTHONPATH": str(copy)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-d", domain, "-l", lang, "--no-obsolete"],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "concerted" / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"))
    committed = {(e.msgctxt, e.msgid) for e in po_entries(lang, domain)}
    missing = sorted(
        (e.msgid for e in extracted if not e.obsolete and e.msgid and (e.msgctxt, e.msgid) not in committed),
        key=str,
    )
    assert not missing, f"marked but not in the {domain} catalogs (run `make messages`, translate): {missing[:5]}"
