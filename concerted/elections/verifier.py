"""`concerted verify-election BOARD [--tracker T ...]`: check a downloaded election board
on your own machine, and find your own ballot in it.

Standalone on purpose: it imports only evcrypto (standard library + rbcl), never the
server, so anyone can read what it checks and run it as
`python verifier.py board.json --tracker T`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys

try:
    from . import evcrypto
except ImportError:  # run as a plain script next to evcrypto.py
    import evcrypto  # type: ignore[no-redef]


USAGE = "usage: verify-election BOARD.json [--tracker TRACKER ...]"
_TRACKER = re.compile(r"[0-9a-f]{64}")


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _Usage(message)


def parse(args: list[str]) -> tuple[str, list[str]]:
    """(the board file, the trackers to look for); _Usage when the arguments are wrong."""
    parser = _Parser(prog="verify-election", add_help=False)
    parser.add_argument("board")
    parser.add_argument("--tracker", action="append", default=[])
    ns = parser.parse_args(args)
    trackers = []
    for raw in ns.tracker:
        tr = "".join(raw.split()).lower()
        if not _TRACKER.fullmatch(tr):
            raise _Usage(f"not a tracker: {raw[:80]!r} (a tracker is 64 hexadecimal characters)")
        trackers.append(tr)
    return ns.board, trackers


# What each whereabouts prints; an absent tracker fails the run.
_SAID = {"counted": "ok  ", "open": "ok  ", "replaced": "NOTE", "revoked": "NOTE", "absent": "FAIL"}


def _whereabouts(w: evcrypto.Whereabouts, closed: bool) -> str:
    where = f"in batch {w.batch} ({w.day})"
    if w.status == "counted":
        return f"on the board {where} and counted"
    if w.status == "open":
        return f"on the board {where}; voting is still open: whether it counts is known after the close"
    if w.status == "replaced":
        return f"on the board {where}, replaced by a later ballot with the same voting code: not counted"
    if w.status == "revoked":
        return f"on the board {where}, but its card was revoked: not counted"
    if closed:
        return "NOT on this board: voting is closed, so this ballot is not counted. Tell the committee and observers"
    return (
        "NOT on this board. A ballot cast since the last batch waits for the next one (or the close); "
        "if it is still missing then, tell the committee and observers"
    )


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    try:
        path, trackers = parse(sys.argv[1:] if argv is None else argv)
    except _Usage as e:
        print(f"{USAGE}\n{e}", file=out)
        return 2
    try:
        with open(path, encoding="utf-8") as f:
            board = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL: cannot read the board: {e}", file=out)
        return 1
    report = evcrypto.verify_board(board)
    for name, ok, detail in report.steps:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", file=out)
    for warning in report.warnings:
        print(f"WARN {warning}", file=out)
    missing = 0
    if trackers and report.ok:
        # Looked up only on a board that verifies: its ballots are the ones counted.
        for w in evcrypto.locate(board, trackers):
            print(f"{_SAID[w.status]} tracker {w.tracker}: {_whereabouts(w, 'closing' in board)}", file=out)
            missing += w.status == "absent"
    if report.ok and report.result is not None:
        manifest = board["manifest"]
        for q, row in zip(manifest["questions"], report.result, strict=True):
            print(f"  {q['text']}", file=out)
            for option, count in zip(q["options"], row, strict=True):
                print(f"    {count:>7}  {option}", file=out)
        if report.passed is not None:
            # Computed by verify_board from the manifest's rule and the verified counts
            # (exact fractions); the board's own claim was checked against it (step "outcome").
            verdict = "PASSED" if report.passed else "NOT PASSED"
            print(f"  Outcome: {verdict}: yes needs {evcrypto.describe_rule(manifest['pass_rule'])}", file=out)
        elif "pass_rule" not in manifest:
            print(
                "  Outcome: not checked: the pass rule is not in this election's manifest (it was opened before "
                "manifests carried one). Compare the counts with the union's rule yourself.",
                file=out,
            )
    if not report.ok:
        print(f"FAIL at step: {report.failed_step()}", file=out)
        return 1
    if missing:
        print(
            f"FAIL: the board verifies, but {missing} of the trackers given {'is' if missing == 1 else 'are'} not on it",
            file=out,
        )
        return 1
    print("PASS", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
