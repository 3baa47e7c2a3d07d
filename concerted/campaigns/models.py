from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from nacl.public import PublicKey

from concerted.core import keys, pagecache, releases


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("campaign name"), max_length=200)
    committee_name = models.CharField(
        _("who runs it"),
        max_length=200,
        help_text=_("Shown to coworkers instead of names, e.g. “The Acme Workers Organizing Committee”."),
    )
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    public_key = models.CharField(_("committee public key"), max_length=200, blank=True)
    employer_domains = models.TextField(
        _("employer email domains"),
        blank=True,
        help_text=_("One per line, e.g. acme.com. Addresses at these domains are refused on every form."),
    )
    # No workplace campaign is bigger: a goal or threshold above this is a typo that,
    # once the petition or pledge opens, is locked and printed on every page and flyer.
    LARGEST_UNIT = 1_000_000

    unit_size = models.PositiveIntegerField(
        _("bargaining unit size"), null=True, blank=True, help_text=_("How many coworkers the campaign covers.")
    )
    release_times = models.CharField(
        _("public figures update at"),
        max_length=100,
        default=releases.DEFAULT_TIMES,
        help_text=_(
            "Times of day (24-hour clock, server time) when public counts may change, e.g. 08:00 12:00 16:00 "
            "20:00. At each time they change only if at least 5 people acted since the last change."
        ),
    )
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="campaigns", through="Membership")
    jurisdiction = models.CharField(
        _("where the workers are"),
        max_length=10,
        choices=[("us", _("United States (private sector, NLRA)")), ("", _("Elsewhere, or several countries"))],
        blank=True,
        default="",
        help_text=_(
            "Only for the US does Concerted name a labor board or say what the law protects (see docs/CARDS.md). "
            "Elsewhere it uses neutral wording: check your own law with your union."
        ),
    )
    language = models.CharField(
        _("main language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "Flyers and their QR codes use it; coworkers see a text in their own language when you give one, "
            "otherwise in this one."
        ),
    )
    require_two_factor = models.BooleanField(
        _("require two-factor sign-in"),
        default=False,
        help_text=_("Every organizer of this campaign must sign in with a one-time code from an app."),
    )
    created = models.DateField(auto_now_add=True)
    # Bumped when something a public page shows changes outside the subject's and this
    # row's own fields (a release, a segment): part of every cached page's key, and read
    # with the subject anyway, so every server process sees the change at once
    # (concerted/core/pagecache.py). Never bumped by a participant's action.
    public_version = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_us(self) -> bool:
        return self.jurisdiction == "us"

    @property
    def has_key(self) -> bool:
        return bool(self.public_key)

    def nacl_public_key(self) -> PublicKey:
        return keys.parse_public(self.public_key)

    def employer_domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.employer_domains.split() if d.strip()]

    def segment_choices(self, kind: str) -> list[tuple[int, str]]:
        """(pk, label) of this campaign's groups of one kind, for a participant form: the
        same for every visitor, so kept per process until `public_version` moves."""
        if not kind:
            return []
        return pagecache.memoized(
            f"segments:{self.pk}:{kind}",
            self.public_version,
            lambda: [(pk, label) for pk, label in self.segments.filter(kind=kind).values_list("pk", "label")],
        )

    def is_organizer(self, user: object) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and self.organizers.filter(pk=user.pk).exists()  # type: ignore[attr-defined]

    def role_of(self, user: object) -> str | None:
        if not getattr(user, "is_authenticated", False):
            return None
        return self.memberships.filter(user=user).values_list("role", flat=True).first()  # type: ignore[attr-defined]


class Role(models.TextChoices):
    """Ordered from most to least power; `Membership.allows` compares by this order."""

    OWNER = "owner", _("Owner")
    ORGANIZER = "organizer", _("Organizer")
    READ_ONLY = "read-only", _("Read-only")


ROLE_RANK = {Role.OWNER: 3, Role.ORGANIZER: 2, Role.READ_ONLY: 1}

ROLE_HELP = {
    Role.OWNER: _("everything, plus the committee key, managing the team and requiring two-factor sign-in"),
    Role.ORGANIZER: _("writes, opens and closes petitions, pledges, drives and surveys; invites organizers"),
    Role.READ_ONLY: _("sees dashboards and downloads sealed exports; changes nothing"),
}


def role_allows(role: str | None, needed: str) -> bool:
    return role is not None and ROLE_RANK.get(role, 0) >= ROLE_RANK[needed]  # type: ignore[index]


class Membership(models.Model):
    """Who organizes a campaign, and with which role. Lives in the table Django made
    for the plain many-to-many field, so existing organizers kept their access."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.ORGANIZER)

    class Meta:
        db_table = "campaigns_campaign_organizers"
        unique_together = [("campaign", "user")]  # what the many-to-many table already had

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class OrganizerInvite(models.Model):
    """A single-use link that lets someone join a campaign as a co-organizer. Only the
    hash of the link's code is kept; the link expires."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="invites")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.ORGANIZER)
    note = models.CharField(
        _("note for yourselves"), max_length=100, help_text=_("Who it is for, e.g. “Sam from Support”.")
    )
    code_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    expires = models.DateTimeField()

    class Meta:
        ordering = ["expires"]

    def __str__(self) -> str:
        return self.note

    @property
    def expired(self) -> bool:
        from django.utils import timezone

        return self.expires <= timezone.now()

    def still_backed(self) -> bool:
        """Whether whoever made the invite could make it today: still on the team, with
        the power it hands out. Removing or demoting someone ends the invites they made
        (`cancel_unbacked_invites`); this check at the door covers the rest, so a removed
        member can't walk back in through a link they kept."""
        if self.invited_by_id is None:
            return False
        role = (
            Membership.objects.filter(campaign_id=self.campaign_id, user_id=self.invited_by_id)
            .values_list("role", flat=True)
            .first()
        )
        return role_allows(role, Role.ORGANIZER) and role_allows(role, self.role)


def cancel_unbacked_invites(campaign: Campaign, user: Any) -> int:
    """Delete the open invites `user` made that they could no longer make; how many."""
    unbacked = [i.pk for i in campaign.invites.filter(invited_by=user) if not i.still_backed()]  # type: ignore[attr-defined]
    return OrganizerInvite.objects.filter(pk__in=unbacked).delete()[0]


class Segment(models.Model):
    """A non-identifying group coworkers may say they belong to: team, site, shift."""

    class Kind(models.TextChoices):
        TEAM = "team", _("Team")
        SITE = "site", _("Site")
        SHIFT = "shift", _("Shift")
        ROLE = "role", _("Role")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="segments")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEAM)
    label = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["kind", "label"]
        constraints = [models.UniqueConstraint(fields=["campaign", "kind", "label"], name="unique_segment")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label}"


def _bump_public_version(sender: object, campaign: Campaign | Any, **kwargs: Any) -> None:
    pk = getattr(campaign, "pk", campaign)
    Campaign.objects.filter(pk=pk).update(public_version=models.F("public_version") + 1)
