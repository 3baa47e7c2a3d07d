"""Releases: public figures move in steps that hide single arrivals (DESIGN invariant 11).

An informant can poll a public page every second. If a counter moved the moment one
person signed (48 -> 49), polling would give each arrival's time, which day-only storage
is meant to hide. So every figure derived from participant rows that someone without
the committee key can see -- counters, progress bars, a pledge's "reached" state, printed
and exported figures -- is read from a *release*, not from the rows:

- each subject (a petition, a pledge, a card drive, ...) has one Release row holding the
  figures last released and how many participant actions (arrivals *and* withdrawals)
  came in since;
- `concerted tick` (cron) releases new figures only at the first tick after one of the
  campaign's scheduled times, and only when at least MIN_ACTIONS actions are pending;
  otherwise the figures stay;
- an organizer may force a release at another time, but only when the same rule is met.

Domain apps register what they release once, in their AppConfig.ready():

    releases.register(releases.Kind(
        name="petitions.petition", subject=Petition, rows=Signature, parent="petition",
        live=lambda p: {"total": Signature.objects.filter(petition=p).count()},
        campaign=lambda p: p.campaign,
    ))

and read released figures with `releases.figures(subject)`. Actions are counted by
model signals on the registered row model, in the participant's own transaction, so no
app can forget to count one. Organizers see exact current figures through
`releases.status(subject)`, marked "not for sharing".

The first time a subject is seen (page view or first action) its current figures become
its baseline, taken before the action that triggered it is stored."""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models.signals import post_delete, pre_delete, pre_save
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from . import breakdowns, pagecache
from .kanon import MIN_COUNT, Cell
from .models import Release, ReleaseClock

MIN_ACTIONS = MIN_COUNT
DEFAULT_TIMES = "08:00 12:00 16:00 20:00"
MAX_TIMES = 12
# Without a record of the previous tick (a new installation), a tick looks back this far.
FIRST_TICK_WINDOW = datetime.timedelta(hours=1)


@dataclass(frozen=True)
class Kind:
    name: str  # stable key stored in Release.kind, e.g. "petitions.petition"
    subject: type[models.Model]  # what has figures (Petition)
    rows: type[models.Model]  # participant rows whose arrival or removal is an action (Signature)
    parent: str  # the field on `rows` pointing at the subject ("petition")
    # Exact figures from the rows, without opening any; by default {"total": rows counted}.
    live_figures: Callable[[Any], dict[str, Any]] | None = None
    campaign: Callable[[Any], Any] = attrgetter("campaign")  # whose release_times apply
    # Exact people per group (label -> n, in display order), for a breakdown released at
    # most once a day and audited against earlier ones (concerted.core.breakdowns).
    groups: Callable[[Any], dict[str, int]] | None = None

    def live(self, subject: Any) -> dict[str, Any]:
        if self.live_figures is not None:
            return self.live_figures(subject)
        return {"total": self.rows._default_manager.filter(**{self.parent: subject}).count()}


_kinds: dict[str, Kind] = {}

# Sent while a release is prepared, outside any transaction: kind, subject, at. Whatever
# else is released about the subject (concerted.invites' batch use) is read and audited
# then, not on page loads; a receiver returns a function (or None) that stores it, which
# the release calls in the short transaction that stores its own figures.
releasing = Signal()


def register(kind: Kind) -> None:
    """Register a released kind and count actions on its rows (idempotent)."""
    if kind.name in _kinds:
        return
    _kinds[kind.name] = kind
    uid = f"concerted.releases:{kind.name}"
    pre_save.connect(_before_insert, sender=kind.rows, dispatch_uid=uid + ":pre_save", weak=False)
    pre_delete.connect(_before_delete, sender=kind.rows, dispatch_uid=uid + ":pre_delete", weak=False)
    post_delete.connect(_after_delete, sender=kind.rows, dispatch_uid=uid + ":post_delete", weak=False)
    post_delete.connect(_subject_deleted, sender=kind.subject, dispatch_uid=uid + ":subject", weak=False)


