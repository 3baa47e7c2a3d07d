"""An existing installation moves to the no-oracle scheme: the contact-hash columns
are dropped and the table rewritten, so no hash is left in the database's files."""

from __future__ import annotations

import secrets
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from concerted.core import records
from concerted.core.testing import files_containing, raw_files

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_it_drops_the_contact_hashes_of_an_existing_installation(campaign) -> None:
    from concerted.petitions.models import Petition

    petition = Petition.objects.create(campaign=campaign, title="T", body="B", addressee="A")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("petitions")
    migrate([("petitions", "0002_requires_invite")])
    try:
        old_hash = secrets.token_hex(32)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO petitions_signature (id, petition_id, sealed, contact_hash, receipt_hash, day) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    uuid.uuid4().hex if connection.vendor == "sqlite" else str(uuid.uuid4()),
                    petition.pk.hex if connection.vendor == "sqlite" else str(petition.pk),
                    b"\x01" * 300,
                    old_hash,
                    secrets.token_hex(32),
                    "2026-05-01",
                ],
            )
        assert files_containing(old_hash.encode(), raw_files()), "sanity: the old hash is on disk"
    finally:
        migrate(latest)
        records.ensure_storage()  # what `migrate`'s post_migrate does; the executor alone doesn't
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, "petitions_signature")]
    assert "contact_hash" not in columns
    assert not files_containing(old_hash.encode(), raw_files())
