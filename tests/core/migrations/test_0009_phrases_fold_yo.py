"""Upgrading folds ё in stored phrases: a phrase's history carries on and its open incident is still recognised."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from core.db import Database, upgrade
from core.models import Alert, AlertKind, PhraseBucket, Severity
from tests.core.migrations.schema import downgrade_to
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _stored_before_0009(db: Database) -> None:
    downgrade_to(db, "0008")
    with db.session() as s:
        s.add_all(
            [
                PhraseBucket(bucket_start=T0, phrase="счёт за роуминг", language="ru", count=2),
                PhraseBucket(bucket_start=T0, phrase="счет за роуминг", language="ru", count=1),
                PhraseBucket(bucket_start=T0 + timedelta(hours=1), phrase="счёт за роуминг", language="ru", count=4),
                PhraseBucket(bucket_start=T0, phrase="paper bill", language="en", count=3),
            ]
        )
        # the columns an alert had then (the model has more): what a release of the time stored
        s.execute(
            insert(Alert),
            [
                {
                    "kind": AlertKind.EMERGING,
                    "phrase": "счёт за роуминг",
                    "dimension": {},
                    "incident_key": "emerging:счёт за роуминг",
                    "merged_keys": ["emerging:роуминг ещё"],
                    "change_at": T0,
                    "detected_at": T0,
                    "last_seen_at": T0,
                    "baseline_rate": 0.1,
                    "current_rate": 2.0,
                    "ratio": 20.0,
                    "severity": Severity.HIGH,
                }
            ],
        )


def check_upgrade_folds_stored_phrases(db: Database) -> None:
    _stored_before_0009(db)
    upgrade(db.engine)
    with db.session() as s:
        rows = s.execute(select(PhraseBucket.bucket_start, PhraseBucket.phrase, PhraseBucket.count)).all()
        alert = s.scalars(select(Alert)).one()
        counts = sorted((b.replace(tzinfo=UTC) if b.tzinfo is None else b, p, c) for b, p, c in rows)
        assert counts == [
            (T0, "paper bill", 3),
            (T0, "счет за роуминг", 3),
            (T0 + timedelta(hours=1), "счет за роуминг", 4),
        ]
        assert (alert.phrase, alert.incident_key) == ("счет за роуминг", "emerging:счет за роуминг")
        assert alert.merged_keys == ["emerging:роуминг еще"]


def test_upgrade_folds_stored_phrases_on_sqlite(db: Database) -> None:
    check_upgrade_folds_stored_phrases(db)


@pytest.mark.postgres
def test_upgrade_folds_stored_phrases_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_fold_yo") as db:
        check_upgrade_folds_stored_phrases(db)
