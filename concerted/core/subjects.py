"""The one read every participant request starts with: a subject (petition, pledge,
card drive, ...) by its public slug, with its campaign, in one SELECT.

Through the ORM this costs far more in building and compiling the query than in
running it (measured: about 18 times the raw statement; docs/PERFORMANCE.md), and
every sign page GET and POST does it. So the statement is written out once per model
and database, and the rows are turned into model instances the way the ORM does it
(the backend's and each field's converters, then Model.from_db), so callers get the
same objects as from `Model.objects.select_related("campaign").get(...)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connections, models, router
from django.http import Http404

M = TypeVar("M", bound=models.Model)

_statements: dict[tuple[Any, ...], tuple[str, list[Callable[[Any], Any]]]] = {}


def _converters(field: models.Field, alias: str, connection: Any) -> Callable[[Any], Any]:
    col = field.get_col(alias)
    found = [*connection.ops.get_db_converters(col), *col.get_db_converters(connection)]
    if not found:
        return lambda value: value

    def convert(value: Any) -> Any:
        for converter in found:
            value = converter(value, col, connection)
        return value

    return convert


def _statement(model: type[M], related: str, hidden_status: str | None, using: str) -> tuple[str, list[Any]]:
    key = (model, related, hidden_status, using)
    found = _statements.get(key)
    if found is None:
        connection = connections[using]
        q = connection.ops.quote_name
        fk = model._meta.get_field(related)
        other = fk.related_model
        mine, theirs = model._meta.concrete_fields, other._meta.concrete_fields  # type: ignore[union-attr]
        s, c = model._meta.db_table, other._meta.db_table  # type: ignore[union-attr]
        columns = [f"{q(s)}.{q(f.column)}" for f in mine] + [f"{q(c)}.{q(f.column)}" for f in theirs]
        where = f"{q(s)}.{q('slug')} = %s"
        if hidden_status is not None:
            where += f" AND NOT ({q(s)}.{q('status')} = %s)"
        # Identifiers from the models' own metadata, quoted by the backend; the slug and
        # status are parameters.
        join = f"{q(s)}.{q(fk.column)} = {q(c)}.{q(other._meta.pk.column)}"  # type: ignore[union-attr]
        sql = " ".join(["SELECT", ", ".join(columns), "FROM", q(s), "INNER JOIN", q(c), f"ON ({join})", "WHERE", where])
        sql += " LIMIT 2"
        convert = [_converters(f, s, connection) for f in mine] + [_converters(f, c, connection) for f in theirs]
        found = _statements[key] = (sql, convert)
    return found


def by_slug(model: type[M], slug: str, *, hidden_status: str | None = None, related: str = "campaign") -> M:
    """`get_object_or_404(model.objects.select_related(related).exclude(status=hidden_status),
    slug=slug)` in one precompiled statement."""
    # Short codes are lower case (core/shortcodes.py); one typed from a flyer in capitals
    # (a phone's keyboard capitalizes) finds its page as the home page's box does.
    slug = slug.lower()
    using = router.db_for_read(model)
    sql, convert = _statement(model, related, hidden_status, using)
    params: list[Any] = [slug] if hidden_status is None else [slug, str(hidden_status)]
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchmany(2)
    if len(rows) != 1:
        if rows:
            raise model.MultipleObjectsReturned(f"more than one {model.__name__} with slug {slug!r}")  # type: ignore[attr-defined]
        raise Http404(f"No {model._meta.object_name} matches the given query.")
    values = [fn(v) for fn, v in zip(convert, rows[0], strict=True)]
    fk = model._meta.get_field(related)
    mine = model._meta.concrete_fields
    other = fk.related_model
    subject = model.from_db(using, [f.attname for f in mine], values[: len(mine)])
    owner = other.from_db(using, [f.attname for f in other._meta.concrete_fields], values[len(mine) :])  # type: ignore[union-attr]
    fk.set_cached_value(subject, owner)  # type: ignore[union-attr]
    return subject
