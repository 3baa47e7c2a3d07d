"""One lifecycle for every participant record (a signature, a pledge, a card, a survey
response or free-text answer, a bargaining report or proposal).

Every app's participant model subclasses `ParticipantRecord`; that is what registers
it. The registry (`kinds()`) drives one test module (core/tests/test_records.py) that
runs the lifecycle, erase, leak and storage-order tests on every kind, so a new kind
can't skip them.

What a row holds: a random id, its parent (petition, pledge, unit, survey, kit), the
sealed blob, the receipt's hash where the kind has receipts, the day, and whatever the
kind declares in CLEAR_FIELDS (an optional group, a card's text hash, a survey's packed
closed answers, a report's tick boxes). Nothing from which a known contact can be
tested: the server keeps every submission, and repeats are found by the committee on
its own machine when records are opened (core/dedup.py).

The lifecycle, in one place:
- seal: `seal_data()` seals to the campaign key in an envelope naming KIND, the
  campaign, the parent and the row (`envelope_ids()`); reveal refuses a mismatch.
- receipt: `new_receipt()` / `find_by_receipt()` (only the code's hash is stored).
- withdraw and destroy: `erase()`; the ONE path that deletes participant rows. It
  deletes, then `purge()` removes what the delete left on disk (SQLite WAL page
  images; PostgreSQL dead tuples, through a table rewrite).
- storage order: on SQLite every participant table is a WITHOUT ROWID table keyed by
  the random id (`ensure_storage()`, run after every migrate), so rows sit in random
  order; on PostgreSQL `scramble()` (run by `concerted tick`) rewrites each table in
  random order in one transaction, which also gives every row the same xmin. A model
  that is not a record but whose rows must not keep arrival order either (an election's
  ballots) sets `STORAGE_UNORDERED = True` and gets the same (`unordered_models()`).
- messaging: `may_message` (the participant ticked "the committee may write to me
  about this campaign"; unticked by default) and `stop_hash`, the hash of a random stop
  token that `seal_data()` seals inside the record; `stop_messages()` marks a row by that
  token (from the link in every message) or by receipt. Nothing else about messages is
  kept per participant (concerted.messaging).
- export: `export_response()` builds the sealed export every app serves.
- organizer fetch: `parent_for_organizer()` fetches a parent object and checks the
  user organizes its campaign (404 otherwise)."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Iterable
from typing import Any, ClassVar

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, connections, models, router, transaction
from django.db.models import signals
from django.http import Http404, HttpRequest, JsonResponse

from . import export, hashing, receipts, sealing
from .days import today
from .erase import fold_wal, purge_deleted


class ParticipantRecord(models.Model):
    """Abstract base of every participant record. A subclass sets KIND (the envelope's
    kind, one constant per model) and PARENT (the foreign key naming what the record
    belongs to). A kind without a blob or a day sets `sealed = None` / `day = None`."""

    KIND: ClassVar[str] = ""
    PARENT: ClassVar[str] = ""
    # Fields the row may keep in the clear besides id, parent, sealed, receipt_hash, day.
    CLEAR_FIELDS: ClassVar[tuple[str, ...]] = ()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sealed = models.BinaryField()
    day = models.DateField(default=today)
    # Messaging: in the clear so an audience can be counted and chosen without opening
    # anything; a consent says nothing about who gave it. The stop token itself is only
    # inside the sealed record (the committee puts it in each message's stop link).
    may_message = models.BooleanField(default=False)
    stop_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.KIND} {self.pk}"

    @classmethod
    def has_receipts(cls) -> bool:
        return any(f.name == "receipt_hash" for f in cls._meta.get_fields())

    @classmethod
    def is_sealed(cls) -> bool:
        return any(f.name == "sealed" for f in cls._meta.get_fields())

    def parent(self) -> Any:
        return getattr(self, self.PARENT)

    @property
    def model_label(self) -> str:
        """ "app.Model", for forms that name a kind (templates can't read _meta)."""
        return str(self._meta.label)

    def envelope_ids(self) -> dict[str, str]:
        return {
            "campaign": str(self.parent().campaign_id),
            self.PARENT: str(getattr(self, f"{self.PARENT}_id")),
            "row": str(self.pk),
        }

    def seal_data(self, data: dict[str, Any]) -> None:
        """Seal `data`. A participant who agreed to messages gets a random stop token
        sealed with it (the row keeps only the token's hash); the sealed `may_message` is
        what the sending machine trusts, not the row's flag, which a server could flip."""
        if self.may_message and not self.stop_hash:
            token = new_stop_token()
            self.stop_hash = stop_token_hash(token)
            data = {**data, "may_message": True, "stop": token}
        self.sealed = sealing.seal(
            self.parent().campaign.nacl_public_key(), kind=self.KIND, ids=self.envelope_ids(), data=data
        )

    def export_row(self) -> dict[str, Any]:
        """One record of the sealed export; kinds add their clear columns."""
        row: dict[str, Any] = {"id": str(self.pk), "sealed": self.sealed}
        if any(f.name == "day" for f in self._meta.get_fields()):
            row["day"] = self.day.isoformat()
        return row


_insert_statements: dict[tuple[type[models.Model], str], tuple[str, list[models.Field]]] = {}


def insert(record: models.Model) -> None:
    """`record.save(force_insert=True)` with the INSERT written out once per model and
    database: on the signing path the ORM spent longer building the statement than the
    database took to run it (bench/profile_sign.py). The same values as save() (each
    field's pre_save and get_db_prep_save), and the same pre_save/post_save signals, on
    which the release count hangs (concerted/core/releases.py). Call it inside the
    transaction that must hold the row, as save() would be."""
    model = type(record)
    using = router.db_for_write(model, instance=record)
    conn = connections[using]
    found = _insert_statements.get((model, using))
    if found is None:
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if not getattr(f, "generated", False)]
        q = conn.ops.quote_name
        # Identifiers from the model's own metadata, quoted by the backend; every value
        # is a parameter.
        columns = ", ".join(q(f.column) for f in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        sql = " ".join(["INSERT INTO", q(meta.db_table), f"({columns})", "VALUES", f"({placeholders})"])
        found = _insert_statements[(model, using)] = (sql, fields)
    sql, fields = found
    signals.pre_save.send(sender=model, instance=record, raw=False, using=using, update_fields=None)
    values = [f.get_db_prep_save(f.pre_save(record, True), conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, values)
    record._state.adding = False
    record._state.db = using
    signals.post_save.send(sender=model, instance=record, created=True, update_fields=None, raw=False, using=using)


class ReceiptRecord(ParticipantRecord):
    """A record the participant can come back to with a receipt code (to withdraw)."""

    receipt_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        abstract = True


# Fields of the record core every kind keeps in the clear besides its own CLEAR_FIELDS.
CORE_CLEAR_FIELDS = ("id", "sealed", "receipt_hash", "day", "may_message", "stop_hash")
STOP_TOKEN_BYTES = 18  # 144 random bits: an unkeyed hash of it can't be reversed by guessing


# --- registry ---------------------------------------------------------------------------


def kinds() -> list[type[ParticipantRecord]]:
    """Every concrete participant model, in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, ParticipantRecord)]
    return sorted(found, key=lambda m: m._meta.label)


def tables() -> list[str]:
    return [m._meta.db_table for m in kinds()]


def unordered_models() -> list[type[models.Model]]:
    """Every model whose storage order must say nothing about arrival: each participant
    record kind, and any other model that says so (`STORAGE_UNORDERED = True`: an
    election's ballots, seen ciphertexts and credentials, written one voter or one
    replaced card at a time). `ensure_storage()` and `scramble_all()` cover exactly these,
    and the storage-order tests run on each, so a flagged table is tested by being flagged."""
    found = [
        m
        for m in apps.get_models()
        if issubclass(m, ParticipantRecord) or getattr(m, "STORAGE_UNORDERED", False) is True
    ]
    return sorted(found, key=lambda m: m._meta.label)


def unordered_tables() -> list[str]:
    return [m._meta.db_table for m in unordered_models()]


# --- receipts -----------------------------------------------------------------------------


def new_receipt() -> tuple[str, str]:
    """(code shown once to the participant, hash stored on the row)."""
    return receipts.new_receipt()


def find_by_receipt(model: type[ReceiptRecord], parent: Any, code: str) -> Any:
    if not receipts.looks_valid(code):
        return None
    return model.objects.filter(**{model.PARENT: parent, "receipt_hash": receipts.receipt_hash(code)}).first()


# --- messaging consent -------------------------------------------------------------------


def new_stop_token() -> str:
    return secrets.token_urlsafe(STOP_TOKEN_BYTES)


def stop_token_hash(token: str) -> str:
    return hashing.code_hash(token.strip(), "stop")


def looks_like_stop_token(token: str) -> bool:
    return 16 <= len(token) <= 64 and all(ch.isalnum() or ch in "-_" for ch in token)


def stop_messages(token: str) -> int:
    """Stop messages to the record holding this stop token (the link in every message).
    Returns how many rows changed (0 or 1); callers answer the same either way."""
    if not looks_like_stop_token(token):
        return 0
    digest = stop_token_hash(token)
    return sum(kind.objects.filter(stop_hash=digest, may_message=True).update(may_message=False) for kind in kinds())


def stop_messages_by_receipt(record: ParticipantRecord) -> None:
    """Stop messages from a receipt page (the participant holds the receipt code)."""
    type(record).objects.filter(pk=record.pk).update(may_message=False)
    record.may_message = False


def audience(model: type[ParticipantRecord], parent: Any) -> models.QuerySet[Any]:
    """The records of one parent whose participants agreed to messages and didn't stop them."""
    return model.objects.filter(**{model.PARENT: parent, "may_message": True})


# --- erasure: the one path that deletes participant rows ------------------------------------


def erase(records: models.QuerySet[Any] | ParticipantRecord) -> int:
    """Delete participant rows and leave none of their bytes in the database's files.

    SQLite: secure_delete=ON (settings) zeroes the freed cells; `purge()` then empties
    the WAL, which still holds the old page images. PostgreSQL: the delete leaves dead
    tuples in the heap (VACUUM marks them free but doesn't overwrite them); `purge()`
    rewrites the table into new files. Inside a transaction the purge waits for commit."""
    if isinstance(records, ParticipantRecord):
        model: type[models.Model] = type(records)
        deleted, detail = model.objects.filter(pk=records.pk).delete()
    else:
        # Imported here: releases loads the solver, and records is imported by every
        # app's models.
        from .releases import counted_together

        model = records.model
        # Many rows at once (a pledge's lapse): each counted as an action by one UPDATE
        # per subject, in the delete's own transaction, not by three queries per row
        # while the write lock is held.
        with transaction.atomic(), counted_together():
            deleted, detail = records.delete()
    purge(model)
    # Rows the delete cascaded to (a roster person's notes) leave dead tuples too.
    for label in detail:
        if label != model._meta.label:
            purge(apps.get_model(label))
    return deleted


def purge(model: type[models.Model]) -> None:
    """Remove what deleting rows of this table left in the database's files; inside a
    transaction, once it commits (core/erase.py)."""
    purge_deleted(model._meta.db_table)


# --- storage order ----------------------------------------------------------------------------


# A rewrite on SQLite moves this many rows per transaction. Every SQLite transaction
# here takes the whole database's write lock (IMMEDIATE, settings), so rewriting a
# 100,000-row table in one held every signature, pledge and card for 5 s (bench/
# bench_write_locks.py); 2,000 rows hold it for about a tenth of a second.
SCRAMBLE_PART_ROWS = 2_000
# Between two parts the lock stays free this long: a writer waiting in SQLite's busy
# handler sleeps up to 100 ms between tries, and must find it free when it wakes.
SCRAMBLE_PAUSE_SECONDS = 0.1


def scramble(model: type[models.Model]) -> None:
    """Rewrite a table so nothing physical follows arrival order.

    PostgreSQL places new tuples at the end of the heap (ctid follows arrival) and stamps
    each with its transaction id (xmin: records written together share one). Deleting
    every row and inserting it again in random order in ONE transaction puts the rows in
    random heap order under a single xmin; the rewrite then drops the old tuples.
    SQLite: the WITHOUT ROWID layout puts each row's cell where its random key sorts, but
    not everything: the part of a row too long for its cell (a ballot of 1.4 KB) goes to
    overflow pages taken in arrival order, and where a new cell lands inside its page
    partly follows arrival. The same rewrite in random order (secure_delete zeroes what
    the delete frees) leaves neither; the purge then empties the WAL, whose frames follow
    commits. On SQLite it goes in parts of SCRAMBLE_PART_ROWS rows by key range, each in
    a transaction of its own (`_scramble_sqlite`)."""
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            # Writers wait until the rewrite commits (readers don't): a row inserted,
            # updated or deleted between the copy and the DELETE below would otherwise
            # be lost, kept stale (a ballot's batch) or brought back after its erase.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            _rewrite(cursor, table, "", [], " ON COMMIT DROP")
    elif connection.vendor == "sqlite":
        _scramble_sqlite(model)
    purge(model)


def _rewrite(cursor: Any, table: str, where: str, params: list[Any], drop: str = "") -> None:
    """Copy the rows `where` selects, delete them, insert the copy in random order."""
    cursor.execute(f"CREATE TEMP TABLE concerted_scramble{drop} AS SELECT * FROM {table}{where}", params)  # noqa: S608 (names from model _meta)
    cursor.execute(f"DELETE FROM {table}{where}", params)  # noqa: S608 (names from model _meta)
    cursor.execute(f"INSERT INTO {table} SELECT * FROM concerted_scramble ORDER BY random()")  # noqa: S608 (names from model _meta)
    # Dropped now, not at commit: a caller's outer transaction may scramble several tables.
    cursor.execute("DROP TABLE concerted_scramble")


def _scramble_sqlite(model: type[models.Model]) -> None:
    """The rewrite in parts of consecutive keys, each copied, deleted and inserted again
    in random order in its own transaction, which holds the write lock (IMMEDIATE), so
    no write of another connection falls between a part's copy and its delete. The keys
    are random, so which part a row is in, and the order of the parts, says nothing of
    when it arrived; inside its part a row's cell and overflow pages land in random
    order as in a rewrite of the whole table. A row written between two parts sits
    where its key puts it, like any arrival since the last tick."""
    table = connection.ops.quote_name(model._meta.db_table)
    key = connection.ops.quote_name(model._meta.pk.column)
    low: Any = None
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            after = "" if low is None else f" WHERE {key} >= %s"
            cursor.execute(
                f"SELECT {key} FROM {table}{after} ORDER BY {key} LIMIT 1 OFFSET %s",  # noqa: S608 (names from model _meta)
                [*([] if low is None else [low]), SCRAMBLE_PART_ROWS],
            )
            found = cursor.fetchone()
            high = None if found is None else found[0]
            bounds = [(f"{key} >= %s", low), (f"{key} < %s", high)]
            conditions = [(sql, value) for sql, value in bounds if value is not None]
            where = (" WHERE " + " AND ".join(sql for sql, _v in conditions)) if conditions else ""
            _rewrite(cursor, table, where, [value for _sql, value in conditions])
        if high is None:
            return
        low = high
        if not connection.in_atomic_block:  # inside a caller's transaction nothing is let go
            time.sleep(SCRAMBLE_PAUSE_SECONDS)


def scramble_all() -> None:
    for model in unordered_models():
        scramble(model)


def _sqlite_without_rowid(cursor: Any, table: str) -> bool:
    cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [table])
    row = cursor.fetchone()
    return bool(row) and "WITHOUT ROWID" in row[0].upper()


def erased_tables() -> list[str]:
    """Every table whose rows the erase path deletes: the participant tables, the tables
    a delete of theirs cascades to (a roster person's notes), and any model that says it
    is erased in place (`ERASED_IN_PLACE = True`: a used invite code)."""
    found = set(tables())
    for model in kinds():
        found |= {
            rel.related_model._meta.db_table
            for rel in model._meta.related_objects
            if rel.on_delete is models.CASCADE and rel.related_model is not None
        }
    found |= {m._meta.db_table for m in apps.get_models() if getattr(m, "ERASED_IN_PLACE", False)}
    return sorted(found)


def _postgresql_keeps_no_samples() -> None:
    """PostgreSQL's ANALYZE (autovacuum runs it) copies sample values of every column into
    pg_statistic: a sealed blob, a receipt hash, a row id, kept there after the row is
    erased (and in pg_statistic's own dead tuples after that). Statistics target 0 on
    every column of an erased table: ANALYZE samples none of them. These tables are
    read by primary key or parent, where the planner needs no histogram."""
    with connection.cursor() as cursor:
        for table in erased_tables():
            cursor.execute(
                # to_regclass: NULL, so no row, for a table this migration state doesn't have.
                "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0 "
                "AND NOT attisdropped AND attstattarget <> 0",
                [connection.ops.quote_name(table)],
            )
            columns = [row[0] for row in cursor.fetchall()]
            if columns:
                q = connection.ops.quote_name
                changes = ", ".join(f"ALTER COLUMN {q(c)} SET STATISTICS 0" for c in columns)
                cursor.execute(f"ALTER TABLE {q(table)} {changes}")


def ensure_storage(**_kwargs: Any) -> None:
    """PostgreSQL: no column of an erased table is sampled into pg_statistic
    (`_postgresql_keeps_no_samples`).

    SQLite: make every participant table, and every other table kept out of arrival
    order (`unordered_models()`), a WITHOUT ROWID table keyed by its random id.

    An ordinary SQLite table stores rows by rowid, which counts up in arrival order (and
    the file offset with it). A WITHOUT ROWID table is a B-tree on the primary key: the
    random id. Django's schema editor rebuilds a table without this clause whenever a
    migration alters it, so this runs after every migrate (post_migrate) and rebuilds
    whatever lost it: the same 12-step table rebuild Django itself uses."""
    if connection.vendor == "postgresql":
        _postgresql_keeps_no_samples()
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        # Only tables this migration state has: `concerted migrate core 0002` (back) drops some.
        existing = set(connection.introspection.table_names(cursor))
        todo = [t for t in unordered_tables() if t in existing and not _sqlite_without_rowid(cursor, t)]
    if not todo:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys=OFF")
        try:
            with transaction.atomic():
                for table in todo:
                    _rebuild_without_rowid(cursor, table)
                cursor.execute("PRAGMA foreign_key_check")
                problems = cursor.fetchall()
                if problems:
                    raise RuntimeError(f"foreign key check failed after rebuilding: {problems[:5]}")
        finally:
            cursor.execute("PRAGMA foreign_keys=ON")
        fold_wal(cursor)


def _rebuild_without_rowid(cursor: Any, table: str) -> None:
    cursor.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=%s", [table])
    create_sql = cursor.fetchone()[0]
    cursor.execute("SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=%s AND sql IS NOT NULL", [table])
    indexes = [r[0] for r in cursor.fetchall()]
    temp = f"{table}__i10_new"
    quoted, quoted_temp = connection.ops.quote_name(table), connection.ops.quote_name(temp)
    head = create_sql.split("(", 1)
    cursor.execute(f"CREATE TABLE {quoted_temp} ({head[1]} WITHOUT ROWID")
    # Random order, so even the copy's page allocation doesn't follow the old rowids.
    cursor.execute(f"INSERT INTO {quoted_temp} SELECT * FROM {quoted} ORDER BY random()")  # noqa: S608 (names from model _meta)
    cursor.execute(f"DROP TABLE {quoted}")
    cursor.execute(f"ALTER TABLE {quoted_temp} RENAME TO {quoted}")
    for sql in indexes:
        cursor.execute(sql)


# --- organizer fetch and export ------------------------------------------------------------------


def parent_for_organizer(
    request: HttpRequest, model: type[models.Model], pk: Any, campaign: str = "campaign", role: str | None = None
) -> Any:
    """Fetch a parent object (petition, pledge, unit, survey, kit) and check the user's
    role in its campaign through the one access helper (campaigns/access.py: roles,
    two-factor); anyone who doesn't organize it, signed in or not, gets a 404."""
    # campaigns is the shared layer every domain app builds on, not a domain app.
    from concerted.campaigns.access import campaign_for_organizer

    if not request.user.is_authenticated:
        raise Http404
    try:
        obj = model.objects.select_related(campaign).filter(pk=pk).first()
    except (ValueError, ValidationError):
        raise Http404 from None
    if obj is None:
        raise Http404
    campaign_for_organizer(request, getattr(obj, f"{campaign}_id"), role=role)
    return obj


def export_response(
    *,
    model: type[ParticipantRecord],
    campaign: Any,
    parent: dict[str, Any],
    records: Iterable[ParticipantRecord] | Iterable[dict[str, Any]],
    filename: str,
    kind: str | None = None,
) -> JsonResponse:
    """The sealed export of some records of one kind, as a download."""
    rows = (r.export_row() if isinstance(r, ParticipantRecord) else r for r in records)
    data = export.build(
        kind=kind or model.KIND, campaign=campaign, parent_field=model.PARENT, parent=parent, records=rows
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def rewrite_operation(app_label: str, model_name: str) -> Any:
    """A migration step that rewrites a participant table after a column holding
    something about participants was dropped. PostgreSQL's DROP COLUMN only hides the
    column: the values stay in every tuple until the row is rewritten. The migration
    using it must be `atomic = False` (VACUUM FULL can't run in a transaction)."""
    from django.db import migrations

    def run(apps_: Any, schema_editor: Any) -> None:
        scramble(apps_.get_model(app_label, model_name))

    return migrations.RunPython(run, migrations.RunPython.noop, elidable=False)
