"""Alembic environment for the registry; run through knowledge_base.registry.store."""

from __future__ import annotations

from alembic import context

from knowledge_base.registry.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run registry migrations through FacilityRegistry.open(), not alembic CLI")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
