"""`concerted election ...`: the steps that must run on people's own machines.

credentials  the committee makes voting codes (private, to print) and their public halves
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

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from concerted.core.management.base import OrganizerCommand
from concerted.elections import evcrypto as ev
from concerted.elections import trustee_tool


class Http:
    def __init__(self, server: str, token: str | None = None) -> None:
        if not server.startswith(("http://", "https://")):
            raise CommandError(_("--server must start with http:// or https://"))
        self.server = server.rstrip("/")
        self.token = token

    def call(self, path: str, data: Any = None) -> Any:
        headers = {"Accept": "application/json"}
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
            try:
                why = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:
                why = exc.reason
            raise CommandError(
                _("The server refused: %(why)s (HTTP %(code)s)") % {"why": why, "code": exc.code}
            ) from None
        except (urllib.error.URLError, TimeoutError) as exc:
            raise CommandError(_("Can't reach %(server)s: %(error)s") % {"server": self.server, "error": exc}) from None


class Command(OrganizerCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="step", required=True)
        c = sub.add_parser("credentials", help=gettext_lazy("make voting codes for N members"))
        c.add_argument("--election", required=True, help=gettext_lazy("the election id (from its organizer page)"))
        c.add_argument("--count", type=int, required=True)
        c.add_argument(
            "--out", required=True, help=gettext_lazy("folder for private-codes.csv and public-credentials.txt")
        )
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
        v.add_argument("--choose", required=True, help=gettext_lazy("option numbers, from 1, comma-separated"))
        a = sub.add_parser("audit", help=gettext_lazy("check a spoiled ballot's encryption"))
        a.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["step"]
        if step == "credentials":
            self.credentials(options)
        elif step == "trustee":
            self.trustee(options)
        elif step == "vote":
            self.vote(options)
        else:
            self.audit(options)

    def credentials(self, options: dict[str, Any]) -> None:
        out = Path(options["out"]).expanduser()
        out.mkdir(parents=True, exist_ok=True)
        private, public = out / "private-codes.csv", out / "public-credentials.txt"
        if private.exists() or public.exists():
            raise CommandError(
                _("%(private)s or %(public)s already exists; refusing to overwrite.")
                % {"private": private, "public": public}
            )
        count = options["count"]
        if not 1 <= count <= 100_000:
            raise CommandError(_("--count between 1 and 100000"))
        codes = [ev.new_credential_code() for _card in range(count)]
        publics = sorted(ev.credential_public(options["election"], c) for c in codes)
        fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["card", "voting code"])
            for i, code in enumerate(codes, 1):
                writer.writerow([i, code])
        # Sorted, so the public list's order says nothing about which card is which.
        public.write_text("\n".join(publics) + "\n")
        self.stdout.write(
            _("%(n)d codes in %(private)s (print, hand out, then destroy); paste %(public)s into the election page.")
            % {"n": count, "private": private, "public": public}
        )

    def trustee(self, options: dict[str, Any]) -> None:
        path = Path(options["state"]).expanduser()
        action = options["action"]
        if action == "init":
            if path.exists():
                raise CommandError(_("%(file)s exists; refusing to overwrite a trustee's secrets.") % {"file": path})
            if not (options["server"] and options["election"] and options["token"]):
                raise CommandError(_("init needs --server, --election and --token"))
            http = Http(options["server"], options["token"])
            roster = http.call(f"/o/elections/api/{options['election']}/roster")
            state = trustee_tool.new_state(options["election"], int(roster["index"]))
            state.update(server=options["server"], token=options["token"])
            trustee_tool.save_state(path, state)
            http.call(f"/o/elections/api/{options['election']}/box", {"box_public": state["box_public"]})
            self.stdout.write(
                _("Trustee %(index)s: key registered. Next, when all trustees have: deal.") % {"index": state["index"]}
            )
            return
        try:
            state = trustee_tool.load_state(path)
        except (OSError, ValueError) as exc:
            raise CommandError(_("Can't read %(file)s: %(error)s") % {"file": path, "error": exc}) from None
        http = Http(state["server"], state["token"])
        base = f"/o/elections/api/{state['election']}"
        try:
            if action == "deal":
                public, sealed = trustee_tool.deal(state, http.call(f"{base}/roster"))
                http.call(f"{base}/deal", {"dealer": public, "sealed": sealed})
                self.stdout.write(_("Dealt: commitments published, shares sealed to each trustee."))
            elif action == "receive":
                roster = http.call(f"{base}/roster")
                proof = trustee_tool.receive(state, roster, http.call(f"{base}/messages")["messages"])
                trustee_tool.save_state(path, state)
                http.call(f"{base}/share-proof", {"proof": proof})
                self.stdout.write(_("Shares checked; your key share is in the state file. Keep it until the tally."))
            else:
                shares = trustee_tool.decrypt(state, http.call(f"{base}/board"))
                http.call(f"{base}/partial", {"shares": shares})
                self.stdout.write(_("The board verified; your partial decryption of the sums is published."))
        except trustee_tool.TrusteeError as exc:
            raise CommandError(str(exc)) from None

    def vote(self, options: dict[str, Any]) -> None:
        http = Http(options["server"])
        manifest = http.call(f"/e/{options['slug']}/manifest.json")["manifest"]
        q = manifest["questions"][0]
        try:
            picked = {int(x) - 1 for x in options["choose"].split(",") if x.strip()}
            code = ev.normalize_code(options["code"])
        except (ValueError, ev.Invalid) as exc:
            raise CommandError(_("Bad input: %(error)s") % {"error": exc}) from None
        choices = [1 if i in picked else 0 for i in range(len(q["options"]))]
        try:
            ballot, _secrets = ev.encrypt_ballot(manifest, code, [choices])
        except ev.Invalid as exc:
            raise CommandError(str(exc)) from None
        reply = http.call(f"/e/{options['slug']}/cast.json", ballot)
        self.stdout.write(_("Cast. Your tracker: %(tracker)s") % {"tracker": reply["tracker"]})

    def audit(self, options: dict[str, Any]) -> None:
        try:
            data = json.loads(Path(options["file"]).read_text())
            revealed = ev.Secrets(choices=data["choices"], randomness=data["randomness"])
            ok = ev.verify_ballot(data["manifest"], data["ballot"]) is None and ev.audit_spoiled(
                data["manifest"], data["ballot"], revealed
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CommandError(_("Can't read the spoiled ballot: %(error)s") % {"error": exc}) from None
        if not ok:
            raise CommandError(_("FAIL: the spoiled ballot does NOT encrypt the choices shown. Tell the committee."))
        self.stdout.write(_("OK: the spoiled ballot encrypts exactly %(choices)s.") % {"choices": data["choices"]})
