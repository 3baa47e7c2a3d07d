"""What a coworker who takes a wrong turn sees: a receipt code copied by hand, a name of
nothing visible, a reloaded button, a language link after a withdrawal, the rate limit.
Found by walking the participant pages from outside (session 6)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from concerted.cards.tests.conftest import sign_card, unit  # noqa: F401 (fixture)
from concerted.petitions.models import Signature
from concerted.pledges.tests.conftest import make_pledge, pledge  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def sign(petition, **fields):
    data = {"name": "Ada Lovelace", "contact": "", "comment": "", **fields}
    return Client().post(reverse("petitions:sign", args=[petition.slug]), data)


def receipt_code(response) -> str:
    return re.search(r"/r/([A-Z2-7]{26})/", response["Location"]).group(1)


def test_a_receipt_code_copied_with_digits_for_lookalike_letters_still_opens(petition):
    code = receipt_code(sign(petition))
    # Base32 has no 0, 1 or 8: someone who wrote O, I or B as a digit meant the letter.
    copied = code.replace("O", "0").replace("I", "1").replace("B", "8").lower()
    if copied == code.lower():
        copied = code.lower()  # this code has none of the three; the test still checks lower case
    page = Client().get(reverse("petitions:receipt_lookup", args=[petition.slug]), {"code": copied})
    assert page.status_code == 302
    assert code in page["Location"]


@pytest.mark.parametrize("lookalike,letter", [("0", "O"), ("1", "I"), ("8", "B")])
def test_the_lookalike_digits_map_to_their_letters(lookalike, letter):
    from concerted.core import receipts

    code = "A" * 25 + letter
    assert receipts.normalize("a" * 25 + lookalike) == code
    assert receipts.looks_valid("AAAA-" * 6 + "A" + lookalike)
    assert receipts.receipt_hash("A" * 25 + lookalike) == receipts.receipt_hash(code)


def test_a_name_of_only_invisible_characters_is_refused_as_empty(petition):
    response = sign(petition, name="\u200b\u200b\u2060 \u200d", comment="\ufeff")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Signature.objects.exists()


def test_an_optional_text_of_only_invisible_characters_is_stored_as_nothing(petition, private_key):
    from concerted.core.sealing import open_sealed
    from concerted.petitions.models import SIGNATURE_KIND

    assert sign(petition, name="Ada \u200dLovelace", comment="\u200b\u200b").status_code == 302
    signature = Signature.objects.get()
    ids = {"campaign": str(petition.campaign_id), "petition": str(petition.pk), "row": str(signature.pk)}
    data = open_sealed(private_key, signature.sealed, kind=SIGNATURE_KIND, ids=ids)
    assert data["comment"] == ""
    assert data["name"] == "Ada \u200dLovelace"  # a joiner inside a real name is kept


@pytest.mark.parametrize(
    "language,pattern",
    [("en", r"\d{1,2} [A-Z][a-z]+ \d{4}"), ("es", r"\d{1,2} de [a-z]+ de \d{4}"), ("de", r"\d{1,2}\. [A-Z][a-zä]+ \d{4}")],
)
def test_dates_are_written_the_way_each_language_writes_them(petition, language, pattern):
    code = receipt_code(sign(petition))
    with_language = f"/{language}" + reverse("petitions:receipt", args=[petition.slug, code])[3:]
    html = Client().get(with_language).content.decode()
    signed_line = next(line for line in html.splitlines() if re.search(pattern, line))
    assert re.search(pattern, signed_line)
    assert not re.search(r"\d{1,2} (diciembre|enero|Dezember|Januar) \d{4}", html)  # "1 diciembre 2026"


def test_a_get_of_a_post_only_address_gets_a_page_that_says_so(petition):
    code = receipt_code(sign(petition))
    url = reverse("petitions:withdraw", args=[petition.slug, code])
    for language in ("en", "es"):
        response = Client().get(f"/{language}{url[3:]}")
        assert response.status_code == 405
        assert response["Allow"] == "POST"
        html = response.content.decode()
        assert f'lang="{language}"' in html and 'href="/' + language + '/"' in html
    assert "only answers a form" in Client().get(url).content.decode()
    assert Signature.objects.count() == 1  # nothing was changed


def links_to_other_languages(html: str) -> list[str]:
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    return [href for href, current in re.findall(r'<a href="([^"]+)"[^>]*?( aria-current="true")?>', nav) if not current]


def test_the_language_switch_after_a_withdrawal_leads_to_pages_that_open(petition):
    code = receipt_code(sign(petition))
    url = reverse("petitions:withdraw", args=[petition.slug, code])
    asked = Client().post(url)  # the confirmation step
    done = Client().post(url, {"confirm": "yes"})
    assert "withdrawn" in done.content.decode()
    for response in (asked, done):
        links = links_to_other_languages(response.content.decode())
        assert len(links) == 3
        for link in links:
            assert Client().get(link).status_code in (200, 404), link  # the receipt is gone after withdrawing
            assert "/withdraw/" not in link


def test_the_language_switch_after_a_pledge_withdrawal_and_a_card_revocation_opens(pledge, unit):  # noqa: F811
    made = Client().post(reverse("pledges:pledge", args=[pledge.slug]), {"name": "Ada", "contact": "ada@example.org"})
    code = receipt_code(made)
    done = Client().post(reverse("pledges:withdraw", args=[pledge.slug, code]), {"confirm": "yes"})
    card = sign_card(unit)
    card_code = receipt_code(card)
    revoked = Client().post(reverse("cards:revoke", args=[unit.slug, card_code]), {"confirm": "yes"})
    for response in (done, revoked):
        assert response.status_code == 200
        for link in links_to_other_languages(response.content.decode()):
            assert Client().get(link).status_code == 200, link


@pytest.mark.ratelimit
def test_the_rate_limit_page_names_the_wait_of_the_limit_that_refused(petition, settings):
    settings.PUBLIC_POST_RATE = "1/10m"
    settings.LOGIN_RATE = "1/15m"
    url = reverse("petitions:sign", args=[petition.slug])
    phone = Client(REMOTE_ADDR="203.0.113.50")
    phone.post(url, {"name": "A"})
    refused = phone.post(url, {"name": "A"})
    assert refused.status_code == 429
    assert "wait 10 minutes" in refused.content.decode()
    login = reverse("accounts:login")
    laptop = Client(REMOTE_ADDR="203.0.113.51")
    laptop.post(login, {"username": "x", "password": "y"})
    refused = laptop.post(login, {"username": "x", "password": "y"})
    assert refused.status_code == 429
    assert "wait 15 minutes" in refused.content.decode()


def test_the_home_pages_code_box_opens_a_card_drive_a_kit_and_an_election(unit, campaign):  # noqa: F811
    from concerted.bargaining.models import Kit
    from concerted.elections.models import Election

    kit = Kit.objects.create(campaign=campaign, voting_open=True)
    election = Election.objects.create(campaign=campaign, title="Strike authorization", status=Election.Status.OPEN)
    opened = {
        unit.slug: reverse("cards:sign", args=[unit.slug]),
        kit.slug: reverse("bargaining:home", args=[kit.slug]),
        f"https://organize.example.org/b/{kit.slug}/vote/": reverse("bargaining:home", args=[kit.slug]),
        election.slug: reverse("elections:vote", args=[election.slug]),
    }
    for typed, path in opened.items():
        response = Client().get(reverse("open"), {"code": typed})
        assert response.status_code == 302 and response["Location"] == path, typed
    # Hidden states answer as a wrong code does.
    election.status = Election.Status.SETUP
    election.save()
    unit.status = unit.Status.DRAFT
    unit.save()
    for code in (election.slug, unit.slug):
        assert Client().get(reverse("open"), {"code": code}).status_code == 404


def test_an_empty_code_says_what_to_type(db):
    response = Client().get(reverse("open"), {"code": "  "})
    assert response.status_code == 404
    assert "Type the code from the flyer" in response.content.decode()
