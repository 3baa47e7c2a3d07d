"""A release's audit can take minutes, and the server stays writable meanwhile.

It used to run inside the transaction that stores it: on SQLite (IMMEDIATE transactions)
that held the whole server's write lock, so every signature, pledge and card waited the
busy timeout and failed; on PostgreSQL the survey's row lock held up its responses."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError, connection, connections

from concerted.surveys import answering, releases
from concerted.surveys.models import Release

from .conftest import add_responses

pytestmark = pytest.mark.django_db(transaction=True)

BASE = [(0, 0, 0)] * 10 + [(0, 1, 1)] * 10 + [(1, 0, 0)] * 10 + [(1, 1, 1)] * 10 + [(2, 0, 0)] * 5 + [(2, 1, 1)] * 5


def _respond_from_another_connection(survey, seconds: dict[str, object]) -> None:
    """A coworker's response, sent while the release is being computed."""
    try:
        with connection.cursor() as cursor:
            # Wait at most 3 s for a lock, so a held lock fails the test instead of hanging it.
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA busy_timeout = 3000")
            else:
                cursor.execute("SET lock_timeout = '3s'")
        qs = survey.ordered_questions()
        started = time.monotonic()
        answering.submit(survey, {qs[0].pk: 1, qs[1].pk: 1, qs[2].pk: 0}, {})
        seconds["took"] = time.monotonic() - started
    except OperationalError as waited:
        seconds["error"] = waited
    finally:
        connections.close_all()


def _during_the_audit(monkeypatch, action) -> None:
    real = releases.compute_release

    def audit_then_act(*args, **kwargs):
        payload = real(*args, **kwargs)
        action()
        return payload

    monkeypatch.setattr(releases, "compute_release", audit_then_act)


def test_it_lets_coworkers_respond_while_a_release_is_computed(published, monkeypatch):
    add_responses(published, BASE)
    seen: dict[str, object] = {}

    def coworker_responds() -> None:
        thread = threading.Thread(target=_respond_from_another_connection, args=(published, seen))
        thread.start()
        thread.join()

    _during_the_audit(monkeypatch, coworker_responds)
    made = releases.make(published)
    assert "error" not in seen, seen
    assert seen["took"] < 2
    # The release is of the responses it started with; the late one waits for the next.
    assert made.sizes["all"] == len(BASE)
    assert published.responses.count() == len(BASE) + 1


def test_it_stores_nothing_when_another_release_was_made_meanwhile(published, monkeypatch):
    add_responses(published, BASE)
    real_make = releases.make
    inner: list[Release] = []

    def another_organizer_releases() -> None:
        if not inner:
            monkeypatch.setattr(releases, "compute_release", real_compute)
            inner.append(real_make(published))

    real_compute = releases.compute_release
    _during_the_audit(monkeypatch, another_organizer_releases)
    with pytest.raises(releases.NotReady, match="Another release was made"):
        releases.make(published)
    assert list(Release.objects.filter(survey=published).values_list("number", flat=True)) == [1]
    assert inner[0].number == 1


def test_it_stores_nothing_when_the_smallest_group_changed_meanwhile(published, monkeypatch):
    add_responses(published, BASE)

    def organizer_raises_the_smallest_group() -> None:
        type(published).objects.filter(pk=published.pk).update(min_group=published.min_group + 5)

    _during_the_audit(monkeypatch, organizer_raises_the_smallest_group)
    with pytest.raises(releases.NotReady):
        releases.make(published)
    assert not Release.objects.filter(survey=published).exists()
