from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.db import Database
from core.models import Call, CallStatus, PhraseBucket, Segment, Speaker, TopicHit
from detect import tag_job
from detect.tag_job import TagOptions, _load_batch, _mark_tagged, _pass_conditions, retry_tag_failures, tag_pending
from detect.tagging import analyse_calls, matchers_for
from detect.taxonomy import Taxonomy, TopicDef, install_taxonomy
from tests.detect.test_tagging import ESIM_CALL, TAXONOMY, add_call

AT = datetime(2026, 10, 28, 10, 15, tzinfo=UTC)
CHARGE = [(Speaker.CUSTOMER, "There's an unexpected charge on my bill")]


def test_batches_walk_calls_with_equal_start_times_and_then_stale_ones(db: Database) -> None:
    for i in range(7):
        add_call(db, f"new{i}", AT, "en", CHARGE)  # equal started_at: the cursor must break ties on the id
    for i in range(3):
        add_call(db, f"old{i}", AT - timedelta(days=1), "en", ESIM_CALL)
    with db.session() as session:
        install_taxonomy(session, TAXONOMY)
        session.execute(update(Call).where(Call.id.like("old%")).values(status=CallStatus.TAGGED, tagged_version=None))
    report = tag_pending(db, options=TagOptions(batch_size=2))
    assert (report.tagged, report.retagged) == (7, 3)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(TopicHit)) == 7
        assert set(session.scalars(select(Call.status))) == {CallStatus.TAGGED}
        assert set(session.scalars(select(Call.tagged_version))) == {1}
        # The stale calls were tagged before: their phrases are not counted again.
        assert session.scalar(select(PhraseBucket.count).where(PhraseBucket.phrase == "esim activation")) is None


