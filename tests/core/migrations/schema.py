"""Putting a test database back at an earlier revision, to store data as an older release did."""

from __future__ import annotations

from alembic import command

from core.db import Database, alembic_config


def downgrade_to(db: Database, revision: str) -> None:
    with db.engine.begin() as conn:
        cfg = alembic_config(db.engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
