"""PostgreSQL search folds diacritics: "racun" finds "račun", "szamla" finds "számla", as FTS5 does on SQLite.

A text search configuration `callpulse_search` copies `simple` and sends words containing non-ASCII letters
through the `unaccent` dictionary first; the generated `tsv` column and its GIN index are rebuilt with it.
SQLite needs nothing: its FTS5 tokenizer already removes diacritics (migration 0002).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CONFIG = "callpulse_search"
# Token types of the default parser that may hold non-ASCII letters; the ASCII ones have nothing to fold.
_FOLDED_TOKENS = "word, hword, hword_part, numword, numhword, hword_numpart"


def _tsv_column(config: str) -> list[str]:
    # PostgreSQL before 17 cannot change a generated column's expression, so the column is dropped and re-added
    # (this rewrites the segments table once).
    return [
        "DROP INDEX IF EXISTS ix_segments_tsv",
        "ALTER TABLE segments DROP COLUMN IF EXISTS tsv",
        f"ALTER TABLE segments ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('{config}', text)) STORED",
        "CREATE INDEX ix_segments_tsv ON segments USING gin (tsv)",
    ]


POSTGRES_UP = [
    # unaccent is a trusted extension (PostgreSQL 13+): a role with CREATE on the database may install it.
    # Where it may not, an administrator runs CREATE EXTENSION unaccent once and this statement is a no-op.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"CREATE TEXT SEARCH CONFIGURATION {CONFIG} (COPY = simple)",
    f"ALTER TEXT SEARCH CONFIGURATION {CONFIG} ALTER MAPPING FOR {_FOLDED_TOKENS} WITH unaccent, simple",
    *_tsv_column(CONFIG),
]
POSTGRES_DOWN = [
    *_tsv_column("simple"),
    f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {CONFIG}",
    # The extension stays: it may have been installed by an administrator or be used by other objects.
]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _run(POSTGRES_DOWN)
