"""Secret-ballot elections. The server holds public material only: the trustees' public
key shares, public credentials, encrypted ballots and the published board.

Nothing here identifies a voter: a ballot row carries a public credential (which the
committee made on its own machine and handed out with no record kept on the server),
its ciphertexts, a tracker and which batch published it. No time is stored; a batch
carries only its day."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import formats, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign
from concerted.core.shortcodes import short_slug

from . import evcrypto as ev


def random_id() -> int:
    """63 random bits. The id alone does not order rows: SQLite keeps a hidden rowid
    beside a bigint key, and PostgreSQL's heap follows arrival. Storage order is core's
    (`STORAGE_UNORDERED` below: core.records.ensure_storage and scramble)."""
    return secrets.randbelow(2**63 - 1) + 1


MIN_ELECTORATE = 10  # an exact tally of fewer voters could be traced back to people


def ballot_refusal(why: str) -> str:
    """What a member reads when the server refuses their encrypted ballot, for a reason
    of evcrypto.verify_ballot (English, for the verifier and the logs of a developer):
    in the page's language, saying what to do. An unknown reason is named as it is."""
    if why.startswith(("malformed", "wrong number of")):
        return gettext(
            "The encrypted ballot arrived incomplete or damaged. Encrypt your choice again and cast it; "
            "if it happens again, tell the committee."
        )
    if why == "ballot is for another election":
        return gettext(
            "This encrypted ballot was made for another election, or on an outdated page. Open this "
            "election's voting page again and vote there."
        )
    if why.startswith("not a public credential"):
        return gettext("This voting code is not valid for this election.")
    if why == "bad credential signature":
        return gettext(
            "The ballot's signature does not match its voting code: it may have been changed on the way. "
            "Encrypt your choice again and cast it; if it happens again, tell the committee."
        )
    if why.startswith(("bad 0/1 proof", "bad proof")):
        return gettext(
            "The ballot's proofs do not check out: the device that encrypted it may be faulty, or the ballot "
            "was changed on the way. Encrypt your choice again, on another device if you can, and tell the "
            "committee if it happens again."
        )
    return gettext(
        "The ballot does not check out (%(why)s). Encrypt your choice again and cast it; if it happens again, "
        "tell the committee and quote this message."
    ) % {"why": why}


