"""`concerted verify-election BOARD`: check a downloaded election board on your own machine.

Standalone on purpose: it imports only evcrypto (standard library + rbcl), never the
server, so anyone can read what it checks and run it as `python verifier.py board.json`.
"""

from __future__ import annotations

import json
import sys

try:
    from . import evcrypto
except ImportError:  # run as a plain script next to evcrypto.py
    import evcrypto  # type: ignore[no-redef]


def main(argv: list[str] | None = None, out=sys.stdout) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: verify-election BOARD.json", file=out)
        return 2
    try:
        with open(args[0], encoding="utf-8") as f:
            board = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL: cannot read the board: {e}", file=out)
        return 1
    report = evcrypto.verify_board(board)
    for name, ok, detail in report.steps:
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", file=out)
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
    print("PASS" if report.ok else f"FAIL at step: {report.failed_step()}", file=out)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