class AddsCallBehindTheCursor:
    """A progress sink that registers an earlier call while the job is between batches."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.added = False

    def start(self, description: str, total: float | None) -> None:
        pass

    def advance(self, amount: float = 1, note: str | None = None) -> None:
        if not self.added:
            add_call(self.db, "late", AT - timedelta(hours=5), "en", CHARGE)
            self.added = True

    def finish(self) -> None:
        pass


def test_call_arriving_behind_the_cursor_is_tagged_in_the_same_run(db: Database) -> None:
    for i in range(4):
        add_call(db, f"c{i}", AT + timedelta(minutes=i), "en", CHARGE)
    report = tag_pending(db, AddsCallBehindTheCursor(db), TagOptions(batch_size=2))
    assert report.tagged == 5
    with db.session() as session:
        assert set(session.scalars(select(Call.status))) == {CallStatus.TAGGED}


def test_calls_claimed_by_another_worker_are_not_written_twice(db: Database) -> None:
    for i in range(3):
        add_call(db, f"c{i}", AT, "en", CHARGE)
    with db.session() as session:
        install_taxonomy(session, TAXONOMY)
        calls, meta = _load_batch(session, _pass_conditions(1)[0], None, 10)
    analyses = analyse_calls(calls, matchers_for(TAXONOMY))
    with db.session() as session:  # another worker finishes c1 first
        session.execute(update(Call).where(Call.id == "c1").values(status=CallStatus.TAGGED, tagged_version=1))
    with db.session() as session:
        won = _mark_tagged(session.connection(), analyses, meta, 1)
    assert [a.call_id for a in won] == ["c0", "c2"]
    with db.session() as session:
        qa = {cid: value for cid, value in session.execute(select(Call.id, Call.qa))}
    assert qa["c1"] is None and qa["c0"] is not None and qa["c2"] is not None


def test_retag_pass_only_touches_other_versions(db: Database) -> None:
    add_call(db, "c1", AT, "en", ESIM_CALL)
    tag_pending(db)
    with db.session() as session:
        v2 = Taxonomy(2, (TopicDef("mobile.esim", "eSIM", Speaker.CUSTOMER, {"en": ("esim activation",)}),))
        install_taxonomy(session, v2)
    add_call(db, "c2", AT, "en", ESIM_CALL)
    report = tag_pending(db)
    assert (report.tagged, report.retagged) == (1, 1)
    assert tag_pending(db).tagged + tag_pending(db).retagged == 0


def _results(db: Database) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    with db.session() as session:
        hits = [tuple(r) for r in session.execute(select(TopicHit.call_id, TopicHit.topic_id, TopicHit.evidence))]
        qa = [tuple(r) for r in session.execute(select(Call.id, Call.qa, Call.status).order_by(Call.id))]
        phrases = [tuple(r) for r in session.execute(select(PhraseBucket.phrase, PhraseBucket.count))]
    return sorted(hits), qa, sorted(phrases)


def test_process_pool_gives_the_same_results_as_one_process(db: Database, tmp_path: Path) -> None:
    other = Database(f"sqlite:///{tmp_path / 'pool.db'}")
    for target in (db, other):
        for i in range(9):
            add_call(target, f"c{i}", AT + timedelta(minutes=i), "en", ESIM_CALL if i % 2 else CHARGE)
        add_call(target, "hr1", AT, "hr", [(Speaker.CUSTOMER, "Imam neočekivani trošak na računu")])
        with target.session() as session:
            install_taxonomy(session, TAXONOMY)
    one = tag_pending(db, options=TagOptions(batch_size=3, workers=1))
    pooled = tag_pending(other, options=TagOptions(batch_size=3, workers=2, pool_min_calls=1))
    assert (one.tagged, pooled.tagged) == (10, 10)
    assert _results(db) == _results(other)
    assert len(_results(db)[0]) > 0


def test_a_call_the_pipeline_cannot_take_fails_with_its_reason_and_the_batch_goes_on(db: Database) -> None:
    """An older release stored a segment beyond spaCy's 1,000,000-character limit: that call is reported with the
    reason and the others in its batch are tagged. It keeps its transcript and status, later runs leave it alone,
    and after a fix ``retry_tag_failures`` lets it be tried again."""
    add_call(db, "before", AT, "en", CHARGE)
    add_call(db, "huge", AT + timedelta(minutes=1), "en", [(Speaker.CUSTOMER, "bill " * 220_000)])
    add_call(db, "after", AT + timedelta(minutes=2), "en", CHARGE)
    report = tag_pending(db, options=TagOptions(batch_size=10))
    assert (report.tagged, report.failed) == (2, 1)
    ((call_id, reason),) = report.failures
    assert call_id == "huge" and reason.startswith("tagging failed: ValueError") and "max_length" in reason
    with db.session() as session:
        rows = {c.id: (c.status, c.error) for c in session.scalars(select(Call))}
        hits = set(session.scalars(select(TopicHit.call_id)))
    assert rows["huge"] == (CallStatus.TRANSCRIBED, reason)
    assert rows["before"][0] == rows["after"][0] == CallStatus.TAGGED and hits == {"before", "after"}
    assert tag_pending(db).failed == 0  # not tried again on every run
    with db.session() as session:  # the fix: an operator shortens the segment
        session.execute(update(Segment).where(Segment.call_id == "huge").values(text="There's an unexpected charge"))
    assert retry_tag_failures(db) == 1
    again = tag_pending(db)
    assert (again.tagged, again.failed) == (1, 0)


def test_a_re_tag_that_fails_keeps_the_calls_earlier_topics(db: Database) -> None:
    add_call(db, "old", AT, "en", CHARGE)
    tag_pending(db)
    with db.session() as session:  # stored by an older release, now stale under a new taxonomy
        session.execute(update(Segment).values(text="unexpected charge " * 60_000))
        session.execute(update(Call).values(tagged_version=None))
    report = tag_pending(db)
    assert (report.retagged, report.failed) == (0, 1)
    with db.session() as session:
        call = session.get(Call, "old")
        assert call is not None and call.status == CallStatus.TAGGED and call.error == report.failures[0][1]
        assert list(session.scalars(select(TopicHit.topic_id))) == ["billing.unexpected_charge"]


def test_a_batch_in_which_every_call_fails_is_the_pipeline_and_marks_nothing(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tag_job, "SYSTEMATIC_FAILURE_CALLS", 3)
    for i in range(3):
        add_call(db, f"h{i}", AT + timedelta(minutes=i), "en", [(Speaker.CUSTOMER, "bill " * 220_000)])
    report = tag_pending(db)  # stops tagging, not the round: volumes and detection go on
    assert report.halted is not None and "tagging failed for all 3 calls of a batch" in report.halted
    assert (report.tagged, report.failed) == (0, 0)
    with db.session() as session:
        assert set(session.scalars(select(Call.error))) == {None}
