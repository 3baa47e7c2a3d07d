"""Shared fixtures: a campaign with an owner, a co-organizer (teammate), an organizer
of another campaign (outsider), and the committee keypair made as an organizer would."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from nacl.public import PrivateKey

from concerted.core import keys

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def _isolated_data_dir(request, settings, tmp_path):
    settings.CODE_KEY = "ab" * 32
    # The leak tests run with the rate limiter on, so that whatever it keeps is in what
    # they read; every test starts with empty counters and a new limiter key, so the few
    # posts a leak test makes are never refused. Elsewhere it is off: the fuzz and form
    # tests post far more than a person would.
    from django.core.cache import caches

    caches["ratelimit"].clear()
    settings.RATELIMIT_ENABLE = request.node.path.name == "test_leaks.py" or bool(
        request.node.get_closest_marker("ratelimit")
    )
    if request.node.get_closest_marker("ratelimit"):
        # The limiter counts in fixed windows whose edges are spread over the clock. A
        # test that counts "the third post is refused" must not straddle an edge (a slow,
        # shared CI machine makes a 1-minute window roll over mid-test now and then), so
        # each test sees one window: the edge is pinned an hour ahead.
        import time

        import django_ratelimit.core

        edge = int(time.time()) + 3600
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda _value, _period: edge)


@pytest.fixture(autouse=True)
def _english_to_start_with(monkeypatch):
    """Every test starts in the default language. Django keeps the active language per
    thread, and reverse() puts it in the path, so a test that activated Portuguese and
    left it would send the next test's requests to /pt/. Commands speak the terminal's
    language (core/management/base.py): a developer's LANG=de_DE must not turn the
    English a test expects into German, in this process or in a command it spawns."""
    from django.utils import translation

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def private_key() -> PrivateKey:
    return PrivateKey.generate()


@pytest.fixture
def key_file(tmp_path, private_key):
    """The committee's private key in a file, as `--key committee.key` reads it (0600)."""
    from concerted.core import keys

    path = tmp_path / "committee.key"
    path.write_text(keys.format_private(private_key))
    path.chmod(0o600)
    return path


@pytest.fixture
def make_user(django_user_model):
    def make(username: str):
        return django_user_model.objects.create_user(username=username, password=PASSWORD)

    return make


@pytest.fixture
def owner(make_user):
    return make_user("owner")


@pytest.fixture
def teammate(make_user):
    return make_user("teammate")


@pytest.fixture
def outsider(make_user):
    return make_user("outsider")


@pytest.fixture
def campaign(owner, teammate, outsider, private_key):
    from concerted.campaigns.models import Campaign, Segment

    campaign = Campaign.objects.create(
        name="Acme privacy",
        committee_name="Acme Workers Committee",
        employer_name="Acme",
        employer_domains="acme.com\nacme-corp.example",
        unit_size=100,
        public_key=keys.format_public(private_key.public_key),
    )
    campaign.organizers.add(owner, through_defaults={"role": "owner"})
    campaign.organizers.add(teammate)
    other = Campaign.objects.create(name="Elsewhere", committee_name="Other committee")
    other.organizers.add(outsider, through_defaults={"role": "owner"})
    for label in ["Platform", "Support", "Data"]:
        Segment.objects.create(campaign=campaign, kind="team", label=label)
    return campaign


@pytest.fixture
def petition(campaign):
    from concerted.petitions.models import Petition

    return Petition.objects.create(
        campaign=campaign,
        title="End keystroke tracking",
        body="Switch the tracker off.",
        addressee="Acme management",
        goal_count=10,
        segment_kind="team",
        status=Petition.Status.OPEN,
    )


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user(owner, teammate, outsider):
    """as_user("owner" | "teammate" | "outsider" | "anonymous") -> Client"""
    users = {"owner": owner, "teammate": teammate, "outsider": outsider, "anonymous": None}
    return lambda name: client_for(users[name])


@pytest.fixture(autouse=True)
def _no_cached_pages():
    # Cached participant pages live in process memory: each test starts without them.
    from django.core.cache import caches

    caches["pages"].clear()


@pytest.fixture
def clock(monkeypatch):
    """The release clock stands still at 09:30, between the 08:00 and 12:00 releases;
    a test moves it with clock["now"] = ..."""
    from concerted.core import releases

    state = {"now": datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)}
    monkeypatch.setattr(releases, "now", lambda: state["now"])
    return state


@pytest.fixture
def zone_and_clock(settings, monkeypatch):
    """zone_and_clock(zone, moment): the installation's zone (CONCERTED_TIME_ZONE) and
    the clock, for one test. The next-release memo in pagecache is per process: start and
    end without it."""
    from django.utils import timezone

    from concerted.core import pagecache

    def use(zone: str, moment: datetime.datetime) -> None:
        settings.TIME_ZONE = zone
        monkeypatch.setattr(timezone, "now", lambda: moment)
        pagecache._next_cache.clear()

    yield use
    pagecache._next_cache.clear()
