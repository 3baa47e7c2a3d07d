"""A template for the declaration a labor board asks for with electronically signed
cards. It describes what this software actually does; the organizer adapts it."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .models import BargainingUnit

TEMPLATE = gettext_noop(
    """TEMPLATE — NOT LEGAL ADVICE. Adapt every [bracketed] part, remove what is not true for
your drive, and have the union's lawyer or the labor board's regional office check it
before filing. Requirements differ between boards (NLRB, state boards, other countries).

DECLARATION REGARDING ELECTRONIC AUTHORIZATION CARDS

Employer: {employer}
Bargaining unit: {unit}
Union (petitioner): {union}

I, [full name of declarant], [title, e.g. organizer / member of the organizing committee of
{union}], declare as follows:

1. Technology used. The electronic authorization cards submitted with this petition were
   collected with Concerted, a self-hosted web application operated by [who runs the
   server]. Signers opened a web page on their own device, read the authorization
   language, and signed by typing their name.

2. Authorization language shown. Each signer was shown, word for word and above the
   signature fields, the following text:

   "{card_text}"

   (SHA-256 of this text: {card_hash}. If the card text changed during the drive, list
   each version and the number of cards signed under it; the filing export shows them.)

3. Information each signer gave. Each card records the signer's full name, employer, job
   title or classification, personal telephone number, personal email address where
   given, the date the card was signed, and the signer's typed signature.

4. Consent to sign electronically. Before the card could be submitted, each signer had to
   tick a box stating: "I have read the card above and I sign it. I agree that typing my
   name below is my electronic signature and has the same effect as signing a paper
   card." A card could not be submitted without this box ticked, and the typed signature
   had to match the name given.

5. Date of signing. The date on each card is the date (UTC) on which the server received
   it; the signer did not type it.

6. Identity of signers. [Describe how the committee confirmed that each signer is the
   person named, e.g.: each signer received the link from an organizer in person or by a
   personal message; the committee contacted each signer at the personal phone number or
   email on the card and confirmed the signature; names were checked against the
   committee's list of employees in the unit.]

7. Integrity and security. Each card was encrypted on the server as soon as it was
   received, with a public key whose private key is held only by the organizing
   committee, and stored only in encrypted form. Each encrypted card names the campaign,
   the bargaining unit and the card it belongs to; the committee's software refused any
   card whose record did not match, so a card cannot be moved between units or swapped.
   The cards were decrypted on [date] on a computer controlled by [name]. [Number] cards
   verified; [number] failed verification and are not submitted.
   Signers received a receipt code with which they could check or revoke their card;
   revoked cards are deleted and are not included.

8. Limitations. [State them if asked: the operator of a running server could see a card
   as it arrived; the software does not verify government identification.]

I declare under penalty of perjury that the foregoing is true and correct.

Executed on [date] at [place].

______________________________
[Signature]
[Printed name]
"""
)


def render_text(unit: BargainingUnit) -> str:
    return _(TEMPLATE).format(
        employer=unit.employer,
        unit=unit.name,
        union=unit.union,
        card_text=unit.rendered_card_text(),
        card_hash=unit.card_text_hash(),
    )
