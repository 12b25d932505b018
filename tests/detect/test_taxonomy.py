"""Taxonomy parsing, validation messages and installing versions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Database
from core.errors import TaxonomyError
from core.models import Call, CallStatus, TaxonomyVersion, Topic
from detect.taxonomy import (
    active_taxonomy,
    default_taxonomy,
    ensure_taxonomy,
    install_taxonomy,
    load_taxonomy_file,
    parse_taxonomy,
    taxonomy_to_yaml,
)

GOOD = """
version: 3
topics:
  - id: billing.unexpected_charge
    label: Unexpected charge on the bill
    speaker: customer
    patterns:
      en: ["unexpected charge", "extra fee"]
      hr: ["neočekivani trošak"]
"""


def test_parses_design_format() -> None:
    taxonomy = parse_taxonomy(GOOD)
    assert taxonomy.version == 3
    (topic,) = taxonomy.topics
    assert topic.id == "billing.unexpected_charge"
    assert topic.speaker == "customer"
    assert topic.patterns["hr"] == ("neočekivani trošak",)
    assert parse_taxonomy(taxonomy_to_yaml(taxonomy)) == taxonomy


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("version: [1", "not valid YAML"),
        ("- a\n- b", "mapping"),
        ("version: 0\ntopics: []", "'version' must be an integer from 1 to 2147483647"),
        ("version: 1\ntopics: []", "'topics' must be a non-empty list"),
        (
            "version: 1\ntopics:\n  - id: a.b\n    patterns: {en: [x]}\n  - id: a.b\n    patterns: {en: [y]}",
            "'a.b': duplicate id",
        ),
        ("version: 1\ntopics:\n  - id: a.b\n    speaker: robot\n    patterns: {en: [x]}", "'a.b': 'speaker'"),
        ("version: 1\ntopics:\n  - id: a.b\n    patterns: {}", "'a.b': 'patterns'"),
        ("version: 1\ntopics:\n  - id: a.b\n    patterns: {en: []}", "'a.b': patterns for 'en'"),
        ("version: 1\ntopics:\n  - id: a.b\n    patterns: {english: [x]}", "'a.b': unknown language code 'english'"),
        ("version: 1\ntopics:\n  - id: A B\n    patterns: {en: [x]}", "topics[0]: 'id'"),
        ("version: 1\ntopics:\n  - id: a.b\n    colour: red\n    patterns: {en: [x]}", "unknown field(s) colour"),
    ],
)
def test_invalid_taxonomies_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(TaxonomyError) as info:
        parse_taxonomy(text)
    assert message in info.value.detail
    assert "\n" not in info.value.detail


def test_taxonomy_file_that_is_not_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_bytes(b"\xff\xfe\x00binary")
    with pytest.raises(TaxonomyError, match="not UTF-8 text"):
        load_taxonomy_file(path)


def test_default_taxonomy_covers_the_corpus_topics_in_five_languages() -> None:
    taxonomy = default_taxonomy()
    assert len(taxonomy.topics) == 12
    for topic in taxonomy.topics:
        assert set(topic.patterns) == {"en", "hr", "hu", "ru", "zh"}, topic.id


def test_install_versions_and_mark_history_for_retagging(db: Database) -> None:
    from datetime import UTC, datetime

    with db.session() as session:
        assert active_taxonomy(session) is None
        first = ensure_taxonomy(session)
        assert first.version == 1
        session.add(
            Call(id="c1", started_at=datetime(2026, 9, 7, tzinfo=UTC), status=CallStatus.TAGGED, tagged_version=1)
        )
    with db.session() as session:
        with pytest.raises(TaxonomyError, match="not newer"):
            install_taxonomy(session, first)
        assert install_taxonomy(session, parse_taxonomy(GOOD), GOOD) == 1
    with db.session() as session:
        active = active_taxonomy(session)
        assert active is not None and active.version == 3
        assert session.scalars(select(TaxonomyVersion.version).where(TaxonomyVersion.active)).all() == [3]
        active_topics = session.scalars(select(Topic.id).where(Topic.active)).all()
        assert active_topics == ["billing.unexpected_charge"]
        assert ensure_taxonomy(session).version == 3
