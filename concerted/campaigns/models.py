from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from nacl.public import PublicKey

from concerted.core import keys, releases


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
    organizers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="campaigns")
    created = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_key(self) -> bool:
        return bool(self.public_key)

    def nacl_public_key(self) -> PublicKey:
        return keys.parse_public(self.public_key)

    def employer_domain_list(self) -> list[str]:
        return [d.strip().lower().lstrip("@") for d in self.employer_domains.split() if d.strip()]

    def is_organizer(self, user: object) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and self.organizers.filter(pk=user.pk).exists()  # type: ignore[attr-defined]


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
