"""The test database's rows, table by table: read, compared and written back without signals.

`MigratedState` is what migrations put in the database (Australia as shipping country, the
e-mail types, the staff roles and their permissions, health funds, topics). `committed_db`
(tests/conftest.py) puts the database back to it after a test that committed: every table
another test wrote to is emptied with DELETE and refilled with those rows, in one
transaction. That leaves the same rows, ids and all, as Django's flush (TRUNCATE of every
table, seconds on PostgreSQL) followed by reloading the serialized rows one by one.

Only Django's public model API is used here (the app registry, `_meta`'s documented Options
API, `Field.get_db_prep_save`, querysets and a cursor). The one private API the test set-up
relies on is in tests/conftest.py (`committed_db` replaces `TransactionTestCase.
_fixture_teardown` to skip pytest-django's flush); tests/core/test_database.py fails loudly,
naming it, if an upgrade of Django or pytest-django breaks it.
"""

from datetime import datetime, time

from django.apps import apps
from django.db import connection, transaction

# Written by the database's own triggers whenever the tables pages show change (the page
# cache's generation, core/pagecache_triggers.py).
TRIGGER_MAINTAINED = {"core.PageGeneration"}


def models(*, trigger_maintained: bool = False) -> list:
    """Every table Django manages, once each (auto-created many-to-many tables included)."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        if meta.label in TRIGGER_MAINTAINED and not trigger_maintained:
            continue
        found.setdefault(meta.db_table, model)
    return list(found.values())


def fields(model) -> list:
    return list(model._meta.local_concrete_fields)


def rows(model) -> dict:
    """The table's rows as {pk: values}, values as Python sees them."""
    names = [f.attname for f in fields(model)]
    pk_index = names.index(model._meta.pk.attname)
    found = model._base_manager.using(connection.alias).values_list(*names).order_by()
    return {row[pk_index]: row for row in found}


def comparable(model, found: dict, *, exact: bool):
    """Rows with times to the millisecond (how Django's serializer writes them back), and,
    unless `exact`, a many-to-many table's rows without their own ids (which it renumbers)."""
    found = {pk: tuple(map(_to_milliseconds, row)) for pk, row in found.items()}
    if exact or not model._meta.auto_created:
        return found
    pk_index = [f.attname for f in fields(model)].index(model._meta.pk.attname)
    return sorted(row[:pk_index] + row[pk_index + 1 :] for row in found.values())


def _to_milliseconds(value):
    if isinstance(value, datetime | time) and value.microsecond % 1000:
        return value.replace(microsecond=value.microsecond // 1000 * 1000)
    return value


def insert(model, new_rows) -> None:
    """The rows as they are (no defaults, no auto_now, no signals), ids included: a plain
    INSERT of each column's value as the field writes it to the database."""
    columns = fields(model)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the models)
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in columns),
        ", ".join(["%s"] * len(columns)),
    )
    values = [
        [f.get_db_prep_save(value, connection) for f, value in zip(columns, row, strict=True)]
        for row in new_rows
    ]
    if values:
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)


def empty(model) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


class MigratedState:
    """Every table's rows as the migrations left them (read once, right after they ran)."""

    def __init__(self):
        self.tables = {model: rows(model) for model in models(trigger_maintained=True)}

    def restore(self) -> None:
        """Every table back to its migrated rows. Foreign keys are checked at commit (Django
        makes them deferrable), so the order of the tables does not matter."""
        with transaction.atomic():
            for model, migrated in self.tables.items():
                if model._meta.label in TRIGGER_MAINTAINED:
                    continue
                if not migrated:
                    empty(model)
                elif rows(model) != migrated:
                    empty(model)
                    insert(model, migrated.values())
        # Emptying the tables pages show bumped the page generation (on PostgreSQL, at
        # commit): back to its migrated rows as well.
        with transaction.atomic():
            for model, migrated in self.tables.items():
                if model._meta.label in TRIGGER_MAINTAINED and rows(model) != migrated:
                    empty(model)
                    insert(model, migrated.values())

    def differs(self) -> str:
        """The first table whose rows are not the migrated ones ("" when none is)."""
        for model, migrated in self.tables.items():
            if rows(model) != migrated:
                return model._meta.label
        return ""