class PercentField(models.DecimalField):
    """A percentage with up to two decimals, read back without trailing zeros (66, not
    66.00; 66.5, not 66.50), so pages show it as it was typed."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    @staticmethod
    def tidy(value: Decimal | None) -> Decimal | None:
        if value is None:
            return None
        value = Decimal(value)
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return self.tidy(value)

    def to_python(self, value: Any) -> Decimal | None:
        return self.tidy(super().to_python(value))


class Election(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yesno", _("Yes or no (strike authorization, ratification)")
        ONE = "one", _("Choose one (officer election)")
        UP_TO = "upto", _("Choose up to k (several seats)")

    class PassRule(models.TextChoices):
        # Stored rows from before the rule existed read as "more than pass_percent %",
        # which is what they meant (migration 0002).
        MAJORITY = "majority", _("More than half of the votes cast")
        TWO_THIRDS = "2/3", _("At least two thirds of the votes cast")
        MORE_THAN = "more", _("More than a percentage of the votes cast")
        AT_LEAST = "atleast", _("At least a percentage of the votes cast")

    class Status(models.TextChoices):
        SETUP = "setup", _("Setting up: trustees make the key")
        OPEN = "open", _("Open for voting")
        CLOSED = "closed", _("Closed: waiting for the trustees")
        TALLIED = "tallied", _("Tallied")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="elections")
    slug = models.SlugField(unique=True, max_length=16, default=short_slug, editable=False)
    title = models.CharField(_("title"), max_length=200)
    question = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind of vote"), max_length=8, choices=Kind.choices, default=Kind.YES_NO)
    options = models.JSONField(_("options"), default=list)
    max_choices = models.PositiveSmallIntegerField(_("choices allowed"), default=1)
    pass_rule = models.CharField(
        _("Yes needed to pass"),
        max_length=8,
        choices=PassRule.choices,
        default=PassRule.MAJORITY,
        help_text=_("The union's rule, e.g. more than half for ratification, at least two thirds for a strike."),
    )
    pass_percent = PercentField(
        _("percentage (for “more than” or “at least” a percentage)"),
        default=Decimal(50),
        help_text=_("Up to two decimals, e.g. 60 or 66.67."),
    )
    # The committee's own language for this vote's text, which need not be the campaign's
    # main one (a Spanish-speaking unit in an English campaign). Empty on a row made
    # without the form: the campaign's language (content_language).
    language = models.CharField(
        _("language of the title, question and options"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        default="",
        help_text=_(
            "The language you write them in. A voter reading the page in another language is told so, and "
            "screen readers read them in this one."
        ),
    )
    trustee_count = models.PositiveSmallIntegerField(_("trustees"), default=3)
    threshold = models.PositiveSmallIntegerField(_("trustees needed to count"), default=2)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SETUP)
    manifest = models.JSONField(null=True, blank=True, editable=False)
    closing = models.JSONField(null=True, blank=True, editable=False)
    tally = models.JSONField(null=True, blank=True, editable=False)
    created = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def counted_count(self) -> int:
        """How many ballots a tally would count: those on the board, less the ones the
        close marked replaced or revoked (ballotbox.counted_ballots, without reading the
        ballots themselves). Public once voting closed: the board lists both."""
        gone = {e["tracker"] for e in (self.closing or {}).get("excluded", [])}
        on_board = self.ballots.filter(batch__isnull=False).values_list("tracker", flat=True)
        return sum(1 for tracker in on_board if tracker not in gone)

    def ended_without_result(self) -> bool:
        """Closed with fewer counted ballots than a tally needs: no trustee may decrypt
        them (ballotbox.refuse_too_few), so no result will ever come, and nobody should
        be told to wait for one. Computed, not a status of its own: the board, the
        trustee tool and verify-election all read the status "closed" as it is."""
        from . import ballotbox  # ballotbox imports this module

        return (
            self.status == self.Status.CLOSED and not self.tally and self.counted_count() < ballotbox.min_counted(self)
        )

    def get_status_display(self) -> str:
        """Every page that names the status (dashboard, board, campaign overview) says a
        vote closed with too few ballots ended, instead of "waiting for the trustees"."""
        if self.ended_without_result():
            return gettext("Closed without a result")
        return str(self._get_FIELD_display(self._meta.get_field("status")))

    @property
    def content_language(self) -> str:
        """The language the title, question and options are in: the one the committee
        chose for them, else the campaign's main language (an election's text has no
        other versions: the manifest freezes it)."""
        return self.language or self.campaign.language

    @property
    def text_lang(self) -> str:
        """What to mark the election's own text with (a lang attribute) on a page in
        another language, so a screen reader reads it in the right voice; "" when the
        page is in the text's language."""
        page = translation.get_language() or settings.LANGUAGE_CODE
        return "" if page == self.content_language else self.content_language

    def text_note(self) -> str:
        """The visible note on a page in another language: the election's own text is
        never translated (a ballot's wording is fixed when voting opens)."""
        if not self.text_lang:
            return ""
        from concerted.core.translations import language_name

        return gettext("The question and its choices are in %(main)s, as the committee wrote them.") % {
            "main": language_name(self.content_language)
        }

    def question_spec(self) -> dict[str, Any]:
        if self.kind == self.Kind.YES_NO:
            return {"text": self.question, "options": [str(_("Yes")), str(_("No"))], "min": 1, "max": 1}
        if self.kind == self.Kind.ONE:
            return {"text": self.question, "options": list(self.options), "min": 1, "max": 1}
        return {"text": self.question, "options": list(self.options), "min": 0, "max": self.max_choices}

    def eligible(self) -> models.QuerySet[Credential]:
        return self.credentials.filter(revoked=False)

    def pass_rule_spec(self) -> dict[str, str] | None:
        """The rule as the manifest states it (evcrypto.pass_share), None for a vote with no
        pass rule. Fixed when the election is made; frozen into the manifest when voting opens."""
        if self.kind != self.Kind.YES_NO:
            return None
        if self.pass_rule in (self.PassRule.MAJORITY, self.PassRule.TWO_THIRDS):
            return {"rule": str(self.pass_rule)}
        # A decimal string, never a float: "66.5", "60" (tidy: no "60.00", no "6E+1"), at
        # the two decimals the column keeps even before the row is read back.
        stored = Decimal(str(self.pass_percent)).quantize(Decimal("0.01"))
        percent = format(PercentField.tidy(stored), "f")
        return {"rule": str(self.pass_rule), "percent": percent}

    def rule_in_force(self) -> dict[str, str] | None:
        """The manifest's rule once voting opened: what voters were shown and what
        `verify-election` checks. Before that (and for an election opened before
        manifests carried the rule), the election's own fields."""
        if self.manifest and "pass_rule" in self.manifest:
            return self.manifest["pass_rule"]
        return self.pass_rule_spec()

    def passes_with(self, yes: int, no: int) -> bool:
        """Counted by the verifier's own function (evcrypto.passes), in exact fractions."""
        rule = self.rule_in_force()
        return rule is not None and ev.passes(rule, yes, no)

    def passed(self) -> bool | None:
        """For yes/no: did yes reach the union's threshold of the votes cast?"""
        if self.kind != self.Kind.YES_NO or not self.tally:
            return None
        yes, no = self.tally["result"][0]
        return self.passes_with(yes, no)

    @property
    def pass_rule_text(self) -> str:
        """The rule in force in a sentence, in the page's language ("more than 66.5 %" in its own digits)."""
        rule = self.rule_in_force()
        if rule is None:
            return ""
        if rule["rule"] == self.PassRule.MAJORITY:
            return gettext("Passes if more than half of the votes cast are yes.")
        if rule["rule"] == self.PassRule.TWO_THIRDS:
            return gettext("Passes if at least two thirds of the votes cast are yes.")
        p = formats.number_format(Decimal(rule["percent"]))
        if rule["rule"] == self.PassRule.AT_LEAST:
            return gettext("Passes if at least %(p)s%% of the votes cast are yes.") % {"p": p}
        return gettext("Passes if more than %(p)s%% of the votes cast are yes.") % {"p": p}


