"""The pledge's rules: threshold, states, lapse, confirmation (models and service)."""

from __future__ import annotations

import pytest

from concerted.pledges import pledging
from concerted.pledges.models import CONFIRM_GRACE_DAYS, Commitment, Pledge, State

from .conftest import move_deadline

pytestmark = pytest.mark.django_db


def test_it_counts_a_threshold_in_people_or_as_a_share_rounded_up(make_pledge, campaign):
    assert make_pledge(threshold_count=7).threshold() == 7
    campaign.unit_size = 7
    campaign.save()
    draft = make_pledge(status="draft", threshold_count=None, threshold_percent=40)
    assert draft.threshold() == 3  # 2.8 people rounds up


def test_the_threshold_is_fixed_when_the_pledge_opens(make_pledge, campaign):
    pledge = make_pledge(threshold_count=None, threshold_percent=40)  # unit of 100
    assert pledge.threshold() == 40
    campaign.unit_size = 10
    campaign.save()
    pledge = Pledge.objects.get(pk=pledge.pk)
    assert pledge.threshold() == 40


def test_it_goes_open_reached_and_back_when_someone_withdraws(pledge, add_pledges):
    add_pledges(pledge, 4)
    assert pledge.state() == State.OPEN
    add_pledges(pledge, 1)
    assert pledge.state() == State.REACHED
    pledging.withdraw(Commitment.objects.first())
    assert pledge.state() == State.OPEN


def test_lapse_is_due_only_after_the_deadline_without_a_confirmed_threshold(pledge, add_pledges):
    assert not pledge.lapse_due()
    move_deadline(pledge, 0)
    assert not pledge.lapse_due()  # the deadline day still counts
    move_deadline(pledge, -1)
    assert pledge.lapse_due()
    add_pledges(pledge, 0)


def test_a_reached_pledge_waits_for_confirmation_then_lapses(pledge, add_pledges):
    add_pledges(pledge, 5)
    move_deadline(pledge, -1)
    assert pledge.state() == State.REACHED
    assert not pledge.lapse_due()
    assert pledge.can_confirm()
    move_deadline(pledge, -CONFIRM_GRACE_DAYS - 1)
    assert pledge.lapse_due()
    assert not pledge.can_confirm()
    assert not pledge.confirm(pledge.count())
    assert pledge.lapse_if_due()
    assert pledge.state() == State.LAPSED
    assert not Commitment.objects.exists()


def test_lapse_destroys_rows_once(pledge, add_pledges):
    add_pledges(pledge, 3)
    move_deadline(pledge, -1)
    assert pledge.lapse_if_due() is True
    assert pledge.lapse_if_due() is False
    assert Pledge.objects.get(pk=pledge.pk).lapse_if_due() is False  # a stale copy, too
    pledge.refresh_from_db()
    assert pledge.status == Pledge.Status.LAPSED
    assert pledge.lapsed_on is not None
    assert not Commitment.objects.exists()


def test_a_stale_copy_does_not_lapse_a_pledge_confirmed_meanwhile(pledge, add_pledges):
    add_pledges(pledge, 5)
    stale = Pledge.objects.get(pk=pledge.pk)
    move_deadline(pledge, -1)
    assert pledge.confirm(pledge.count())
    # The stale copy still thinks the pledge is open; the locked re-check inside says no.
    move_deadline(stale, -CONFIRM_GRACE_DAYS - 1)
    stale.status = Pledge.Status.OPEN
    assert stale._destroy(only_if_due=True) is False
    assert Commitment.objects.count() == 5


def test_confirm_needs_the_threshold(pledge, add_pledges):
    add_pledges(pledge, 4)
    assert not pledge.confirm(pledge.count())
    add_pledges(pledge, 1)
    assert pledge.confirm(pledge.count())
    assert pledge.state() == State.ACTIVE
    assert pledge.confirmed_on is not None
    assert not pledge.confirm(pledge.count())  # once


def test_an_active_pledge_never_lapses_and_cant_be_withdrawn_from(pledge, add_pledges):
    add_pledges(pledge, 5)
    pledge.confirm(pledge.count())
    move_deadline(pledge, -100)
    assert not pledge.lapse_if_due()
    with pytest.raises(pledging.CannotWithdraw):
        pledging.withdraw(Commitment.objects.first())
    assert Commitment.objects.count() == 5


def test_no_pledges_are_taken_after_the_deadline(pledge):
    move_deadline(pledge, -1)
    with pytest.raises(pledging.NotAccepting):
        pledging.pledge(pledge, {"name": "Late Larry", "contact": ""})
    assert not Commitment.objects.exists()


def test_calling_off_destroys_like_a_lapse(pledge, add_pledges):
    add_pledges(pledge, 2)
    assert pledge.call_off()
    assert pledge.state() == State.LAPSED
    assert not Commitment.objects.exists()
    assert not pledge.call_off()


def test_rows_hold_the_day_and_nothing_else_identifying():
    fields = {f.name for f in Commitment._meta.get_fields()}
    assert fields == {"id", "pledge", "sealed", "receipt_hash", "day", "may_message", "stop_hash"}
