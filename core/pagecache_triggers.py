"""The database triggers that bump `core.PageGeneration` whenever a table public pages show
changes: every table of the apps the departments name with `watch_apps` (the shop: Oscar's
catalogue, partner, reviews, offer and voucher; the blog: its own), from their AppConfig.ready.

Triggers, not signals, because much of what pages show changes by UPDATE (Oscar allocates
stock with `.update()`, bulk imports use `bulk_create`), which no signal reports, and because
a trigger runs in the writer's transaction: the new generation becomes visible exactly when
the new data does. Installed after every `migrate` (post_migrate, idempotent), so a table a
later migration adds is covered without anyone remembering to (tests/core/test_page_cache.py
checks every table has its trigger).

- SQLite: a row trigger per table and operation, an UPSERT on the one row.
- PostgreSQL: a deferred constraint trigger per table. It runs at commit, once per
  transaction (a transaction-local setting remembers it ran), so the generation row is the
  last lock a transaction takes and is held only while it commits: two checkouts locking
  stock records in opposite orders cannot deadlock on it.
"""

from django.apps import apps as global_apps
from django.db import connections

PAGE_TABLE_APPS: set[str] = set()


def watch_apps(*labels: str) -> None:
    """Every table of these apps (labels) bumps the page generation when it changes."""
    PAGE_TABLE_APPS.update(labels)


TRIGGER = "page_generation_bump"

_BUMP = (
    "INSERT INTO core_pagegeneration (id, value) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET value = core_pagegeneration.value + 1"
)

_POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('backcare.page_generation_txid', true)
            IS DISTINCT FROM txid_current()::text THEN
        PERFORM set_config('backcare.page_generation_txid', txid_current()::text, true);
        {_BUMP};
    END IF;
    RETURN NULL;
END
$$
"""

_POSTGRES_TRIGGERS = "SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = %s"


def page_tables(apps=global_apps) -> list[str]:
    tables = set()
    for label in sorted(PAGE_TABLE_APPS):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables)


def triggers_install(using="default", apps=global_apps) -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        tables = [table for table in page_tables(apps) if table in existing]
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_FUNCTION)
            have = tables_with_trigger(using)
            for table in tables:
                if table not in have:
                    cursor.execute(
                        f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                        f'ON "{table}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
                        f"EXECUTE FUNCTION {TRIGGER}()"
                    )
        elif connection.vendor == "sqlite":
            for table in tables:
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f'CREATE TRIGGER IF NOT EXISTS "{TRIGGER}_{table}_{operation.lower()}" '
                        f'AFTER {operation} ON "{table}" BEGIN {_BUMP}; END'
                    )


def tables_with_trigger(using="default") -> set[str]:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_POSTGRES_TRIGGERS, [TRIGGER])
            return {name.strip('"') for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s "
            "GROUP BY tbl_name HAVING COUNT(*) = 3",
            [f"{TRIGGER}_%"],
        )
        return {name for (name,) in cursor.fetchall()}


def install_after_migrate(sender, using="default", apps=global_apps, **kwargs) -> None:
    if sender.label == "core":
        triggers_install(using=using)
