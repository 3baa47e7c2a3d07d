"""The targets flyers know about. Adding a domain app is one function here.

Each describe() runs in the campaign's language (targets.lookup), for what the paper
prints; `kind_label` is only read on the organizer's page, so it is lazy: translated
there, in the organizer's language (a Portuguese page says "(petição)", not the
English "(petition)" of an English campaign)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.shortcodes import register_opener

from .targets import Flyer, register


def _opener(model: type, url_name: str, hidden_status: str | None = "draft") -> Callable[[str], str | None]:
    """code -> public path, for anything with public pages, unless it is in the state
    whose pages answer 404 (a draft): a wrong code and a hidden one look the same."""

    def opener(code: str) -> str | None:
        found = model.objects.filter(slug=code)  # type: ignore[attr-defined]
        if hidden_status is not None:
            found = found.exclude(status=hidden_status)
        first = found.first()
        return reverse(url_name, args=[first.slug]) if first else None

    opener.__qualname__ = f"open_{url_name}"
    return opener


def register_petitions() -> None:
    from concerted.petitions.models import Petition

    def describe(petition: Petition) -> Flyer:
        return Flyer(
            kind=Petition.INVITE_KIND,
            kind_label=gettext_lazy("Petition"),
            target_id=petition.pk,
            campaign=petition.campaign,
            headline=petition.title,
            pitch=petition.body,
            public_path=reverse("petitions:sign", args=[petition.slug]),
            dashboard_url=reverse("petitions:dashboard", args=[petition.pk]),
            requires_invite=petition.requires_invite,
            is_public=petition.status != Petition.Status.DRAFT,
        )

    register(Petition.INVITE_KIND, Petition, describe)
    register_opener(_opener(Petition, "petitions:sign"))


def register_pledges() -> None:
    from concerted.pledges.models import Pledge

    def describe(pledge: Pledge) -> Flyer:
        pitch = pledge.promise
        threshold = pledge.threshold()
        if threshold:
            pitch += "\n\n" + _(
                "It only counts if %(n)d of us pledge by %(day)s; if not, every pledge is destroyed."
            ) % {
                "n": threshold,
                "day": date_format(pledge.deadline),
            }
        return Flyer(
            kind=Pledge.INVITE_KIND,
            kind_label=gettext_lazy("Pledge"),
            target_id=pledge.pk,
            campaign=pledge.campaign,
            headline=pledge.title,
            pitch=pitch + ("\n\n" + pledge.body if pledge.body else ""),
            public_path=reverse("pledges:pledge", args=[pledge.slug]),
            dashboard_url=reverse("pledges:dashboard", args=[pledge.pk]),
            requires_invite=pledge.requires_invite,
            is_public=pledge.status != Pledge.Status.DRAFT,
        )

    register(Pledge.INVITE_KIND, Pledge, describe)
    register_opener(_opener(Pledge, "pledges:pledge"))


def register_surveys() -> None:
    from concerted.surveys.models import Survey

    def describe(survey: Survey) -> Flyer:
        return Flyer(
            kind=Survey.INVITE_KIND,
            kind_label=gettext_lazy("Survey"),
            target_id=survey.pk,
            campaign=survey.campaign,
            headline=survey.title,
            pitch=survey.intro or _("An anonymous survey from your coworkers."),
            public_path=reverse("surveys:answer", args=[survey.slug]),
            dashboard_url=reverse("surveys:builder", args=[survey.pk]),
            requires_invite=survey.one_per_invite,
            is_public=survey.status != Survey.Status.DRAFT,
            privacy=_("Your answers are anonymous: no name is asked, and only the day is kept."),
        )

    register(Survey.INVITE_KIND, Survey, describe)
    register_opener(_opener(Survey, "surveys:answer"))


def register_ballots() -> None:
    """Ballot codes for the bargaining kit's demands board: one vote per card."""
    from concerted.bargaining.filing import BALLOT_TARGET
    from concerted.bargaining.models import Kit

    def describe(kit: Kit) -> Flyer:
        return Flyer(
            kind=BALLOT_TARGET,
            kind_label=gettext_lazy("Ballot on our demands"),
            target_id=kit.pk,
            campaign=kit.campaign,
            headline=_("Vote on our demands about AI at work"),
            pitch=_(
                "Rank the demands the committee will bargain for. One vote per card; the ballot keeps no name, "
                "no code and no date."
            ),
            public_path=reverse("bargaining:vote", args=[kit.slug]),
            dashboard_url=reverse("bargaining:dashboard", args=[kit.pk]),
            requires_invite=True,
            is_public=kit.voting_open,
            privacy=_("Your vote is anonymous: it is stored without your name, your code or the date."),
        )

    register(BALLOT_TARGET, Kit, describe)
    register_opener(_opener(Kit, "bargaining:home", hidden_status=None))


def register_other_openers() -> None:
    """Public pages that no flyer of this app prints, but whose code a coworker may be
    given by word of mouth or on the committee's own paper: a card drive, an election."""
    from concerted.cards.models import BargainingUnit
    from concerted.elections.models import Election

    register_opener(_opener(BargainingUnit, "cards:sign", hidden_status=BargainingUnit.Status.DRAFT))
    register_opener(_opener(Election, "elections:vote", hidden_status=Election.Status.SETUP))


def register_all() -> None:
    register_petitions()
    register_pledges()
    register_surveys()
    register_ballots()
    register_other_openers()
