"""Search finds Chinese, Japanese and Korean words inside sentences written without spaces.

Both tokenizers (FTS5 unicode61, PostgreSQL's default parser) read a run of CJK characters as one word, so
'账单' could not find "我的账单上有一笔意外的费用". The index now sees every CJK character with a space on
each side, making each character a word; queries turn a CJK run into a phrase of consecutive characters.
The stored transcript text is unchanged, and snippets remove the padding again.

SQLite: the FTS5 table reads its content through the view `segments_fts_source`, which pads the text, and the
triggers index what the view shows. SQLite has no regular expressions, so the view walks the characters of a
text with a recursive query, only for texts that contain a CJK character. The FTS5 table is recreated (its
content source cannot be altered) and rebuilt.
PostgreSQL: the immutable function `callpulse_search_text(text)` pads with `regexp_replace`; the generated
`tsv` column is rebuilt on it, and snippets highlight its output.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of core.search_query.CJK_RANGES at this revision (a test keeps them equal).
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),
    (0x3000, 0x303F),
    (0x3040, 0x30FF),
    (0x3130, 0x318F),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)
TOKENIZE = "tokenize='unicode61 remove_diacritics 2'"
PG_CONFIG = "callpulse_search"
PG_FUNCTION = "callpulse_search_text"


def _sqlite_padded(value: str) -> str:
    """SQL expression: `value` with a space on each side of every CJK character."""
    has_cjk = "*[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES) + "]*"
    is_cjk = " OR ".join(f"unicode(ch) BETWEEN {lo} AND {hi}" for lo, hi in CJK_RANGES)
    positions = f"pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < length({value}))"
    chars = f"SELECT substr({value}, i, 1) AS ch FROM pos ORDER BY i"
    padded = f"SELECT group_concat(CASE WHEN {is_cjk} THEN ' ' || ch || ' ' ELSE ch END, '') FROM ({chars})"
    # Only texts holding a CJK character are walked character by character.
    return f"(CASE WHEN {value} GLOB '{has_cjk}' THEN (WITH RECURSIVE {positions} {padded}) ELSE {value} END)"


SOURCE = "segments_fts_source"
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS segments_fts_au",
    "DROP TRIGGER IF EXISTS segments_fts_bu",
    "DROP TRIGGER IF EXISTS segments_fts_ad",
    "DROP TRIGGER IF EXISTS segments_fts_bd",
    "DROP TRIGGER IF EXISTS segments_fts_ai",
    "DROP TABLE IF EXISTS segments_fts",
    f"DROP VIEW IF EXISTS {SOURCE}",
]
# The triggers index what the view shows (SQLite allows no WITH clause in a trigger's own statements); a
# removed or replaced text is read before it goes, as FTS5 must be told exactly the text it indexed.
SQLITE_UP = [
    *SQLITE_DROP,
    f"CREATE VIEW {SOURCE}(id, text) AS SELECT id, {_sqlite_padded('text')} FROM segments",
    f"CREATE VIRTUAL TABLE segments_fts USING fts5(text, content='{SOURCE}', content_rowid='id', {TOKENIZE})",
    "CREATE TRIGGER segments_fts_ai AFTER INSERT ON segments BEGIN "
    f"INSERT INTO segments_fts(rowid, text) SELECT id, text FROM {SOURCE} WHERE id = new.id; END",
    "CREATE TRIGGER segments_fts_bd BEFORE DELETE ON segments BEGIN "
    f"INSERT INTO segments_fts(segments_fts, rowid, text) SELECT 'delete', id, text FROM {SOURCE} WHERE id = old.id; "
    "END",
    "CREATE TRIGGER segments_fts_bu BEFORE UPDATE OF text ON segments BEGIN "
    f"INSERT INTO segments_fts(segments_fts, rowid, text) SELECT 'delete', id, text FROM {SOURCE} WHERE id = old.id; "
    "END",
    "CREATE TRIGGER segments_fts_au AFTER UPDATE OF text ON segments BEGIN "
    f"INSERT INTO segments_fts(rowid, text) SELECT id, text FROM {SOURCE} WHERE id = new.id; END",
    "INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')",
]
# Migration 0002's index over the stored text.
SQLITE_DOWN = [
    *SQLITE_DROP,
    f"CREATE VIRTUAL TABLE segments_fts USING fts5(text, content='segments', content_rowid='id', {TOKENIZE})",
    "CREATE TRIGGER segments_fts_ai AFTER INSERT ON segments BEGIN "
    "INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER segments_fts_ad AFTER DELETE ON segments BEGIN "
    "INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER segments_fts_au AFTER UPDATE OF text ON segments BEGIN "
    "INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')",
]


def _pg_class() -> str:
    return "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in CJK_RANGES)


def _tsv_column(document: str) -> list[str]:
    # As in 0003: a generated column's expression cannot be altered before PostgreSQL 17, so it is re-added.
    return [
        "DROP INDEX IF EXISTS ix_segments_tsv",
        "ALTER TABLE segments DROP COLUMN IF EXISTS tsv",
        f"ALTER TABLE segments ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('{PG_CONFIG}', {document})) "
        "STORED",
        "CREATE INDEX ix_segments_tsv ON segments USING gin (tsv)",
    ]


POSTGRES_UP = [
    f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}(t text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
    f"AS $$ SELECT regexp_replace(t, '([{_pg_class()}])', ' \\1 ', 'g') $$",
    *_tsv_column(f"{PG_FUNCTION}(text)"),
]
POSTGRES_DOWN = [*_tsv_column("text"), f"DROP FUNCTION IF EXISTS {PG_FUNCTION}(text)"]


def _run(statements: list[str]) -> None:
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_UP)
    elif dialect == "postgresql":
        _run(POSTGRES_UP)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        _run(SQLITE_DOWN)
    elif dialect == "postgresql":
        _run(POSTGRES_DOWN)
