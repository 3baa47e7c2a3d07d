"""What a flyer or an invite batch can point at: petitions, pledges, and whatever
registers next. Each entry turns a target id into the few things a flyer prints.

Flyers depend on the domain apps (never the reverse): a new domain app adds one
register() call here, in FlyersConfig.ready()."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import translation
from django.utils.functional import Promise

from concerted.campaigns.access import campaign_for_organizer
from concerted.core.public import public_url


@dataclass(frozen=True)
class Flyer:
    """Everything a flyer prints about its target."""

    kind: str  # invites target_kind: "petition", "pledge", ...
    kind_label: str | Promise  # lazily translated, in the page's language: "Petition"
    target_id: uuid.UUID
    campaign: Any
    headline: str
    pitch: str
    public_path: str  # /p/<slug>/
    dashboard_url: str
    requires_invite: bool
    is_public: bool  # False for drafts: the QR leads nowhere until it opens
    privacy: str = ""  # the line under the safety line; "" = names are sealed to the committee
    # The address as the server gave it, for cards printed again away from the server
    # (`concerted codes print`); "" = this installation's public address.
    url: str = ""

    @property
    def public_url(self) -> str:
        return self.url or public_url(self.public_path)

    def invite_url(self, code: str) -> str:
        return f"{self.public_url}?code={code}"


@dataclass(frozen=True)
class Target:
    kind: str
    model: type
    describe: Callable[[Any], Flyer]


_targets: dict[str, Target] = {}


def register(kind: str, model: type, describe: Callable[[Any], Flyer]) -> None:
    _targets[kind] = Target(kind, model, describe)


def kinds() -> list[str]:
    return list(_targets)


def lookup(kind: str, target_id: uuid.UUID | str) -> Flyer | None:
    target = _targets.get(kind)
    if target is None:
        return None
    obj = target.model.objects.select_related("campaign").filter(pk=target_id).first()  # type: ignore[attr-defined]
    if obj is None:
        return None
    # Paper speaks the campaign's language, whoever prints it, and its QR code carries
    # that language's prefix (/es/p/<slug>/).
    with translation.override(obj.campaign.language):
        return target.describe(obj)


def for_organizer(request: HttpRequest, kind: str, target_id: uuid.UUID) -> Flyer:
    """The target, if the signed-in user organizes its campaign; 404 for everyone else."""
    flyer = lookup(kind, target_id)
    if flyer is None:
        raise Http404
    campaign_for_organizer(request, flyer.campaign.pk)
    return flyer
