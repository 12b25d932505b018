"""Tagging with real spaCy pipelines: inflected forms, speaker filter, case, languages, the tag job."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.db import Database
from core.models import Call, CallStatus, PhraseBucket, Segment, Speaker, TopicHit
from core.records import SegmentData
from detect.tag_job import TagOptions, tag_pending
from detect.tagging import tag_call
from detect.taxonomy import Taxonomy, TopicDef, install_taxonomy, parse_taxonomy

TAXONOMY = parse_taxonomy(
    """
version: 1
topics:
  - id: billing.unexpected_charge
    label: Unexpected charge
    speaker: customer
    patterns:
      en: ["unexpected charge", "extra fee"]
      hr: ["neočekivani trošak", "dodatna naknada"]
      hu: ["váratlan díj", "számla"]
      ru: ["лишняя плата", "неожиданное списание"]
      zh: ["额外费用"]
  - id: outage.no_service
    label: No service
    patterns:
      en: ["no internet"]
"""
)


def customer(text: str, start: float = 0.0) -> SegmentData:
    return SegmentData(start, start + 2, Speaker.CUSTOMER, text)


def agent(text: str, start: float = 0.0) -> SegmentData:
    return SegmentData(start, start + 2, Speaker.AGENT, text)


def one_pattern_topics(language: str, pattern: str, text: str) -> set[str]:
    """The topics a customer's text gets under a taxonomy of one topic "t" with one pattern."""
    taxonomy = parse_taxonomy(
        f"version: 1\ntopics:\n  - id: t\n    label: T\n    patterns:\n      {language}: [{pattern!r}]\n"
    )
    return {m.topic_id for m in tag_call([customer(text)], language, taxonomy)}


def topics(segments: list[SegmentData], language: str | None) -> set[str]:
    return {m.topic_id for m in tag_call(segments, language, TAXONOMY)}


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "There are Unexpected CHARGES on my invoice"),
        ("en", "why the extra fees?"),
        ("hr", "imam neočekivani trošak na računu"),
        ("hr", "zovem zbog neočekivanog troška"),
        ("hr", "naplatili ste mi dodatnu naknadu"),
        ("hu", "Váratlan díjat látok a számlámon"),
        ("hu", "váratlan díjak vannak rajta"),
        ("ru", "с меня взяли лишнюю плату"),
        ("ru", "вижу неожиданное списание"),
        ("zh", "上个月的账单多了一笔额外费用。"),
    ],
)
def test_inflected_forms_match_lemma_patterns(language: str, text: str) -> None:
    assert topics([customer(text)], language) == {"billing.unexpected_charge"}


def test_unrelated_speech_matches_nothing() -> None:
    assert topics([customer("I would like to know your opening hours")], "en") == set()
    assert topics([customer("imam pitanje o radnom vremenu")], "hr") == set()


def test_speaker_filter() -> None:
    said_by_agent = [agent("I see an unexpected charge here"), customer("ok")]
    assert topics(said_by_agent, "en") == set()
    # Topics without a speaker count either side; unknown-speaker (mono) turns count for both.
    assert topics([agent("there is no internet in your area")], "en") == {"outage.no_service"}
    unknown = [SegmentData(0, 1, Speaker.UNKNOWN, "an unexpected charge")]
    assert topics(unknown, "en") == {"billing.unexpected_charge"}


def test_unknown_or_missing_language_falls_back_to_english() -> None:
    assert topics([customer("an unexpected charge")], "xx") == {"billing.unexpected_charge"}
    assert topics([customer("an unexpected charge")], None) == {"billing.unexpected_charge"}
    assert topics([customer("an unexpected charge")], "de") == {"billing.unexpected_charge"}


def test_match_details() -> None:
    segments = [agent("Hello"), customer("an extra fee", 3.0), customer("and an unexpected charge too", 7.5)]
    (match,) = tag_call(segments, "en", TAXONOMY)
    assert match.matches == 2
    assert match.first_start == 3.0
    assert "extra fee" in match.evidence and "unexpected charge" in match.evidence


def add_call(db: Database, call_id: str, at: datetime, language: str, texts: list[tuple[Speaker, str]]) -> None:
    with db.session() as session:
        session.add(Call(id=call_id, started_at=at, language=language, status=CallStatus.TRANSCRIBED))
        for i, (speaker, text) in enumerate(texts):
            session.add(Segment(call_id=call_id, idx=i, start=i * 3.0, end=i * 3.0 + 2, speaker=speaker, text=text))


