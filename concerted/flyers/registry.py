"""The targets flyers know about. Adding a domain app is one function here."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from concerted.core.shortcodes import register_opener

from .targets import Flyer, register


def _opener(model: type, url_name: str) -> Callable[[str], str | None]:
    """code -> public path, for anything flyers can point at, unless it is a draft."""

    def opener(code: str) -> str | None:
        found = model.objects.filter(slug=code).exclude(status="draft").first()  # type: ignore[attr-defined]
        return reverse(url_name, args=[found.slug]) if found else None

    opener.__qualname__ = f"open_{url_name}"
    return opener


def register_petitions() -> None:
    from concerted.petitions.models import Petition

    def describe(petition: Petition) -> Flyer:
        return Flyer(
            kind=Petition.INVITE_KIND,
            kind_label=_("Petition"),
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
            pitch += "\n\n" + _("It only counts if %(n)d of us pledge by %(day)s; if not, every pledge is destroyed.") % {
                "n": threshold,
                "day": date_format(pledge.deadline, "j F Y"),
            }
        return Flyer(
            kind=Pledge.INVITE_KIND,
            kind_label=_("Pledge"),
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
            kind_label=_("Survey"),
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
            kind_label=_("Ballot on our demands"),
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


def register_all() -> None:
    register_petitions()
    register_pledges()
    register_surveys()
    register_ballots()
