"""`concerted election ...`: the steps that must run on people's own machines.

credentials  the committee makes voting codes (private: a CSV, and cards to print) and their public halves
credential   the public credential of one voting code (to revoke a lost card by it)
trustee      init | deal | receive | decrypt: one trustee's part of the key ceremony and tally
vote         encrypt a ballot on this machine and cast it
audit        check a spoiled ballot (Benaloh challenge) copied from the voting page
"""

from __future__ import annotations

import csv
import json
import os
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from concerted.core import paper
from concerted.core.management.base import OrganizerCommand
from concerted.elections import evcrypto as ev
from concerted.elections import trustee_tool, voting_cards
from concerted.elections.forms import parse_election_id, public_file_header


def election_id(text: str | None) -> str:
    try:
        return parse_election_id(text or "")
    except ValueError:
        raise CommandError(
            _(
                "“%(id)s” is not an election id. Copy it from the election's organizer page: 36 characters like "
                "0f8e3c2a-5b1d-4e6f-9a7b-2c4d6e8f0a1b."
            )
            % {"id": text or ""}
        ) from None


class Http:
    def __init__(self, server: str, token: str | None = None, not_found: str = "") -> None:
        if not server.startswith(("http://", "https://")):
            raise CommandError(_("--server must start with http:// or https://"))
        self.server = server.rstrip("/")
        self.token = token
        self.not_found = not_found  # what a 404 means for this caller

    def call(self, path: str, data: Any = None) -> Any:
        # The server says why it refused in the language asked for: the tool's own (the
        # organizer's terminal or --language), so a refusal isn't English inside a
        # Spanish sentence.
        headers = {"Accept": "application/json", "Accept-Language": translation.get_language() or "en"}
        if self.token:
            headers["Authorization"] = f"Trustee {self.token}"
        body = None
        if data is not None:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
        method = "POST" if body else "GET"
        request = urllib.request.Request(self.server + path, data=body, headers=headers, method=method)  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 (scheme checked)
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code == 404 and self.not_found:
                raise CommandError(self.not_found) from None
            try:
                why = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:
                why = exc.reason
            raise CommandError(
                _("The server refused: %(why)s (HTTP %(code)s)") % {"why": why, "code": exc.code}
            ) from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise CommandError(_("Can't reach %(server)s: %(error)s") % {"server": self.server, "error": exc}) from None
        except ValueError:
            raise CommandError(
                _("%(server)s did not answer as a Concerted server does: check --server.") % {"server": self.server}
            ) from None


