"""Every committed mutation patch must still apply and name a test that exists, so
`make mutation-check` keeps meaning something as the code moves."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PATCHES = sorted((ROOT / "mutations").glob("*.patch"))


def test_it_has_mutation_patches():
    assert PATCHES, "mutations/ holds no patch"


@pytest.mark.parametrize("patch", PATCHES, ids=[p.stem for p in PATCHES])
def test_it_applies_and_names_an_existing_test(patch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import mutation_check
    finally:
        sys.path.pop(0)
    m = mutation_check.parse(patch)
    test_file = ROOT / m.test.split("::")[0]
    assert test_file.is_file(), f"{patch.name} names {m.test}, which is not a file"
    assert m.test.split("::")[-1].split("[")[0] in test_file.read_text(), f"{patch.name}: no such test {m.test}"
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=ROOT, capture_output=True, text=True)
    assert check.returncode == 0, f"{patch.name} no longer applies: {check.stderr}"
