"""What a campaign holds, gathered from every domain app without importing them.

Each domain app registers a provider in its AppConfig.ready(); the campaign page and
the "does this campaign hold sealed records?" check ask all of them. This keeps
imports flowing one way: domain apps know campaigns, never the reverse."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Campaign


@dataclass
class Item:
    kind: str  # translated, e.g. "Petition"
    title: str
    status: str
    total: int  # sealed records it holds, exactly: for signed-in organizers only
    organizer_url: str
    public_url: str = ""
    # The count as last released (concerted.core.releases): the only count a shared or
    # printed document may show. None: this kind has no released count.
    shared_total: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


Provider = Callable[["Campaign"], list[Item]]
_providers: list[Provider] = []


def register(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def campaign_items(campaign: Campaign) -> list[Item]:
    items: list[Item] = []
    for provider in _providers:
        items.extend(provider(campaign))
    return items


@dataclass
class Action:
    label: str  # translated lazily by the registering app
    url_name: str  # a URL name that takes campaign_id


_actions: list[Action] = []


def register_action(label: str, url_name: str) -> None:
    """A "start a ..." button on the campaign page, e.g. ("Start a pledge", "pledges:new")."""
    if all(a.url_name != url_name for a in _actions):
        _actions.append(Action(label, url_name))


def campaign_actions() -> list[Action]:
    return list(_actions)