class Command(OrganizerCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        c = sub.add_parser("credentials", help=gettext_lazy("make voting codes for N members"))
        c.add_argument("--election", required=True, help=gettext_lazy("the election id (from its organizer page)"))
        c.add_argument("--count", type=int, required=True)
        c.add_argument(
            "--out",
            required=True,
            help=gettext_lazy("folder for private-codes.csv, voting-cards.pdf and public-credentials.txt"),
        )
        c.add_argument(
            "--vote-url",
            default="",
            help=gettext_lazy(
                "the vote page's address, as the election's page shows it: printed on every card with its QR code"
            ),
        )
        c.add_argument("--title", default="", help=gettext_lazy("the election's title, printed on every card"))
        c.add_argument(
            "--paper",
            choices=paper.NAMES,
            type=str.lower,
            help=gettext_lazy("a4 or letter (default: CONCERTED_PAPER, or what CONCERTED_TIME_ZONE implies)"),
        )
        c.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help=gettext_lazy("the language of the cards and of this tool (default: the terminal's)"),
        )
        one = sub.add_parser("credential", help=gettext_lazy("print the public credential of one voting code"))
        one.add_argument("code", help=gettext_lazy("the voting code as printed on the card"))
        one.add_argument("--election", required=True, help=gettext_lazy("the election id (from its organizer page)"))
        t = sub.add_parser("trustee", help=gettext_lazy("a trustee's step"))
        t.add_argument("action", choices=["init", "deal", "receive", "decrypt"])
        t.add_argument(
            "--state", required=True, help=gettext_lazy("this trustee's state file (secret: keep it on this machine)")
        )
        t.add_argument("--server")
        t.add_argument("--election")
        t.add_argument("--token")
        v = sub.add_parser("vote", help=gettext_lazy("encrypt and cast a ballot from this machine"))
        v.add_argument("--server", required=True)
        v.add_argument(
            "--slug", required=True, help=gettext_lazy("the election's short name in its voting link /e/NAME/")
        )
        v.add_argument("--code", required=True, help=gettext_lazy("your voting code"))
        v.add_argument(
            "--choose",
            help=gettext_lazy("option numbers (from 1) or names, comma-separated; run without it to see them"),
        )
        a = sub.add_parser("audit", help=gettext_lazy("check a spoiled ballot's encryption"))
        a.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["step"]
        if step == "credentials":
            self.credentials(options)
        elif step == "credential":
            self.credential(options)
        elif step == "trustee":
            self.trustee(options)
        elif step == "vote":
            self.vote(options)
        else:
            self.audit(options)

    def credentials(self, options: dict[str, Any]) -> None:
        eid = election_id(options["election"])
        count = options["count"]
        if not 1 <= count <= 100_000:
            raise CommandError(_("--count between 1 and 100000"))
        vote_url = options["vote_url"]
        if vote_url:
            try:
                vote_url = voting_cards.checked_vote_url(vote_url)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        out = Path(options["out"]).expanduser()
        private, cards, public = out / "private-codes.csv", out / voting_cards.FILE_NAME, out / "public-credentials.txt"
        found = [path.name for path in (private, cards, public) if path.exists() or path.is_symlink()]
        if found:
            # Two sets of codes in one folder: nobody could tell which cards match the
            # credentials on the server.
            raise CommandError(
                ngettext(
                    "%(files)s is already in %(out)s; refusing to overwrite it. Give a new folder with --out.",
                    "%(files)s are already in %(out)s; refusing to overwrite them. Give a new folder with --out.",
                    len(found),
                )
                % {"files": ", ".join(found), "out": out}
            )
        codes = [ev.new_credential_code() for _card in range(count)]
        publics = sorted(ev.credential_public(eid, c) for c in codes)
        # Made before any file is written: a failure leaves no half set of cards behind.
        document = voting_cards.build(codes, paper=options["paper"], title=options["title"], vote_url=vote_url)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(
                _("Can't make the folder %(out)s: %(error)s") % {"out": out, "error": exc.strerror}
            ) from None
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        # CRLF line ends (RFC 4180), like every CSV Concerted writes; spreadsheets read them.
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.writer(f)
            # Translators: the column headings of private-codes.csv, the committee's list of voting codes.
            writer.writerow([pgettext("private-codes.csv", "card"), pgettext("private-codes.csv", "voting code")])
            for i, code in enumerate(codes, 1):
                writer.writerow([i, code])
        # 0600 like the CSV, and (O_EXCL) never over a file or through a planted symlink: it holds every code.
        fd = os.open(cards, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(document)
        # Sorted, so the public list's order says nothing about which card is which; the
        # first line names the election, so the page refuses it for any other.
        public.write_text(public_file_header(eid) + "\n" + "\n".join(publics) + "\n")
        self.stdout.write(
            ngettext(
                "%(n)d code for election %(election)s. Print %(cards)s, cut out the card and hand it out in "
                "person; then destroy %(cards)s and %(private)s. Paste %(public)s into that election's page.",
                "%(n)d codes for election %(election)s. Print %(cards)s, cut out the cards and hand them out in "
                "person; then destroy %(cards)s and %(private)s. Paste %(public)s into that election's page.",
                count,
            )
            % {"n": count, "election": eid, "cards": cards, "private": private, "public": public}
        )
        if not vote_url:
            self.stdout.write(
                _(
                    "The cards don't say where to vote: give --vote-url with the address the election's page shows "
                    "to print it, with its QR code, on every card."
                )
            )

    def credential(self, options: dict[str, Any]) -> None:
        eid = election_id(options["election"])
        try:
            public = ev.credential_public(eid, options["code"])
        except ev.Invalid:
            raise CommandError(
                _("That is not a voting code: 20 letters and digits in four groups, as printed on the card.")
            ) from None
        self.stdout.write(public)

    # --- trustees -------------------------------------------------------------------

    @staticmethod
    def _trustee_http(server: str, token: str, eid: str) -> Http:
        return Http(
            server,
            token,
            not_found=_(
                "The server at %(server)s knows no election %(election)s with this token: check --election and "
                "--token against your invitation (a new token the organizers made replaces the old one)."
            )
            % {"server": server, "election": eid},
        )

    def _say_election(self, roster: dict[str, Any], server: str) -> None:
        self.stdout.write(
            _("Election “%(title)s” (%(election)s) on %(server)s; you are trustee %(index)s.")
            % {
                "title": roster.get("title", ""),
                "election": roster.get("election"),
                "server": server,
                "index": roster.get("index"),
            }
        )

    def trustee(self, options: dict[str, Any]) -> None:
        path = Path(options["state"]).expanduser()
        try:
            if options["action"] == "init":
                self.trustee_init(path, options)
            else:
                self.trustee_step(path, options["action"])
        except trustee_tool.TrusteeError as exc:
            raise CommandError(str(exc)) from None

    def trustee_init(self, path: Path, options: dict[str, Any]) -> None:
        """Register this trustee's box key. The state file is written before the key goes
        to the server (so a registered key's secret is never lost) and marked registered
        after; a refused or interrupted init is run again with the same file."""
        if not (options["server"] and options["election"] and options["token"]):
            raise CommandError(_("init needs --server, --election and --token (from your invitation)."))
        eid = election_id(options["election"])
        server = options["server"].rstrip("/")
        state = None
        if path.exists():
            state = trustee_tool.load_state(path)
            if state["election"] != eid:
                raise CommandError(_("%(file)s is for another election; give a new --state file.") % {"file": path})
            if "share" in state or state.get("dealt"):
                raise CommandError(
                    _("%(file)s is already past init (it dealt or holds a key share); refusing to overwrite it.")
                    % {"file": path}
                )
        http = self._trustee_http(server, options["token"], eid)
        roster = http.call(f"/o/elections/api/{eid}/roster")
        self._say_election(roster, server)
        if roster.get("status") != "setup":
            raise CommandError(_("The key ceremony of this election is over: there is nothing to init."))
        index = int(roster["index"])
        registered = next((t["box_public"] for t in roster["trustees"] if t["index"] == index), "")
        if state is None:
            state = trustee_tool.new_state(eid, index)
        state.update(index=index, server=server, token=options["token"])
        if registered and registered != state["box_public"]:
            raise CommandError(
                _(
                    "Trustee %(index)d already registered another key, from another state file: use that file. "
                    "If it is lost, the organizers can start the key ceremony again until someone has dealt."
                )
                % {"index": index}
            )
        state["registered"] = bool(registered)
        trustee_tool.save_state(path, state)
        if not registered:
            http.call(f"/o/elections/api/{eid}/box", {"box_public": state["box_public"]})
            state["registered"] = True
            trustee_tool.save_state(path, state)
        self.stdout.write(
            _("Trustee %(index)s: key registered, secrets in %(file)s. Next, when all trustees have: deal.")
            % {"index": index, "file": path}
        )

    def trustee_step(self, path: Path, action: str) -> None:
        state = trustee_tool.load_state(path)
        if not isinstance(state.get("server"), str) or not isinstance(state.get("token"), str):
            raise CommandError(
                _("%(file)s never finished init: run init again with it, with --server, --election and --token.")
                % {"file": path}
            )
        http = self._trustee_http(state["server"], state["token"], state["election"])
        base = f"/o/elections/api/{state['election']}"
        roster = http.call(f"{base}/roster")
        self._say_election(roster, state["server"])
        status = roster.get("status")
        if action in ("deal", "receive") and status != "setup":
            raise CommandError(_("The key ceremony of this election is over: nothing to %(step)s.") % {"step": action})
        trustee_tool.my_entry(state, roster)
        if action == "deal":
            public, sealed = trustee_tool.deal(state, roster)
            http.call(f"{base}/deal", {"dealer": public, "sealed": sealed})
            state["dealt"] = True
            trustee_tool.save_state(path, state)
            self.stdout.write(_("Dealt: commitments published, shares sealed to each trustee. Next: receive."))
        elif action == "receive":
            proof = trustee_tool.receive(state, roster, http.call(f"{base}/messages")["messages"])
            trustee_tool.save_state(path, state)
            http.call(f"{base}/share-proof", {"proof": proof})
            self.stdout.write(_("Shares checked; your key share is in the state file. Keep it until the tally."))
        else:
            if status == "setup" or status == "open":
                raise CommandError(_("Voting isn't closed yet: run decrypt after the organizers close voting."))
            if status == "tallied":
                raise CommandError(_("This election is already tallied: nothing left to decrypt."))
            if "share" not in state:
                raise CommandError(
                    _("%(file)s holds no key share: run `receive` with it first (during the key ceremony).")
                    % {"file": path}
                )
            shares = trustee_tool.decrypt(state, http.call(f"{base}/board"))
            http.call(f"{base}/partial", {"shares": shares})
            self.stdout.write(_("The board verified; your partial decryption of the sums is published."))

    # --- voters ------------------------------------------------------------------------

    @staticmethod
    def _option_list(options: list[str]) -> str:
        return ", ".join(f"{i} = {name}" for i, name in enumerate(options, 1))

    def _picked(self, text: str, options: list[str]) -> set[int]:
        picked = set()
        by_name = {name.casefold(): i for i, name in enumerate(options)}
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            if part.isdigit() and 1 <= int(part) <= len(options):
                picked.add(int(part) - 1)
            elif part.casefold() in by_name:
                picked.add(by_name[part.casefold()])
            else:
                raise CommandError(
                    _("“%(part)s” is not one of the options. Give numbers or names, comma-separated: %(options)s.")
                    % {"part": part, "options": self._option_list(options)}
                )
        return picked

    def vote(self, options: dict[str, Any]) -> None:
        slug = options["slug"]
        http = Http(
            options["server"],
            not_found=_(
                "No election “%(slug)s” on %(server)s: check --slug (the name after /e/ in the voting link) and "
                "--server."
            )
            % {"slug": slug, "server": options["server"]},
        )
        reply = http.call(f"/e/{slug}/manifest.json")
        manifest = reply.get("manifest") if isinstance(reply, dict) else None
        if not manifest or reply.get("status") != "open":
            raise CommandError(_("This election is not open for voting."))
        q = manifest["questions"][0]
        self.stdout.write(_("Election “%(title)s”: %(question)s") % {"title": manifest["title"], "question": q["text"]})
        if not options["choose"]:
            raise CommandError(
                _("Say what you choose with --choose, by number or name: %(options)s.")
                % {"options": self._option_list(q["options"])}
            )
        picked = self._picked(options["choose"], q["options"])
        try:
            code = ev.normalize_code(options["code"])
        except ev.Invalid:
            raise CommandError(
                _("That is not a voting code: 20 letters and digits in four groups, as printed on the card.")
            ) from None
        if not q["min"] <= len(picked) <= q["max"]:
            listed = self._option_list(q["options"])
            if q["min"] == q["max"]:
                why = ngettext(
                    "Choose exactly %(max)d option: %(options)s.",
                    "Choose exactly %(max)d options: %(options)s.",
                    q["max"],
                ) % {"max": q["max"], "options": listed}
            else:
                why = _("Choose between %(min)d and %(max)d options: %(options)s.") % {
                    "min": q["min"],
                    "max": q["max"],
                    "options": listed,
                }
            raise CommandError(why)
        choices = [1 if i in picked else 0 for i in range(len(q["options"]))]
        try:
            ballot, _secrets = ev.encrypt_ballot(manifest, code, [choices])
        except ev.Invalid as exc:
            raise CommandError(str(exc)) from None
        reply = http.call(f"/e/{slug}/cast.json", ballot)
        chosen = ", ".join(q["options"][i] for i in sorted(picked)) or _("(none)")
        self.stdout.write(_("You chose: %(chosen)s.") % {"chosen": chosen})
        self.stdout.write(_("Cast. Your tracker: %(tracker)s") % {"tracker": reply["tracker"]})

    def audit(self, options: dict[str, Any]) -> None:
        try:
            data = json.loads(Path(options["file"]).read_text())
            revealed = ev.Secrets(choices=data["choices"], randomness=data["randomness"])
            ok = ev.verify_ballot(data["manifest"], data["ballot"]) is None and ev.audit_spoiled(
                data["manifest"], data["ballot"], revealed
            )
            shown = [
                ", ".join(name for name, m in zip(q["options"], picks, strict=True) if m) or _("(none)")
                for q, picks in zip(data["manifest"]["questions"], data["choices"], strict=True)
            ]
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
            raise CommandError(_("Can't read the spoiled ballot: %(error)s") % {"error": exc}) from None
        if not ok:
            raise CommandError(_("FAIL: the spoiled ballot does NOT encrypt the choices shown. Tell the committee."))
        self.stdout.write(_("OK: the spoiled ballot encrypts exactly: %(choices)s.") % {"choices": "; ".join(shown)})
