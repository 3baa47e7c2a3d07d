"""A personal contact must be one the committee can reach, and not a look-alike of
another domain (concerted/core/forms.py, the one contact rule every participant form
uses; the pages themselves are run through the form registry in
tests/participants/test_contact_checked.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from concerted.core.forms import PersonalContactField, label_mixes_scripts

EMPLOYER = ["acme.com"]


def field() -> PersonalContactField:
    return PersonalContactField(employer_domains=EMPLOYER)


VALID = [
    "ana@example.org",
    "Ana.Lopez@Example.ORG",
    "ana+union@gmail.com",  # plus-address
    "ana@mail.eu.example.net",  # subdomains
    "ana@bücher.de",  # a real IDN, typed
    "ana@xn--bcher-kva.de",  # the same, as punycode
    "ana@BÜCHER.de",
    "ana@пример.рф",  # Cyrillic, one script per label
    "ana@xn--e1afmkfd.xn--p1ai",  # the same, as punycode
    "ana@ελληνικά.gr",
    "ana@例え.jp",  # Han with Hiragana: Japanese writes them together
    "ana@テスト.jp",
    "ana@한국.kr",
    "ana@中文.cn",
    "ana@münchen-2024.de",  # digits and a hyphen belong to every script
    "ana@x.test",  # reserved for testing, used by drills: left alone
    "ana@mailbox.onion",  # a mail server behind Tor is reachable through Tor
    "+44 7700 900123",
    "(555) 010-1234",
    "0612345678",
    "+33 6 12 34 56 78",
]


@pytest.mark.parametrize("value", VALID)
def test_it_accepts_reachable_addresses_and_phone_numbers(value: str) -> None:
    assert field().clean(value) == value


INVALID = [
    ("ana@localhost", "unreachable", "“localhost”"),
    ("ana@LOCALHOST.", "unreachable", "“localhost”"),
    ("ana@mail.localhost", "unreachable", "“mail.localhost”"),
    ("ana@printer.local", "unreachable", "“printer.local”"),
    ("ana@nas.home.arpa", "unreachable", "“nas.home.arpa”"),
    ("ana@corp.internal", "unreachable", "“corp.internal”"),
    ("ana@example.invalid", "unreachable", "“example.invalid”"),
    ("ana@gmail", "unreachable", "no dot"),
    ("ana@mailserver", "unreachable", "no dot"),
    ("ana@gm\u0430il.com", "lookalike", "“gm\u0430il”"),  # a Cyrillic "а" among Latin letters
    ("ana@xn--gmil-63d.com", "lookalike", "“gm\u0430il”"),  # the same, as punycode
    ("ana@p\u0430ypal.com", "lookalike", "different alphabets"),
    ("ana@\u03bfutlook.com", "lookalike", "different alphabets"),  # a Greek omicron
    ("ana@mail.\u0430cme.org", "lookalike", "different alphabets"),  # in a subdomain
    ("ana@acm\u0435.com", "lookalike", "different alphabets"),  # a look-alike of the employer's own domain
    ("ana@b\u00fccher\u0432.de", "lookalike", "different alphabets"),
]


@pytest.mark.parametrize(("value", "code", "says"), INVALID)
def test_it_refuses_unreachable_and_lookalike_domains_saying_what_to_check(value: str, code: str, says: str) -> None:
    with pytest.raises(ValidationError) as info:
        field().clean(value)
    assert info.value.code == code, value
    message = info.value.messages[0]
    assert message.startswith("Check the address:"), message
    assert says in message, message


def test_the_employer_check_still_comes_first() -> None:
    with pytest.raises(ValidationError) as info:
        field().clean("ana@mail.acme.com")
    assert info.value.code == "employer"


@pytest.mark.parametrize(
    ("label", "mixed"),
    [
        ("gmail", False),
        ("bücher", False),
        ("пример", False),
        ("例え", False),
        ("漢字かなカナabc", False),
        ("한국漢", False),
        ("ㄅ中文", False),
        ("xn--abc", False),
        ("gm\u0430il", True),
        ("пример\u0430b", True),
        ("한국かな", True),  # Hangul with Hiragana: no language writes them together
        ("ελλ\u0430", True),
    ],
)
def test_it_tells_mixed_scripts_from_scripts_written_together(label: str, mixed: bool) -> None:
    assert label_mixes_scripts(label) is mixed
