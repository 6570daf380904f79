"""`manage.py load_demo` for the tests, once per test run.

Most tests start from the demo content (products, pictures, articles, health funds, experts,
staff accounts). Loading it with the command costs a second or more per test; this module runs
the real command once, in a transaction it rolls back, and keeps what it did: the rows it
inserted or changed, table by table, and the pictures it stored. `DemoSnapshot.load()` then
writes those rows and pictures again (no signals: the rows are the command's own, search
documents included; the database's triggers fire as they do for the command).

It does so only when the test's database is as the snapshot found it (every table compared,
row by row) and the settings the demo reads are the same; otherwise, say after a test made
rows of its own first, it runs the real command. Either way the test gets what
`call_command("load_demo")` would have given it. tests/core/test_load_demo.py and
tests/shop/test_demo.py run the real command, and tests/core/test_demo_snapshot.py checks
that a restored demo equals a loaded one.
"""

from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings

from tests.database_state import comparable, fields, insert, models, rows

# What the demo's rows depend on besides the database (the demo superuser only outside
# production, its e-mail and password, the staff password, the site's name).
SETTINGS_READ = (
    "PRODUCTION",
    "DEMO_ADMIN_EMAIL",
    "DEMO_ADMIN_PASSWORD",
    "DEMO_STAFF_PASSWORD",
    "SITE_ID",
    "OSCAR_SHOP_NAME",
    "OSCAR_DEFAULT_CURRENCY",
    "PASSWORD_HASHERS",
    "AUTH_USER_MODEL",
    "TIME_ZONE",
    "LANGUAGE_CODE",
)


def _settings_now() -> tuple:
    return tuple(repr(getattr(settings, name, None)) for name in SETTINGS_READ)


def _stored_files(root: Path) -> dict[str, bytes]:
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@dataclass
class TableChange:
    model: type
    inserted: list = field(default_factory=list)  # rows (values tuples)
    updated: list = field(default_factory=list)


@dataclass
class DemoSnapshot:
    before: dict  # model -> its rows as the command found them (comparable())
    changes: list[TableChange]
    files: dict[str, bytes]  # path in the default storage -> content
    settings_key: tuple
    written: set  # the models whose tables the demo writes
    restored: int = 0
    loaded: int = 0
    fallback_reasons: list[str] = field(default_factory=list)

    @classmethod
    def take(cls, media_root: Path) -> "DemoSnapshot":
        """Runs load_demo once and rolls it back, keeping what it wrote."""
        fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py
        with (
            override_settings(MEDIA_ROOT=media_root, PASSWORD_HASHERS=fast),
            transaction.atomic(),
        ):
            tables = models()
            before = {model: rows(model) for model in tables}
            key = _settings_now()
            call_command("load_demo", stdout=StringIO())
            changes = []
            for model in tables:
                after = rows(model)
                if after == before[model]:
                    continue
                gone = set(before[model]) - set(after)
                assert not gone, f"load_demo deleted rows of {model._meta.label}: {gone}"
                changes.append(
                    TableChange(
                        model,
                        inserted=[row for pk, row in after.items() if pk not in before[model]],
                        updated=[
                            row
                            for pk, row in after.items()
                            if pk in before[model] and row != before[model][pk]
                        ],
                    )
                )
            transaction.set_rollback(True)
        written = {change.model for change in changes}
        before = {
            model: comparable(model, found, exact=model in written)
            for model, found in before.items()
        }
        return cls(before, changes, _stored_files(media_root), key, written)

    def _differs(self) -> str:
        """Why the database or settings are not as the snapshot found them ("" if they are)."""
        if _settings_now() != self.settings_key:
            return "settings differ"
        for model, found in self.before.items():
            if comparable(model, rows(model), exact=model in self.written) != found:
                return f"{model._meta.label} differs"
        return ""

    def load(self) -> None:
        """What `call_command("load_demo")` does to this test's database and media."""
        reason = self._differs()
        if reason:
            self.loaded += 1
            self.fallback_reasons.append(reason)
            call_command("load_demo", stdout=StringIO())
            return
        with transaction.atomic():
            for change in self.changes:
                self._write(change)
            self._sequences_past_new_rows()
        for name, content in self.files.items():
            if not default_storage.exists(name):
                default_storage.save(name, ContentFile(content))
        self.restored += 1

    def _write(self, change: TableChange) -> None:
        model = change.model
        insert(model, change.inserted)
        names = [f.attname for f in fields(model)]
        pk = model._meta.pk.attname
        for row in change.updated:
            values = dict(zip(names, row, strict=True))
            model._base_manager.using(connection.alias).filter(pk=values.pop(pk)).update(**values)

    def _sequences_past_new_rows(self) -> None:
        """PostgreSQL's sequences past the ids written here (SQLite's follow by themselves)."""
        inserted = [change.model for change in self.changes if change.inserted]
        statements = connection.ops.sequence_reset_sql(no_style(), inserted)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
