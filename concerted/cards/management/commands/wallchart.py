"""`concerted wallchart`: the card drive's wall chart, built on this computer.

The server holds every roster person, their log (one-on-ones and corrections) and every
card sealed. This downloads the three sealed exports (or reads them from files), opens
them with the committee key, applies each person's log (cards.roster) and matches cards
to people, then writes a CSV and a PDF readable only by whoever holds this folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from concerted.cards import roster
from concerted.cards.deliverable import roster_pdf
from concerted.core import keys, paper
from concerted.core.management.base import OrganizerCommand
from concerted.core.management.commands.reveal import Command as RevealCommand
from concerted.core.reveal import Revealed, RevealError, open_export, to_csv

COLUMNS = [
    "id",
    "name",
    "contact",
    "department",
    "shift",
    "site",
    "classification",
    "assessment",
    "assessed_on",
    "card",
    "last_one_on_one",
    "next_step",
    "added",
]


def opened_summary(people: int, notes: int, cards: int, unmatched: int) -> str:
    """The first line the command prints, e.g. "Opened 1 person, 3 log entries and 2 cards
    (1 not matched to the roster)": each count with its own plural form, which one
    sentence holding all four can't have in every language."""
    # Translators: each part is a count with its noun, e.g. "Opened 1 person, 3 log entries and 2 cards (1 not
    # matched to the roster)".
    return _("Opened %(people)s, %(notes)s and %(cards)s (%(unmatched)s)") % {
        "people": ngettext("%(n)d person", "%(n)d people", people) % {"n": people},
        "notes": ngettext("%(n)d log entry", "%(n)d log entries", notes) % {"n": notes},
        "cards": ngettext("%(n)d card", "%(n)d cards", cards) % {"n": cards},
        # Translators: how many of the cards opened match nobody on the roster.
        "unmatched": ngettext("%(n)d not matched to the roster", "%(n)d not matched to the roster", unmatched)
        % {"n": unmatched},
    }


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds names
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class Command(OrganizerCommand):
    help = gettext_lazy(
        "Open a card drive's roster, one-on-one log and cards with the committee's private key and write the "
        "wall chart (CSV and PDF): --server URL with a token and --unit ID, or the three exports as files."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", required=True, help=gettext_lazy("The committee private key file (committee.key)"))
        parser.add_argument("--out", default=".", help=gettext_lazy("Folder for the CSV and PDF"))
        parser.add_argument("--server", help=gettext_lazy("The Concerted server, e.g. https://concerted.example.org"))
        parser.add_argument("--token", help=gettext_lazy("A reveal token (or set CONCERTED_TOKEN)"))
        parser.add_argument("--unit", help=gettext_lazy("The card drive's id (from its dashboard)"))
        parser.add_argument(
            "--paper",
            choices=paper.NAMES,
            type=str.lower,
            help=gettext_lazy("a4 or letter (default: CONCERTED_PAPER, or what CONCERTED_TIME_ZONE implies)"),
        )
        parser.add_argument("--roster-file", help=gettext_lazy("The sealed roster export, instead of --server"))
        parser.add_argument("--notes-file", help=gettext_lazy("The sealed one-on-one export, instead of --server"))
        parser.add_argument("--cards-file", help=gettext_lazy("The sealed cards export, instead of --server"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            private = keys.read_private_file(options["key"])
        except keys.KeyFormatError as exc:
            raise CommandError(str(exc)) from None
        opened: dict[str, Revealed] = {}
        for kind in ("roster", "notes", "cards"):
            export = self.load(kind, options)
            try:
                opened[kind] = open_export(export, private)
            except RevealError as exc:
                raise CommandError(f"{kind}: {exc}") from None
        parent = opened["roster"].export["parent"]
        if any(opened[k].export["parent"].get("id") != parent.get("id") for k in ("notes", "cards")):
            raise CommandError(_("the three exports are not from the same card drive"))
        rows, unmatched = roster.wall_chart(opened["roster"].rows, opened["notes"].rows, opened["cards"].rows)
        out = Path(options["out"]).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        stem = f"wallchart-{parent.get('slug') or parent['id']}"
        chart = Revealed(
            export=opened["roster"].export,
            rows=[{c: r.get(c, "") for c in COLUMNS} for r in rows],
            failures=[f for k in ("roster", "notes", "cards") for f in opened[k].failures],
        )
        _write_private(out / f"{stem}.csv", to_csv(chart).encode("utf-8"))
        _write_private(out / f"{stem}.pdf", roster_pdf(chart, paper=options["paper"]))
        self.stdout.write(
            _("%(summary)s: %(stem)s.csv and .pdf")
            % {
                "summary": opened_summary(
                    len(rows), len(opened["notes"].rows), len(opened["cards"].rows), len(unmatched)
                ),
                "stem": out / stem,
            }
        )
        for rid, reason in chart.failures:
            self.stderr.write(_("REFUSED record %(id)s: %(reason)s") % {"id": rid, "reason": reason})
        if chart.failures:
            n = len(chart.failures)
            raise CommandError(
                ngettext(
                    "%(n)d record could not be verified; see above.",
                    "%(n)d records could not be verified; see above.",
                    n,
                )
                % {"n": n}
            )

    def load(self, kind: str, options: dict[str, Any]) -> dict[str, Any]:
        fetch = RevealCommand()
        if options.get(f"{kind}_file"):
            return fetch.load({"file": options[f"{kind}_file"]})
        if not options.get("unit"):
            raise CommandError(
                _("Give --server URL, --token and --unit ID, or --roster-file, --notes-file and --cards-file")
            )
        return fetch.load({"file": None, "server": options["server"], "token": options["token"], kind: options["unit"]})