ESIM_CALL = [
    (Speaker.AGENT, "Good morning, my name is Ana, how can I help you?"),
    (Speaker.CUSTOMER, "My esim activation fails, the activation code [CARD] is rejected. 1234 5678"),
    (Speaker.AGENT, "I'm sorry to hear that. Does that solve your problem? Goodbye."),
]


def test_tag_job_writes_hits_qa_and_phrases_once(db: Database) -> None:
    at = datetime(2026, 10, 28, 10, 15, tzinfo=UTC)
    add_call(db, "c1", at, "en", [(Speaker.CUSTOMER, "There's an unexpected charge on my bill")])
    add_call(db, "c2", at, "en", ESIM_CALL)
    add_call(db, "c3", at.replace(minute=50), "en", ESIM_CALL)
    with db.session() as session:
        install_taxonomy(session, TAXONOMY)
    report = tag_pending(db, options=TagOptions(batch_size=2))
    assert (report.tagged, report.retagged) == (3, 0)
    with db.session() as session:
        hits = session.execute(select(TopicHit.call_id, TopicHit.topic_id)).all()
        assert [tuple(h) for h in hits] == [("c1", "billing.unexpected_charge")]
        c2 = session.get(Call, "c2")
        assert c2 is not None and c2.status == CallStatus.TAGGED and c2.tagged_version == 1
        assert c2.qa == {"greeting": True, "empathy": True, "resolution_confirmed": True, "closing": True}
        phrases = {p: n for p, n in session.execute(select(PhraseBucket.phrase, PhraseBucket.count))}
        assert phrases["esim activation"] == 2
        assert phrases["activation code"] == 2
        assert not any("card" in p or any(ch.isdigit() for ch in p) for p in phrases)
        bucket = session.scalar(select(PhraseBucket.bucket_start).where(PhraseBucket.phrase == "esim activation"))
        assert bucket == datetime(2026, 10, 28, 10, tzinfo=UTC)
    assert tag_pending(db).tagged == 0  # nothing pending: idempotent


def test_new_taxonomy_version_retags_history_without_recounting_phrases(db: Database) -> None:
    at = datetime(2026, 10, 28, 10, 15, tzinfo=UTC)
    add_call(db, "c1", at, "en", ESIM_CALL)
    add_call(db, "c2", at, "en", ESIM_CALL)
    tag_pending(db)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(TopicHit)) == 0
        esim = {**TAXONOMY.topics[0].patterns, "en": ("esim activation",)}
        v2 = Taxonomy(2, (TopicDef("mobile.esim", "eSIM", Speaker.CUSTOMER, esim),))
        assert install_taxonomy(session, v2) == 2
    report = tag_pending(db)
    assert (report.tagged, report.retagged, report.taxonomy_version) == (0, 2, 2)
    with db.session() as session:
        assert set(session.scalars(select(TopicHit.topic_id)).all()) == {"mobile.esim"}
        count = session.scalar(select(PhraseBucket.count).where(PhraseBucket.phrase == "esim activation"))
        assert count == 2
        assert set(session.scalars(select(Call.tagged_version)).all()) == {2}


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("счёт", "мне пришел странный счет"),
        ("счет", "в счёте есть лишняя строка"),
        ("подключён", "интернет не подключен"),
        ("всё сломалось", "у меня все сломалось"),
    ],
)
def test_russian_e_and_yo_spellings_are_one_word(pattern: str, text: str) -> None:
    assert one_pattern_topics("ru", pattern, text) == {"t"}


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("neočekivani trošak", "imam neocekivani trosak na racunu"),  # typed without diacritics
        ("neočekivani trošak", "zovem zbog neocekivanih troskova"),
        ("naknada za papirnati račun", "naknada za papirnati racun"),
        ("neocekivani trosak", "imam neočekivani trošak"),  # a pattern written without them matches speech
        ("plaćanje ne prolazi", "placanje ne prolazi"),
    ],
)
def test_croatian_with_and_without_diacritics_is_one_word(pattern: str, text: str) -> None:
    assert one_pattern_topics("hr", pattern, text) == {"t"}


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        ("šok", "popio sam sok"),  # juice, not shock
        ("koš", "vidio sam kos"),  # a blackbird, not a basket
        ("što", "imam sto kuna"),  # a hundred, not "what"
        ("trošak", "troska na cesti"),  # slag, not a cost
        ("račun", "moje racunalo ne radi"),  # a computer, not a bill
    ],
)
def test_a_croatian_spelling_that_is_a_word_of_its_own_keeps_its_meaning(pattern: str, text: str) -> None:
    assert one_pattern_topics("hr", pattern, text) == set()