def kinds() -> list[Kind]:
    return list(_kinds.values())


def kind_for(subject: models.Model, name: str | None = None) -> Kind:
    """The registered kind of a subject; `name` picks one when a subject has several
    (a bargaining kit releases its two inventories and its ballot separately)."""
    for kind in _kinds.values():
        if isinstance(subject, kind.subject) and (name is None or kind.name == name):
            return kind
    raise LookupError(f"{type(subject).__name__} {name or ''} is not registered with concerted.core.releases")


def _kind_for_rows(sender: type[models.Model]) -> Kind | None:
    for kind in _kinds.values():
        if kind.rows is sender:
            return kind
    return None


# --- the clock and the schedule ------------------------------------------------------


def now() -> datetime.datetime:
    """The release clock; tests replace it to stand still or jump to a scheduled time."""
    return timezone.now()


def parse_times(text: str) -> list[datetime.time]:
    """ "08:00 12:00 16:00" -> sorted times; ValueError with a sentence for the form."""
    times: set[datetime.time] = set()
    for part in text.replace(",", " ").split():
        try:
            hours, minutes = part.split(":")
            times.add(datetime.time(int(hours), int(minutes)))
        except ValueError:
            raise ValueError(
                _("“%(part)s” is not a time like 08:00 or 16:30 (24-hour clock).") % {"part": part}
            ) from None
    if not times:
        raise ValueError(_("Give at least one time of day, e.g. 08:00 12:00 16:00 20:00."))
    if len(times) > MAX_TIMES:
        raise ValueError(
            _("At most %(n)d times a day: more frequent releases make each step easier to trace.") % {"n": MAX_TIMES}
        )
    return sorted(times)


def _times_of(subject: models.Model, kind: Kind) -> list[datetime.time]:
    text = getattr(kind.campaign(subject), "release_times", "") or DEFAULT_TIMES
    try:
        return parse_times(text)
    except ValueError:
        return parse_times(DEFAULT_TIMES)


