"""Threshold pledges: "I will ... if at least N of us pledge too, by DATE".

The states a pledge goes through (DESIGN invariants 5 and 6):

    draft ──open──▶ open ──(count ≥ threshold)──▶ reached ──organizer confirms──▶ active
                      │                              │
                      └─ deadline passed, not reached ┴─ not confirmed within CONFIRM_GRACE_DAYS
                                    ▼                        after the deadline
                                 lapsed: every sealed pledge row is deleted

"Reached" is not stored: it is computed from the count, so a withdrawal can take a
pledge back to "open". Reaching the threshold publishes and sends nothing; an organizer
confirms with a POST. Withdrawing is possible while the pledge is open or reached, and
no longer once it is active (the committee may already have opened the names) or
lapsed (nothing is left to withdraw). The terms (promise, threshold, deadline) are
fixed once the pledge opens, because that is what people pledged to.

Lapse is handled without a daemon: `concerted tick` (cron) and a check on every page
that shows the pledge both call Pledge.lapse_if_due()."""

from __future__ import annotations

import datetime
import uuid

from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from concerted.campaigns.models import Campaign
from concerted.core import records, releases
from concerted.core.days import local_today, today
from concerted.core.kanon import MIN_COUNT
from concerted.core.shortcodes import short_slug
from concerted.core.translations import Translatable

PLEDGE_KIND = "pledges.pledge"
# Days after the deadline in which organizers may still confirm a pledge that reached
# its threshold in time. After that the sealed pledges are destroyed.
CONFIRM_GRACE_DAYS = 7
# A threshold under 5 would expose people in a group too small to hide in (invariant 4).
MIN_THRESHOLD = MIN_COUNT


class State(models.TextChoices):
    """What a participant or organizer sees; `reached` is computed, never stored."""

    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    REACHED = "reached", _("Enough submissions (may include repeats): the committee counts different people")
    ACTIVE = "active", _("Active: confirmed by the committee")
    LAPSED = "lapsed", _("Lapsed: every pledge destroyed")


