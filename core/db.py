"""Database engine, sessions and automatic migration to the current schema."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import ColumnElement, Engine, create_engine, event, func, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from core.errors import DatabaseNotReady, one_line
from core.models import AppMeta
from core.settings import get_settings
from core.spoken_words import SQLITE_FOLD_FUNCTION, spoken_fold


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets the API read while workers write; busy_timeout rides out short write locks.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()
    dbapi_conn.create_function(SQLITE_FOLD_FUNCTION, 1, spoken_fold, deterministic=True)


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("core") / "migrations"))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (safe to call on every start)."""
    with engine.begin() as conn:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def is_current(engine: Engine) -> bool:
    try:
        return current_revision(engine) == head_revision(engine)
    except OperationalError as exc:
        raise DatabaseNotReady(f"database unreachable: {exc.orig}") from exc


def _shown(url: str) -> str:
    """The URL without its password, for error messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Database:
    """An engine plus its session factory; created once per process per URL."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        try:
            self.engine = make_engine(url)
            if migrate:
                upgrade(self.engine)
        except (ArgumentError, ImportError) as exc:
            raise DatabaseNotReady(f"cannot use database URL {_shown(url)!r}: {exc}") from exc
        except DBAPIError as exc:
            reason = one_line(exc.orig)
            raise DatabaseNotReady(f"cannot open database {_shown(url)!r}: {reason}") from exc
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        with self.sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


@lru_cache(maxsize=8)
def get_database(url: str | None = None) -> Database:
    return Database(url or get_settings().database_url)


def utc_truncate(session: Session, column: Any, unit: str) -> ColumnElement[Any]:
    """``column`` cut to its UTC ``unit`` ("hour" or "day") in SQL: text on SQLite, which keeps UTC as text; a
    naive UTC timestamp on PostgreSQL, where date_trunc on a timestamptz would cut in the session's time zone
    (a day would start at local midnight, and a half-hour zone would shift every hour)."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d 00:00:00" if unit == "day" else "%Y-%m-%d %H:00:00", column)
    return func.date_trunc(unit, func.timezone("UTC", column))


def meta_value(session: Session, key: str, default_factory: Any = None) -> str | None:
    """Read a small installation fact; create it with default_factory() if missing."""
    row = session.get(AppMeta, key)
    if row is not None:
        return row.value
    if default_factory is None:
        return None
    session.add(AppMeta(key=key, value=default_factory()))
    session.flush()
    row = session.get(AppMeta, key)
    return row.value if row else None


def caller_hash_key(session: Session) -> bytes:
    configured = get_settings().hash_key
    if configured is not None:
        return configured.get_secret_value().encode()
    value = meta_value(session, "caller_hash_key", lambda: secrets.token_hex(32))
    assert value is not None
    return bytes.fromhex(value)
