"""SQLite search folds the letters its tokenizer keeps apart: đ, ё, ł, ø (as PostgreSQL's unaccent does).
FTS5's `remove_diacritics` folds only letters that decompose into a base letter and a combining mark, so the
Croatian "uredaj" could not find "uređaj", nor "счет" find "счёт". The index's source view now shows these letters
folded (each to one letter, so snippets line up with the stored text), and queries fold them the same way.
PostgreSQL is unchanged: unaccent folds them already.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen copy of core.search_query.FOLDED_LETTERS at this revision (a test keeps them equal).
FOLDED_LETTERS: dict[str, str] = {"đ": "d", "Đ": "D", "ё": "е", "Ё": "Е", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}

# Revision 0007 is frozen too; its statements rebuild the index on a new source view.
_prior = importlib.import_module("core.migrations.versions.0007_search_cjk")


def _folded(value: str) -> str:
    for letter, base in FOLDED_LETTERS.items():
        value = f"replace({value}, '{letter}', '{base}')"
    return value


def _sqlite_up(view_text: str) -> list[str]:
    create_view = f"CREATE VIEW {_prior.SOURCE}(id, text)"
    view = f"{create_view} AS SELECT id, {view_text} FROM segments"
    statements = [view if s.startswith(create_view) else s for s in _prior.SQLITE_UP]
    if view not in statements:
        raise RuntimeError("revision 0007 creates no index source view to replace")
    return statements


def _run(statements: list[str]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in statements:
            op.execute(statement)


def upgrade() -> None:
    _run(_sqlite_up(_folded(_prior._sqlite_padded("text"))))


def downgrade() -> None:
    _run(list(_prior.SQLITE_UP))
