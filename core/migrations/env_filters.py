"""What autogenerate must leave alone: the search index is managed by hand in migrations 0002 and 0003."""

from __future__ import annotations


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(("segments_fts", "tsv", "ix_segments_tsv"))
