"""The tag job: tag transcribed calls (and re-tag history after a new taxonomy), batch by batch.

Each batch is one transaction: topic hits are replaced, QA is stored, the status moves to TAGGED and
candidate phrases are added to the hourly phrase counts. A crash loses at most the batch in flight, and
running the job twice is harmless (a call's phrases are counted only on its first tagging).
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, bindparam, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from core.db import Database
from core.errors import CallpulseError
from core.models import Call, CallStatus, PhraseBucket, Segment, Speaker, TopicHit
from core.progress import NoProgress, Progress
from core.records import SegmentData
from detect.phrases import PhraseOptions
from detect.tag_pool import InProcessAnalyser, PoolAnalyser
from detect.tagging import CallAnalysis, CallText
from detect.taxonomy import Taxonomy, ensure_taxonomy

PhraseKey = tuple[datetime, str, str]  # bucket_start, phrase, language
SYSTEMATIC_FAILURE_CALLS = 20  # a batch this large failing call by call is a broken pipeline, not bad calls


class PipelineBroken(CallpulseError):
    """Every call of a large batch failed: the fault is in the pipeline (lookup data, memory), not the calls."""


@dataclass(frozen=True)
class TagOptions:
    batch_size: int = 500
    phrases: PhraseOptions | None = field(default_factory=PhraseOptions)  # None: do not count phrases
    keep_rare_phrases_hours: int = 72  # a phrase seen in one call only is dropped once this much older
    # Tagging processes. Two were slower than one on a busy 2-core machine (100k calls: 111 s vs 48 s), so the
    # pool is opt-in; each pool process loads every pipeline (~15 s for en, hr, hu, ru, zh) before it starts.
    workers: int = 1
    pool_min_calls: int = 20_000  # below this many pending calls one process is used whatever `workers` says


@dataclass(frozen=True)
class TagReport:
    tagged: int  # calls tagged for the first time
    retagged: int  # calls re-tagged under a newer taxonomy
    taxonomy_version: int
    seconds: float
    phrase_rows_pruned: int = 0
    failures: tuple[tuple[str, str], ...] = ()  # (call id, reason) of calls tagging could not take
    halted: str | None = None  # why tagging stopped early (the pipeline, not the calls, failed)

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def calls_per_second(self) -> float:
        return (self.tagged + self.retagged) / self.seconds if self.seconds > 0 else 0.0


def pending_condition(version: int) -> ColumnElement[bool]:
    """Calls the tag job still has to do under taxonomy `version`."""
    return or_(*_pass_conditions(version))


def count_pending(session: Session, version: int) -> int:
    return session.scalar(select(func.count()).select_from(Call).where(pending_condition(version))) or 0


Cursor = tuple[datetime, str]  # (started_at, id) of the last call loaded


def _pass_conditions(version: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """The two walks of a run: calls never tagged, then calls tagged under another taxonomy version. A call
    tagging could not take waits (with its reason) until ``retry_tag_failures``."""
    stale = or_(Call.tagged_version.is_(None), Call.tagged_version != version)
    untried = Call.error.is_(None)
    return and_(Call.status == CallStatus.TRANSCRIBED, untried), and_(Call.status == CallStatus.TAGGED, stale, untried)


def retry_tag_failures(db: Database) -> int:
    """Let the next run try again the calls tagging could not take (after a fix); how many there were."""
    with db.session() as session:
        result = session.execute(
            update(Call)
            .where(Call.status.in_([CallStatus.TRANSCRIBED, CallStatus.TAGGED]), Call.error.is_not(None))
            .values(error=None)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _load_batch(
    session: Session, condition: ColumnElement[bool], after: Cursor | None, size: int
) -> tuple[list[CallText], dict[str, tuple[CallStatus, datetime]]]:
    """The next `size` calls matching `condition` after the cursor (keyset pagination on ix_calls_status_started)."""
    query = select(Call.id, Call.language, Call.status, Call.started_at).where(condition)
    if after is not None:
        query = query.where(tuple_(Call.started_at, Call.id) > after)  # a plain tuple binds with the column types
    rows = session.execute(query.order_by(Call.started_at, Call.id).limit(size)).all()
    meta = {r.id: (CallStatus(r.status), r.started_at) for r in rows}
    segments: dict[str, list[SegmentData]] = defaultdict(list)
    if rows:
        seg_rows = session.execute(
            select(Segment.call_id, Segment.start, Segment.end, Segment.speaker, Segment.text)
            .where(Segment.call_id.in_(list(meta)))
            .order_by(Segment.call_id, Segment.idx)
        ).all()
        for s in seg_rows:
            segments[s.call_id].append(SegmentData(s.start, s.end, Speaker(s.speaker), s.text))
    calls = [CallText(r.id, r.language, tuple(segments[r.id])) for r in rows]
    return calls, meta


_CALLS = Call.__table__.c
_STORE_QA = update(Call).where(_CALLS.id == bindparam("cid")).values(qa=bindparam("qa"))


def _mark_tagged(
    conn: Connection, analyses: Sequence[CallAnalysis], meta: dict[str, tuple[CallStatus, datetime]], version: int
) -> list[CallAnalysis]:
    """Move calls to TAGGED unless another worker got there first; the calls this run tagged.

    One conditional UPDATE … RETURNING per previous status claims the calls whose status is still the
    one this run read, so each call's phrases are counted exactly once; QA goes to the claimed calls only.
    """
    by_status: dict[CallStatus, list[str]] = defaultdict(list)
    for a in analyses:
        by_status[meta[a.call_id][0]].append(a.call_id)
    claimed: set[str] = set()
    for previous, ids in by_status.items():
        claim = (
            update(Call)
            # `status || ''` keeps SQLite on the primary key: on the status index it would scan every pending call.
            .where(_CALLS.id.in_(ids), _CALLS.status.concat("") == previous)
            .values(status=CallStatus.TAGGED, tagged_version=version, error=None)
            .returning(_CALLS.id)
        )
        claimed.update(conn.execute(claim).scalars())
    won = [a for a in analyses if a.call_id in claimed]
    if won:
        conn.execute(_STORE_QA, [{"cid": a.call_id, "qa": a.qa.as_dict()} for a in won])
    return won


def _write_hits(session: Session, analyses: Sequence[CallAnalysis]) -> None:
    ids = [a.call_id for a in analyses]
    session.execute(delete(TopicHit).where(TopicHit.call_id.in_(ids)))
    rows = [
        {"call_id": a.call_id, "topic_id": t.topic_id, "matches": t.matches, "first_start": t.first_start,
         "evidence": t.evidence[:1000]}
        for a in analyses
        for t in a.topics
    ]  # fmt: skip
    if rows:
        session.execute(insert(TopicHit), rows)


def add_phrase_counts(session: Session, counts: Counter[PhraseKey]) -> None:
    """Add call counts to PhraseBucket rows (insert or increment)."""
    if not counts:
        return
    rows = [{"bucket_start": b, "phrase": p, "language": lang, "count": n} for (b, p, lang), n in counts.items()]
    dialect = session.get_bind().dialect.name
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = builder(PhraseBucket)
    stmt = stmt.on_conflict_do_update(
        index_elements=[PhraseBucket.bucket_start, PhraseBucket.phrase, PhraseBucket.language],
        set_={"count": PhraseBucket.count + stmt.excluded.count},
    )
    for start in range(0, len(rows), 5000):
        session.execute(stmt, rows[start : start + 5000])


def prune_rare_phrases(session: Session, keep_hours: int) -> int:
    """Drop phrases seen in a single call whose last sighting is older than keep_hours (data time)."""
    newest = session.scalar(select(func.max(PhraseBucket.bucket_start)))
    if newest is None:
        return 0
    cutoff = newest - timedelta(hours=keep_hours)
    rare = (
        select(PhraseBucket.phrase, PhraseBucket.language)
        .group_by(PhraseBucket.phrase, PhraseBucket.language)
        .having(and_(func.sum(PhraseBucket.count) < 2, func.max(PhraseBucket.bucket_start) < cutoff))
    )
    result = session.execute(
        delete(PhraseBucket)
        .where(tuple_(PhraseBucket.phrase, PhraseBucket.language).in_(rare))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


Meta = dict[str, tuple[CallStatus, datetime]]


def _sweep(db: Database, condition: ColumnElement[bool], size: int) -> Iterator[tuple[Meta, list[CallText]]]:
    """Batches of calls matching `condition`, from the start to the end of the (started_at, id) order."""
    after: Cursor | None = None
    while True:
        with db.session() as session:
            calls, meta = _load_batch(session, condition, after, size)
        if not calls:
            return
        yield meta, calls
        after = (meta[calls[-1].call_id][1], calls[-1].call_id)


def _mark_failed(session: Session, failed: Sequence[CallAnalysis], meta: Meta) -> list[tuple[str, str]]:
    """Record why tagging could not take these calls, unless another worker moved them on; (call id, reason) of
    those. The status stays: a call never tagged stays transcribed (and exported), one re-tagged keeps its
    earlier topics and stays in the history, and neither is tried again until ``retry_tag_failures``."""
    out = []
    for a in failed:
        reason = a.error or "tagging failed"
        claim = (
            update(Call)
            .where(_CALLS.id == a.call_id, _CALLS.status.concat("") == meta[a.call_id][0])
            .values(error=reason)
            .returning(_CALLS.id)
        )
        if session.execute(claim).first() is not None:
            out.append((a.call_id, reason))
    return out


@dataclass(frozen=True)
class _Stored:
    tagged: int
    retagged: int
    failures: list[tuple[str, str]]


def _store_batch(session: Session, analyses: list[CallAnalysis], meta: Meta, version: int) -> _Stored:
    """Write one analysed batch: the calls this run won first-time and re-tagged, and those that failed."""
    failed = [a for a in analyses if a.error]
    if len(failed) == len(analyses) >= SYSTEMATIC_FAILURE_CALLS:
        # Not the calls: the pipeline itself (missing lookup data, memory). Marking them would hide every call.
        raise PipelineBroken(
            f"tagging failed for all {len(failed)} calls of a batch, so none was marked and tagging stopped "
            f"(volumes and detection go on with the calls tagged so far): {failed[0].error}"
        )
    failures = _mark_failed(session, failed, meta)
    analyses = [a for a in analyses if not a.error]
    won = _mark_tagged(session.connection(), analyses, meta, version)
    _write_hits(session, won)
    counts: Counter[PhraseKey] = Counter()
    first_time = [a for a in won if meta[a.call_id][0] == CallStatus.TRANSCRIBED]
    for a in first_time:
        bucket = meta[a.call_id][1].replace(minute=0, second=0, microsecond=0)
        counts.update((bucket, phrase, a.language) for phrase in a.phrases)
    add_phrase_counts(session, counts)
    return _Stored(len(first_time), len(won) - len(first_time), failures)


def _analyser(taxonomy: Taxonomy, options: TagOptions, pending: int) -> InProcessAnalyser | PoolAnalyser:
    if options.workers > 1 and pending >= options.pool_min_calls:
        return PoolAnalyser(taxonomy, options.phrases, options.workers)
    return InProcessAnalyser(taxonomy, options.phrases)


def tag_pending(db: Database, progress: Progress | None = None, options: TagOptions | None = None) -> TagReport:
    """Tag every pending call under the active taxonomy (installing the default one if none is)."""
    progress = progress or NoProgress()
    options = options or TagOptions()
    began = time.perf_counter()
    with db.session() as session:
        taxonomy = ensure_taxonomy(session)
        total = count_pending(session, taxonomy.version)
    progress.start("tag", total)
    tagged = retagged = 0
    failures: list[tuple[str, str]] = []
    halted: str | None = None
    analyser = _analyser(taxonomy, options, total)
    try:
        for condition in _pass_conditions(taxonomy.version):
            # Sweep again until a sweep finds nothing: calls may arrive behind the cursor while it runs.
            while halted is None:
                batches = 0
                try:
                    for meta, analyses in analyser.analyse(_sweep(db, condition, options.batch_size)):
                        with db.session() as session:
                            stored = _store_batch(session, analyses, meta, taxonomy.version)
                        tagged, retagged, batches = tagged + stored.tagged, retagged + stored.retagged, batches + 1
                        failures += stored.failures
                        progress.advance(stored.tagged + stored.retagged + len(stored.failures))
                except PipelineBroken as exc:
                    halted = exc.detail
                if batches == 0:
                    break
        pruned = 0
        if options.phrases is not None and tagged:
            with db.session() as session:
                pruned = prune_rare_phrases(session, options.keep_rare_phrases_hours)
    finally:
        if isinstance(analyser, PoolAnalyser):
            analyser.close()
        progress.finish()
    seconds = time.perf_counter() - began
    return TagReport(tagged, retagged, taxonomy.version, seconds, pruned, tuple(failures), halted)
