"""FacilityRegistry: the institutions, in SQLite by default or PostgreSQL by URL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from knowledge_base.registry.model import Institution
from knowledge_base.registry.tables import institutions, registry_revision

_MIGRATIONS = Path(__file__).parent / "migrations"
_FIELDS = (
    "name", "district", "subdistrict", "address", "longitude", "latitude", "provider_type",
    "inclusive", "care_modes", "min_age_months", "max_age_months", "capacity", "vacancies",
    "monthly_fee_yuan", "phone", "filed_on", "deregistered",
)  # fmt: skip


@dataclass(frozen=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int
    deregistered: int

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.deregistered} marked deregistered"
        )


def _row(institution: Institution) -> dict[str, Any]:
    row = {f: getattr(institution, f) for f in _FIELDS}
    row["care_modes"] = ";".join(institution.care_modes)
    row["registration_no"] = institution.registration_no
    return row


def _institution(row: Any) -> Institution:
    data = dict(row._mapping)
    data.pop("updated_at", None)
    data["care_modes"] = tuple(m for m in data["care_modes"].split(";") if m)
    data["inclusive"] = bool(data["inclusive"])
    data["deregistered"] = bool(data["deregistered"])
    return Institution(**data)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class FacilityRegistry:
    """One interface over SQLite or PostgreSQL; every import is one transaction."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str) -> FacilityRegistry:
        """Connects and brings the schema up to date (alembic migrations)."""
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, future=True)
        registry = cls(engine)
        registry.migrate()
        return registry

    def migrate(self) -> None:
        import logging

        from alembic import command
        from alembic.config import Config

        # Alembic narrates every plugin at INFO; an up-to-date schema is not news.
        logging.getLogger("alembic").setLevel(logging.WARNING)
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with self._engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self._engine.dispose()

    def revision(self) -> int:
        """Changes with every import that changed something; cheap to poll."""
        with self._engine.connect() as connection:
            value = connection.execute(sa.select(registry_revision.c.revision)).scalar()
        return int(value or 0)

    def all(self, *, include_deregistered: bool = False) -> list[Institution]:
        query = sa.select(institutions).order_by(institutions.c.registration_no)
        if not include_deregistered:
            query = query.where(institutions.c.deregistered == sa.false())
        with self._engine.connect() as connection:
            return [_institution(r) for r in connection.execute(query)]

    def get(self, registration_no: str) -> Institution | None:
        query = sa.select(institutions).where(institutions.c.registration_no == registration_no)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        return _institution(row) if row else None

    def count(self) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(institutions)
            .where(institutions.c.deregistered == sa.false())
        )
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar() or 0)

    def plan_import(self, items: Iterable[Institution], *, replace: bool = False) -> ImportSummary:
        """What import_institutions would do with these items, without writing anything."""
        incoming = {i.registration_no: _row(i) for i in items}
        with self._engine.connect() as connection:
            existing = {
                r.registration_no: dict(r._mapping)
                for r in connection.execute(sa.select(institutions))
            }
        added = sum(1 for n in incoming if n not in existing)
        updated = sum(
            1
            for n, row in incoming.items()
            if n in existing and any(_differs(existing[n][f], row[f]) for f in _FIELDS)
        )
        gone = (
            sum(1 for n, old in existing.items() if n not in incoming and not old["deregistered"])
            if replace
            else 0
        )
        return ImportSummary(added, updated, len(incoming) - added - updated, gone)

    def import_institutions(
        self, items: Iterable[Institution], *, replace: bool = False
    ) -> ImportSummary:
        """Upserts by registration number, all or nothing.

        With replace, institutions missing from items are marked deregistered: kept, never
        deleted, so their history stays and a later file can bring them back.
        """
        now = dt.datetime.now(dt.UTC)
        incoming = {i.registration_no: _row(i) for i in items}
        added = updated = unchanged = gone = 0
        with self._engine.begin() as connection:
            existing = {
                r.registration_no: dict(r._mapping)
                for r in connection.execute(sa.select(institutions))
            }
            for number, row in incoming.items():
                old = existing.get(number)
                if old is None:
                    connection.execute(institutions.insert().values(**row, updated_at=now))
                    added += 1
                elif any(_differs(old[f], row[f]) for f in _FIELDS):
                    connection.execute(
                        institutions.update()
                        .where(institutions.c.registration_no == number)
                        .values(**row, updated_at=now)
                    )
                    updated += 1
                else:
                    unchanged += 1
            if replace:
                missing = [
                    n
                    for n, old in existing.items()
                    if n not in incoming and not old["deregistered"]
                ]
                for start in range(0, len(missing), 500):
                    connection.execute(
                        institutions.update()
                        .where(institutions.c.registration_no.in_(missing[start : start + 500]))
                        .values(deregistered=True, updated_at=now)
                    )
                gone = len(missing)
            if added or updated or gone:
                self._bump_revision(connection, now)
        return ImportSummary(added, updated, unchanged, gone)

    @staticmethod
    def _bump_revision(connection: sa.Connection, now: dt.datetime) -> None:
        current = connection.execute(sa.select(registry_revision.c.revision)).scalar()
        if current is None:
            connection.execute(registry_revision.insert().values(id=1, revision=1, changed_at=now))
        else:
            # Incremented in the database: concurrent imports on PostgreSQL must not both
            # write the same number, or a running service could miss the later import.
            connection.execute(
                registry_revision.update().values(
                    revision=registry_revision.c.revision + 1, changed_at=now
                )
            )


def _differs(old: Any, new: Any) -> bool:
    if isinstance(old, float) or isinstance(new, float):
        return old is None or new is None or abs(float(old) - float(new)) > 1e-9
    return bool(old != new)
