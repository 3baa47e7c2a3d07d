"""Apply each committed mutation patch to a scratch copy of the tree and check that the
test it names now fails. A mutation whose test still passes means the test can't catch
the bug it was written for.

Each patch in mutations/ starts with a header (text before the first `diff --git`):

    Invariant: No participant name in the raw database bytes
    Test: concerted/petitions/tests/test_leaks.py::test_it_keeps_names_out_of_the_file
    Database: postgresql          (optional: run the test on the throwaway PostgreSQL)

Usage: python scripts/mutation_check.py [--table docs/SECURITY.md] [--check-only] [PATCH ...]
`--check-only` just parses every header and `git apply --check`s every patch (fast;
run by the test suite so a patch can't silently rot)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = "<!-- mutation-table:start -->"
END = "<!-- mutation-table:end -->"


@dataclass
class Mutation:
    path: Path
    invariant: str
    test: str
    database: str


def parse(path: Path) -> Mutation:
    header: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if line.startswith("diff --git"):
            break
        if ":" in line:
            key, _, value = line.partition(":")
            header[key.strip().lower()] = value.strip()
    missing = [k for k in ("invariant", "test") if not header.get(k)]
    if missing:
        raise SystemExit(f"{path.name}: header lacks {', '.join(missing)}")
    return Mutation(path, header["invariant"], header["test"], header.get("database", "sqlite"))


def copy_tree(dest: Path) -> None:
    """The working tree as it is (tracked and new files, not ignored ones)."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / os.fsdecode(name)
        if not src.is_file():
            continue  # deleted in the working tree
        target = dest / os.fsdecode(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)
    for shared in ("node_modules", ".venv"):
        if (ROOT / shared).exists():
            (dest / shared).symlink_to(ROOT / shared)


def apply(patch: Path, tree: Path, check: bool = False) -> subprocess.CompletedProcess[str]:
    args = ["git", "apply", "--whitespace=nowarn"] + (["--check"] if check else []) + [str(patch)]
    return subprocess.run(args, cwd=tree, capture_output=True, text=True)


def run_one(m: Mutation, python: str) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="concerted-mutant-") as tmp:
        tree = Path(tmp)
        copy_tree(tree)
        applied = apply(m.path, tree)
        if applied.returncode:
            return "patch does not apply", applied.stderr.strip()
        env = {**os.environ, "PYTHONPATH": str(tree), "CONCERTED_DATA_DIR": str(tree / "var")}
        # The mutant's temporary files go inside its throwaway tree: a mutant that writes
        # where it shouldn't (reveal's file names) leaves nothing for a later run to find.
        basetemp = f"--basetemp={tree / 'pytest-tmp'}"
        cmd = [python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", basetemp, m.test]
        if m.database == "postgresql":
            cmd = ["bash", str(tree / "scripts/with-postgres"), *cmd]
        done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, timeout=1800)
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-5:])
        if done.returncode == 1:
            return "caught (test fails)", tail
        if done.returncode == 0:
            return "MISSED (test passes)", tail
        return f"error (pytest exit {done.returncode})", tail


def write_table(doc: Path, rows: list[tuple[Mutation, str]]) -> None:
    lines = [START, "", "| invariant | test | mutation | result |", "|---|---|---|---|"]
    for m, result in rows:
        test = m.test.replace("|", "\\|")
        db = " (PostgreSQL)" if m.database == "postgresql" else ""
        lines.append(f"| {m.invariant} | `{test}`{db} | `mutations/{m.path.name}` | {result} |")
    lines += ["", END]
    text = doc.read_text()
    if START in text and END in text:
        before, _, rest = text.partition(START)
        _, _, after = rest.partition(END)
        text = before + "\n".join(lines) + after
    else:
        text = text.rstrip() + "\n\n## Mutation check\n\n`make mutation-check` applies each patch in `mutations/` " \
            "and runs the test it names; every row must read \"caught\".\n\n" + "\n".join(lines) + "\n"
    doc.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("patches", nargs="*", type=Path)
    parser.add_argument("--table", type=Path, help="rewrite the results table in this Markdown file")
    parser.add_argument("--check-only", action="store_true")
    args = parser.parse_args()
    paths = args.patches or sorted((ROOT / "mutations").glob("*.patch"))
    mutations = [parse(p) for p in paths]
    if args.check_only:
        bad = [(m.path.name, r.stderr.strip()) for m in mutations if (r := apply(m.path, ROOT, check=True)).returncode]
        for name, err in bad:
            print(f"{name}: does not apply: {err}")
        print(f"{len(mutations) - len(bad)} of {len(mutations)} mutation patches apply")
        return 1 if bad else 0
    rows, failed = [], 0
    for m in mutations:
        result, tail = run_one(m, sys.executable)
        print(f"{m.path.name}: {result}", flush=True)
        if not result.startswith("caught"):
            failed += 1
            print("   " + tail.replace("\n", "\n   "))
        rows.append((m, result))
    if args.table:
        write_table(args.table, rows)
    print(f"{len(rows) - failed} of {len(rows)} mutations caught")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