def _slots(times: list[datetime.time], start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    """Scheduled moments in (start, end], in UTC. The times of day are read in the
    installation's time zone (settings.TIME_ZONE, CONCERTED_TIME_ZONE): "08:00" is 08:00
    there in winter and in summer. The default zone, never a per-request one: every
    reader must see figures move at the same moments."""
    tz = timezone.get_default_timezone()
    first = timezone.localtime(start, tz).date()
    last = timezone.localtime(end, tz).date()
    found = set()
    day = first
    while day <= last:
        for t in times:
            # In UTC: aware datetimes sharing a zone compare by wall clock, which is wrong
            # across a DST change. A time the spring change skips (02:30) comes an hour
            # later on the wall clock; one the autumn change repeats comes once, the first time.
            moment = timezone.make_aware(datetime.datetime.combine(day, t), tz).astimezone(datetime.UTC)
            if start < moment <= end:
                found.add(moment)
        day += datetime.timedelta(days=1)
    return sorted(found)


def zone_name(moment: datetime.datetime) -> str:
    """The installation's time zone at `moment` as readers know it: its abbreviation
    ("CET", "WEST", "UTC"), or "UTC-03" where the tz database writes only "-03"."""
    abbreviation = timezone.localtime(moment, timezone.get_default_timezone()).tzname() or "UTC"
    return f"UTC{abbreviation}" if abbreviation[0] in "+-" else abbreviation


def next_time(times: list[datetime.time], after: datetime.datetime) -> datetime.datetime:
    """The first scheduled moment strictly after `after`."""
    slots = _slots(times, after, after + datetime.timedelta(days=2))
    return slots[0]


# --- what the public sees ------------------------------------------------------------


def live_figures_enabled() -> bool:
    """Test-only switch for the informant test's control run (never read from the
    environment): with it on, pages show live figures and single arrivals show."""
    return bool(getattr(settings, "CONCERTED_LIVE_FIGURES", False))


@dataclass(frozen=True)
class Figures(Mapping[str, Any]):
    """Released figures of one subject, plus when they may next change."""

    data: dict[str, Any]
    next_at: datetime.datetime
    released_at: datetime.datetime | None = None

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    @property
    def headline(self) -> dict[str, Any]:
        """The released counts without the group breakdown, for one line of text."""
        return {key: value for key, value in self.data.items() if key != "groups"}


def _row(kind: Kind, subject: models.Model, *, history: bool = True) -> Release:
    rows = Release.objects.filter(kind=kind.name, subject_id=subject.pk)
    # Public pages read only the figures; the history grows by a breakdown a day.
    row = (rows if history else rows.defer("history")).first()
    if row is None:
        # First sight: the current figures are the baseline. Callers that are about to
        # store or delete a row call this *before* they do, so the action isn't in it.
        figures = kind.live(subject)
        history = []
        if kind.groups is not None:
            counts = kind.groups(subject)
            shown = breakdowns.protect([], counts)
            figures["groups"] = breakdowns.stored(shown)
            history = [breakdowns.entry(None, sum(counts.values()), shown)]
        row, _created = Release.objects.get_or_create(
            kind=kind.name, subject_id=subject.pk, defaults={"figures": figures, "history": history}
        )
    return row


def breakdown_due(history: list[dict[str, Any]], at: datetime.datetime) -> bool:
    """Whether a release at `at` makes a new breakdown: only the first release of a
    (local) day does. Once a day keeps what an informant can compare small, and the
    audit's history short. Every breakdown follows this rule (the invite batches' too)."""
    last = history[-1] if history else None
    if not (last and last["at"]):
        return True
    # Local: the installation's zone (CONCERTED_TIME_ZONE), the one its times are read in.
    tz = timezone.get_default_timezone()
    return timezone.localdate(datetime.datetime.fromisoformat(last["at"]), tz) != timezone.localdate(at, tz)


def audited(history: list[dict[str, Any]], counts: dict[str, int], at: datetime.datetime) -> list[dict[str, Any]]:
    """`history` with one more breakdown of `counts` at `at`, audited against it
    (breakdowns.protect). The total counts as known to the attacker."""
    shown = breakdowns.protect(history, counts)
    return [*history, breakdowns.entry(at.isoformat(), sum(counts.values()), shown)]


def figures(subject: models.Model, name: str | None = None) -> Figures:
    """What anyone without the committee key may see of this subject."""
    kind = kind_for(subject, name)
    next_at = next_time(_times_of(subject, kind), now())
    if live_figures_enabled():
        return Figures(kind.live(subject), next_at)
    row = _row(kind, subject, history=False)
    return Figures(dict(row.figures), next_at, row.released_at)


# --- counting actions -----------------------------------------------------------------


def _subject_of(kind: Kind, instance: models.Model) -> models.Model | None:
    try:
        return getattr(instance, kind.parent)
    except kind.subject.DoesNotExist:  # type: ignore[attr-defined]
        return None


def _before_insert(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    # The arrival is counted before its row is stored, in the same transaction (the
    # insert failing rolls the count back): one UPDATE on the hot path, and only on
    # first sight a baseline taken from the rows as they are before this one.
    kind = _kind_for_rows(sender)
    if kind and instance._state.adding and not kwargs.get("raw"):
        subject_id = getattr(instance, f"{kind.parent}_id")
        if subject_id is not None and not _count(kind, subject_id):
            subject = _subject_of(kind, instance)
            if subject is not None:
                _row(kind, subject)
                _count(kind, subject_id)


# While a bulk erase runs (counted_together): deletions per (kind, subject id), counted
# with one UPDATE per subject at the end instead of three queries per row.
_together = threading.local()


@contextmanager
def counted_together() -> Iterator[None]:
    """Count the rows deleted inside as actions with one UPDATE per subject when the
    block ends, not a baseline read, a subject read and an UPDATE per row: a pledge's
    lapse of 10,000 commitments made 30,000 queries and held SQLite's write lock for
    12 s (bench/bench_write_locks.py). Use it inside the transaction that deletes, so
    the counts commit with the delete (core/records.py: erase)."""
    if getattr(_together, "counts", None) is not None:  # nested: the outer block counts
        yield
        return
    _together.counts = {}
    try:
        yield
        counts: dict[tuple[str, Any], int] = _together.counts
    finally:
        _together.counts = None
    for (name, subject_id), n in counts.items():
        _count(_kinds[name], subject_id, n)


def _before_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    kind = _kind_for_rows(sender)
    if kind:
        together = getattr(_together, "counts", None)
        key = (kind.name, getattr(instance, f"{kind.parent}_id"))
        if together is not None and key in together:
            return  # the subject's baseline was taken before the first of these rows went
        subject = _subject_of(kind, instance)
        if subject is not None:
            _row(kind, subject)
        if together is not None:
            together[key] = 0


def _after_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    kind = _kind_for_rows(sender)
    if kind:
        together = getattr(_together, "counts", None)
        key = (kind.name, getattr(instance, f"{kind.parent}_id"))
        if together is not None:
            together[key] = together.get(key, 0) + 1
        else:
            _count(kind, key[1])


def _count(kind: Kind, subject_id: Any, n: int = 1) -> int:
    """pending += n for this subject; how many rows that touched (0: no Release row yet).
    On every participant POST, so written out: the ORM's update() costs several times
    the statement in building it."""
    connection = connections[router.db_for_write(Release)]
    q = connection.ops.quote_name
    pending = q("pending")
    sql = " ".join(
        ["UPDATE", q(Release._meta.db_table), "SET", pending, "=", pending, "+ %s WHERE", q("kind"), "= %s AND"]
    )
    sql += f" {q('subject_id')} = %s"
    value = Release._meta.get_field("subject_id").get_db_prep_value(subject_id, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [n, kind.name, value])
        return cursor.rowcount


def _subject_deleted(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    for kind in _kinds.values():
        if kind.subject is sender:
            Release.objects.filter(kind=kind.name, subject_id=instance.pk).delete()


# --- releasing ------------------------------------------------------------------------


# How often a release is prepared again when another one was stored while it was audited.
RELEASE_ATTEMPTS = 3


def _release(kind: Kind, subject: models.Model, at: datetime.datetime, *, rule: bool = True) -> bool:
    """Release the subject's figures as they are now.

    The group breakdown's audit (breakdowns.protect) grows with every day's release and
    takes seconds (6.6 s on day 120 of bench/bench_write_locks.py): done inside the
    transaction that stores it, it held SQLite's write lock (IMMEDIATE transactions) and
    made every signature, pledge and card of the server wait and fail. So a short
    transaction reads what the release is of, the audit runs with no transaction open,
    and a second short one stores it, unless another release was stored meanwhile."""
    for _attempt in range(RELEASE_ATTEMPTS):
        with transaction.atomic():
            _row(kind, subject)
            # The row lock (PostgreSQL) holds back arrivals' counts while the figures are
            # read, so `pending` and the figures describe the same moment.
            seen = Release.objects.select_for_update().get(kind=kind.name, subject_id=subject.pk)
            if rule and seen.pending < MIN_ACTIONS:
                return False
            figures = kind.live(subject)
            counts = kind.groups(subject) if kind.groups is not None and breakdown_due(seen.history, at) else None
        history = seen.history if counts is None else audited(seen.history, counts, at)
        if kind.groups is not None:
            figures["groups"] = history[-1]["groups"]
        stores = [store for _receiver, store in releasing.send(sender=Release, kind=kind, subject=subject, at=at)]
        with transaction.atomic():
            row = Release.objects.select_for_update().get(kind=kind.name, subject_id=subject.pk)
            if (row.released_at, row.history) != (seen.released_at, seen.history):
                continue  # another release was stored meanwhile: prepare again from it
            row.figures = figures
            row.history = history
            # Actions that came in while the audit ran are not in these figures: they
            # stay pending for the next release.
            row.pending = max(row.pending - seen.pending, 0)
            row.released_at = at
            row.save(update_fields=["figures", "pending", "released_at", "history"])
            for store in stores:
                if store is not None:
                    store()
            # Cached public pages show the released figures: make them render again.
            owner = kind.campaign(subject)
            if owner is not None:
                pagecache.changed.send(sender=Release, campaign=owner)
        return True
    return False


def run_due(at: datetime.datetime | None = None) -> list[tuple[Kind, models.Model]]:
    """`concerted tick`: release every subject that has a scheduled time since the
    previous tick and at least MIN_ACTIONS pending actions. Returns what was released."""
    at = at or now()
    with transaction.atomic():
        clock = ReleaseClock.objects.select_for_update().filter(pk=1).first()
        since = clock.last_tick if clock else at - FIRST_TICK_WINDOW
        ReleaseClock.objects.update_or_create(pk=1, defaults={"last_tick": at})
    released: list[tuple[Kind, models.Model]] = []
    if at <= since:
        return released
    for row in Release.objects.filter(pending__gte=MIN_ACTIONS).order_by("kind", "subject_id"):
        kind = _kinds.get(row.kind)
        subject = kind.subject._default_manager.filter(pk=row.subject_id).first() if kind else None
        if kind is None or subject is None:
            continue
        if _slots(_times_of(subject, kind), since, at) and _release(kind, subject, at):
            released.append((kind, subject))
    return released


def force(subject: models.Model, at: datetime.datetime | None = None, name: str | None = None) -> bool:
    """An organizer's "release now": only when at least MIN_ACTIONS actions are pending."""
    return _release(kind_for(subject, name), subject, at or now())


def release_baseline(subject: models.Model, at: datetime.datetime | None = None, name: str | None = None) -> None:
    """Release whatever is there, rule or not: for demo data and tests only, where no
    informant watched the rows arrive."""
    _release(kind_for(subject, name), subject, at or now(), rule=False)


def release_campaign(campaign: Any) -> int:
    """release_baseline() for every registered subject of one campaign (demo data)."""
    done = 0
    for kind in _kinds.values():
        for subject in kind.subject._default_manager.all():
            if getattr(kind.campaign(subject), "pk", None) == campaign.pk:
                release_baseline(subject, name=kind.name)
                done += 1
    return done


@dataclass(frozen=True)
class Status:
    """For signed-in organizers: released and exact figures side by side."""

    kind: str
    subject_id: Any
    released: Figures
    live: dict[str, Any]
    pending: int
    min_actions: int = MIN_ACTIONS
    times: list[datetime.time] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def can_force(self) -> bool:
        return self.pending >= self.min_actions

    @property
    def breakdown(self) -> list[Cell]:
        """The group breakdown as last released (at most once a day), audited."""
        return breakdowns.cells(self.released)

    @property
    def over_time(self) -> list[tuple[datetime.datetime, int, int]]:
        """(when, total, percent of the largest) for each day's breakdown release: the
        day-by-day picture, from figures that were public anyway."""
        days = [(datetime.datetime.fromisoformat(e["at"]), int(e["total"])) for e in self.history if e["at"]]
        peak = max((n for _at, n in days), default=0)
        return [(at, n, n * 100 // peak if peak else 0) for at, n in days]

    @property
    def breakdown_at(self) -> datetime.datetime | None:
        last = self.history[-1] if self.history else None
        return datetime.datetime.fromisoformat(last["at"]) if last and last["at"] else None


def status(subject: models.Model, name: str | None = None) -> Status:
    kind = kind_for(subject, name)
    row = _row(kind, subject)
    times = _times_of(subject, kind)
    released = Figures(dict(row.figures), next_time(times, now()), row.released_at)
    return Status(
        kind=kind.name,
        subject_id=subject.pk,
        released=released,
        live=kind.live(subject),
        pending=row.pending,
        times=times,
        history=list(row.history),
    )
