"""What `concerted tick` (cron) runs: jobs domain apps register, then due releases.

Domain apps register a job in AppConfig.ready() (the pledges app lapses pledges whose
deadline passed); core never imports them. Jobs run after releases: a job that
destroys rows ends by folding the WAL into the database file (core.erase), and no
write of the tick may come after that."""

from __future__ import annotations

from collections.abc import Callable

Job = Callable[[], list[str]]  # returns lines to print
_jobs: list[tuple[str, Job]] = []


def register(name: str, job: Job) -> None:
    if all(n != name for n, _j in _jobs):
        _jobs.append((name, job))


def jobs() -> list[tuple[str, Job]]:
    return list(_jobs)