class Trustee(models.Model):
    """One of the n people who together hold the decryption key. Their token lets the
    `concerted election trustee` steps post; only its hash is kept."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="trustees")
    index = models.PositiveSmallIntegerField()
    label = models.CharField(_("label"), max_length=60)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    box_public = models.CharField(max_length=64, blank=True)  # X25519, for the relayed shares
    dealer = models.JSONField(null=True, blank=True)  # Feldman commitments + proof of knowledge
    share_proof = models.JSONField(null=True, blank=True)  # proof the trustee holds its share
    partial = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["election", "index"], name="elections_trustee_index")]

    def __str__(self) -> str:
        return f"{self.election} — {self.label}"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        token = secrets.token_urlsafe(24)
        while token.startswith("-"):  # typed as `--token TOKEN`: a leading dash reads as an option
            token = secrets.token_urlsafe(24)
        return token

    @classmethod
    def create(cls, election: Election, index: int, label: str) -> tuple[Trustee, str]:
        token = cls.new_token()
        return cls.objects.create(election=election, index=index, label=label, token_hash=cls.hash_token(token)), token

    def reissue(self) -> str:
        """A new token for this trustee; the old one stops working. Only its hash is kept."""
        token = self.new_token()
        self.token_hash = self.hash_token(token)
        self.save(update_fields=["token_hash"])
        return token


class TrusteeMessage(models.Model):
    """A share from one trustee to another, sealed to the recipient's box key: the
    server relays it and cannot read it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="messages")
    sender = models.PositiveSmallIntegerField()
    recipient = models.PositiveSmallIntegerField()
    sealed = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "sender", "recipient"], name="elections_message_once")
        ]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient}"


class Credential(models.Model):
    """A public voting credential. Which member holds it is known only to the paper it
    was printed on; the list is shown sorted, not in upload order."""

    # A replacement card is added (and the lost one revoked) while voting is open: kept
    # in upload order, the late rows would pair the two credentials of one member.
    STORAGE_UNORDERED = True  # core.records: WITHOUT ROWID on SQLite, rewritten by tick

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="credentials")
    public = models.CharField(max_length=64)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["public"]
        constraints = [models.UniqueConstraint(fields=["election", "public"], name="elections_credential_once")]

    def __str__(self) -> str:
        return self.public


class Batch(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="batches")
    seq = models.PositiveIntegerField()
    day = models.DateField()
    prev = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    final = models.BooleanField(default=False)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["election", "seq"], name="elections_batch_seq")]

    def __str__(self) -> str:
        return f"{self.election} batch {self.seq}"


class Ballot(models.Model):
    """An encrypted ballot. `revision` orders one credential's revotes (the last
    counts) without any time; `batch` is empty until the ballot is published."""

    # One row per cast: in arrival order a seized copy would read the order (and, with
    # PostgreSQL's xmin, the time) of every vote, which the shuffled batches hide.
    STORAGE_UNORDERED = True  # core.records: WITHOUT ROWID on SQLite, rewritten by tick

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="ballots")
    tracker = models.CharField(max_length=64)
    credential = models.CharField(max_length=64)
    revision = models.PositiveIntegerField()
    body = models.JSONField()
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="ballots")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["election", "tracker"], name="elections_ballot_tracker"),
            models.UniqueConstraint(fields=["election", "credential", "revision"], name="elections_ballot_revision"),
        ]

    def __str__(self) -> str:
        return self.tracker


class SeenCiphertext(models.Model):
    """Every ciphertext's first half ever accepted: a ballot that reuses one is refused
    (a copied ballot), including after the ballot that had it was replaced."""

    # Written with each ballot: in arrival order it would give the cast order too.
    STORAGE_UNORDERED = True  # core.records: WITHOUT ROWID on SQLite, rewritten by tick

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    alpha = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["election", "alpha"], name="elections_alpha_once")]

    def __str__(self) -> str:
        return self.alpha