class Pledge(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        ACTIVE = "active", _("Active")
        LAPSED = "lapsed", _("Lapsed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pledges")
    slug = models.SlugField(unique=True, max_length=16, default=short_slug, editable=False)
    title = models.CharField(_("title"), max_length=200, help_text=_("e.g. “Refuse the keystroke tracker”"))
    promise = models.CharField(
        _("what each person pledges"),
        max_length=500,
        help_text=_("One sentence, in the first person: “I will decline to install the tracker on my laptop.”"),
    )
    body = models.TextField(_("why (optional)"), max_length=10000, blank=True)
    threshold_count = models.PositiveIntegerField(_("threshold (people)"), null=True, blank=True)
    threshold_percent = models.PositiveSmallIntegerField(
        _("threshold (% of the unit)"),
        null=True,
        blank=True,
        help_text=_("Used when the campaign has a unit size; rounded up to whole people."),
    )
    deadline = models.DateField(_("deadline"), help_text=_("The last day pledges count (YYYY-MM-DD)."))
    requires_invite = models.BooleanField(
        _("verified coworkers only"),
        default=False,
        help_text=_(
            "Pledging needs a single-use invite code from a card the committee hands out. "
            "Make the codes on the pledge's page under “Flyers and invite codes”."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The threshold in people, fixed when the pledge opens (the unit size may change later).
    threshold_fixed = models.PositiveIntegerField(null=True, blank=True, editable=False)
    confirmed_on = models.DateField(null=True, blank=True, editable=False)
    lapsed_on = models.DateField(null=True, blank=True, editable=False)
    # Different people the committee counted on its machine when it confirmed (repeats removed).
    confirmed_count = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created = models.DateField(auto_now_add=True)

    INVITE_KIND = "pledge"  # target_kind for concerted.invites and concerted.flyers
    TRANSLATED = ("title", "promise", "body")

    class Meta:
        ordering = ["-created", "title"]

    def __str__(self) -> str:
        return self.title

    def organizer_url(self) -> str:
        # The dashboard: the edit page closes once the pledge opens, a translation doesn't.
        return reverse("pledges:dashboard", args=[self.pk])

    def content_locked(self) -> bool:
        """The terms are fixed once the pledge opens (pledge_edit), in every language."""
        return self.status != self.Status.DRAFT

    # --- threshold and state -------------------------------------------------------
    def threshold(self) -> int | None:
        """People needed: fixed at opening; before that, a count or a share of the unit rounded up."""
        if self.threshold_fixed:
            return self.threshold_fixed
        if self.threshold_count:
            return self.threshold_count
        if self.threshold_percent and self.campaign.unit_size:
            return -(-self.campaign.unit_size * self.threshold_percent // 100)  # rounded up, in whole numbers
        return None

    def count(self) -> int:
        """The exact count: for organizers and the pledge's own rules, never for public pages."""
        return self.commitments.count()

    def public_count(self) -> int:
        """The count as last released (concerted.core.releases): what public pages show,
        so a threshold crossing becomes visible only at a release."""
        return int(releases.figures(self).get("count", 0))

    def confirm_by(self) -> datetime.date:
        return self.deadline + datetime.timedelta(days=CONFIRM_GRACE_DAYS)

    def state(self, count: int | None = None) -> State:
        if self.status == self.Status.DRAFT:
            return State.DRAFT
        if self.status == self.Status.ACTIVE:
            return State.ACTIVE
        if self.status == self.Status.LAPSED:
            return State.LAPSED
        count = self.count() if count is None else count
        threshold = self.threshold()
        return State.REACHED if threshold and count >= threshold else State.OPEN

    # The deadline and the end of the grace period are dates the organizer typed and
    # coworkers read as their own: they end at midnight in CONCERTED_TIME_ZONE, so `day`
    # defaults to the installation's date, not the UTC day stamps are stored with.
    def lapse_due(self, count: int | None = None, day: datetime.date | None = None) -> bool:
        """Open, the deadline passed, and either not reached or not confirmed in the grace period."""
        if self.status != self.Status.OPEN:
            return False
        day = day or local_today()
        if day <= self.deadline:
            return False
        if day > self.confirm_by():
            return True
        return self.state(count) != State.REACHED

    def accepting(self, day: datetime.date | None = None) -> bool:
        """New pledges are taken while open (reached included) up to the end of the deadline day."""
        return self.status == self.Status.OPEN and (day or local_today()) <= self.deadline

    def can_withdraw(self) -> bool:
        return self.status == self.Status.OPEN

    def can_confirm(self, count: int | None = None, day: datetime.date | None = None) -> bool:
        return self.state(count) == State.REACHED and (day or local_today()) <= self.confirm_by()

    # --- transitions ----------------------------------------------------------------
    def lapse_if_due(self) -> bool:
        """Destroy every sealed pledge if the deadline passed without a confirmed threshold.

        Idempotent and safe under concurrency: the pledge row is locked and the rule
        checked again inside the transaction, so two callers (cron and a page view)
        destroy once. Returns True if this call destroyed the pledges."""
        if not self.lapse_due():
            return False
        return self._destroy(only_if_due=True)

    def call_off(self) -> bool:
        """An organizer ends an open pledge early: the same destruction as a lapse."""
        if self.status != self.Status.OPEN:
            return False
        return self._destroy(only_if_due=False)

    def _destroy(self, *, only_if_due: bool) -> bool:
        with transaction.atomic():
            locked = Pledge.objects.select_for_update().get(pk=self.pk)
            if locked.status != self.Status.OPEN or (only_if_due and not locked.lapse_due()):
                self.refresh_from_db()
                return False
            # The one erase path: rows deleted, then purged from the WAL / heap on commit.
            records.erase(Commitment.objects.filter(pledge=locked))
            locked.status = self.Status.LAPSED
            locked.lapsed_on = today()
            locked.save(update_fields=["status", "lapsed_on"])
        self.refresh_from_db()
        return True

    def open(self) -> None:
        self.threshold_fixed = self.threshold()
        self.status = self.Status.OPEN
        self.save(update_fields=["threshold_fixed", "status"])

    def confirm(self, unique_count: int) -> bool:
        """Organizer confirms a reached pledge on the committee's de-duplicated count.

        The server keeps every submission (it can't tell repeats from new people without
        becoming an oracle), so "reached" only means enough submissions. The committee
        opens the records on its own machine, where `concerted reveal` finds repeats, and
        confirms with the number of different people: only that number at or above the
        threshold activates the pledge. Checked again under a lock."""
        with transaction.atomic():
            locked = Pledge.objects.select_for_update().get(pk=self.pk)
            threshold = locked.threshold() or 0
            submissions = locked.count()
            if not locked.can_confirm(submissions) or not threshold <= unique_count <= submissions:
                return False
            locked.status = self.Status.ACTIVE
            locked.confirmed_on = today()
            locked.confirmed_count = unique_count
            locked.save(update_fields=["status", "confirmed_on", "confirmed_count"])
        self.refresh_from_db()
        return True


class Commitment(records.ReceiptRecord):
    """One person's pledge. Everything identifying is in `sealed`; the row keeps the
    day and the receipt's hash. No contact hash (see core/records.py)."""

    KIND = PLEDGE_KIND
    PARENT = "pledge"

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="commitments")


def live_figures(pledge: Pledge) -> dict[str, int]:
    return {"count": pledge.count()}


RELEASE = releases.Kind(
    name="pledges.pledge",
    subject=Pledge,
    rows=Commitment,
    parent="pledge",
    live_figures=live_figures,
)
