"""The search query language, and search on real SQLite (FTS5) and PostgreSQL (tsvector + GIN)."""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from glob import glob
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from core.db import Database, alembic_config, current_revision, is_current, upgrade
from core.errors import InvalidInput
from core.models import Call, Segment, Speaker, TopicHit
from core.search import SearchOptions, mark_snippet, search_segments, unfold_snippet
from core.search_query import FOLDED_LETTERS, parse_query, to_fts5, to_tsquery

T0 = datetime(2026, 10, 26, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("paper fee", '("paper" AND "fee")', "(('paper') & ('fee'))"),
        ('"paper bill" fee', '("paper bill" AND "fee")', "(('paper' <-> 'bill') & ('fee'))"),
        ("fee OR charge", '("fee" OR "charge")', "(('fee') | ('charge'))"),
        ("fee NOT paper", '("fee" NOT "paper")', "(('fee') & !('paper'))"),
        ("activ*", '"activ"*', "('activ':*)"),
        ("(esim OR sim) AND code", '(("esim" OR "sim") AND "code")', "((('esim') | ('sim')) & ('code'))"),
        ("e-mail", '"e mail"', "('e' <-> 'mail')"),
        ("NEAR", '"near"', "('near')"),
        ("Račun", '"račun"', "('račun')"),
        ("uređaj Счёт*", '("uredaj" AND "счет"*)', "(('uređaj') & ('счёт':*))"),
        ("paper bill - fee & charge", '("paper" AND "bill" AND "fee" AND "charge")', None),
    ],
)
def test_query_compiles_to_both_engines(query: str, fts5: str, tsquery: str | None) -> None:
    node = parse_query(query)
    assert to_fts5(node) == fts5
    assert tsquery is None or to_tsquery(node) == tsquery


@pytest.mark.parametrize(
    "query",
    ['"unclosed', "NOT fee", "fee AND", "OR fee", "(fee", "fee)", "a*b", "*", "", "   ", "()", "!!!", "x" * 600],
)
def test_malformed_queries_explain_themselves(query: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_query(query)
    assert len(info.value.detail) > 10


def test_snippets_escape_everything_but_the_marks() -> None:
    assert mark_snippet("a <script> \ue000fee\ue001 & b") == "a &lt;script&gt; <mark>fee</mark> &amp; b"


@pytest.mark.parametrize(
    ("raw", "text", "restored"),
    [
        ("…na \ue000uredaj\ue001 radi…", "Stari đak na uređaj radi i dalje", "…na \ue000uređaj\ue001 radi…"),
        ("\ue000Dordević\ue001 i …", "Đorđević i još mnogo riječi", "\ue000Đorđević\ue001 i …"),
        ("… \ue000счет\ue001  账 ", "Вот счёт 账", "… \ue000счёт\ue001  账 "),  # CJK padding kept for unpad_cjk
        ("a \ue000fee\ue001", "a fee", "a \ue000fee\ue001"),
        ("…edited since…", "uređaj", "…edited since…"),  # the text changed under the index: left as it is
    ],
)
def test_snippets_get_their_folded_letters_back(raw: str, text: str, restored: str) -> None:
    assert unfold_snippet(raw, text) == restored


def test_the_migration_folds_the_letters_queries_fold() -> None:
    module = importlib.import_module("core.migrations.versions.0008_search_fold_letters")
    assert module.FOLDED_LETTERS == FOLDED_LETTERS


def _fill(db: Database) -> None:
    rows = [
        ("c1", T0, "billing", "en", "agent-01", ["Hello", "There is a paper bill fee on my bill", "Sorry"]),
        ("c2", T0 + timedelta(hours=1), "billing", "en", "agent-02", ["Hi", "An extra fee appeared", "Ok"]),
        ("c3", T0 + timedelta(days=2), "tech", "en", "agent-01", ["Hi", "My esim activation code fails", "Ok"]),
        ("c4", T0 - timedelta(days=30), "billing", "hr", "agent-03", ["Dobar dan", "Račun je prevelik", "Da"]),
    ]
    with db.session() as s:
        for call_id, at, queue, lang, agent, texts in rows:
            call = Call(id=call_id, started_at=at, queue=queue, language=lang, agent_id=agent)
            for i, text in enumerate(texts):
                speaker = Speaker.AGENT if i % 2 == 0 else Speaker.CUSTOMER
                call.segments.append(Segment(idx=i, start=i * 5.0, end=i * 5.0 + 4, speaker=speaker, text=text))
            s.add(call)
        s.add(TopicHit(call_id="c1", topic_id="billing.unexpected_charge"))
        s.add(TopicHit(call_id="c2", topic_id="billing.unexpected_charge"))


def _ids(db: Database, query: str, **kw: object) -> list[str]:
    with db.session() as s:
        return [h.call_id for h in search_segments(s, SearchOptions(query, **kw)).items]  # type: ignore[arg-type]


def check_search(db: Database) -> None:
    _fill(db)
    assert _ids(db, "fee") == ["c2", "c1"]
    assert _ids(db, '"paper bill fee"') == ["c1"]
    assert _ids(db, '"fee paper"') == []
    assert _ids(db, "fee NOT paper") == ["c2"]
    assert _ids(db, "esim OR prevelik") == ["c3", "c4"]
    assert _ids(db, "activ*") == ["c3"]
    assert _ids(db, "(paper OR extra) AND fee", since=T0 + timedelta(minutes=30)) == ["c2"]
    assert _ids(db, "fee", until=T0 + timedelta(minutes=30)) == ["c1"]
    assert _ids(db, "fee", topic="billing.unexpected_charge", agent_id="agent-01") == ["c1"]
    assert _ids(db, "hello", speaker="customer") == []
    assert _ids(db, "hi", speaker="agent", queue="tech", language="en") == ["c3"]
    with db.session() as s:
        hit = search_segments(s, SearchOptions('"paper bill"')).items[0]
        assert hit.segment_start == 5.0 and hit.speaker == "customer" and "<mark>" in hit.snippet
        first = search_segments(s, SearchOptions("hi OR hello OR dobar", limit=2))
        assert len(first.items) == 2 and first.next_cursor
        rest = search_segments(s, SearchOptions("hi OR hello OR dobar", limit=2, cursor=first.next_cursor))
        assert [h.call_id for h in first.items + rest.items] == ["c3", "c2", "c1", "c4"] and rest.next_cursor is None
        with pytest.raises(InvalidInput):
            search_segments(s, SearchOptions("fee", cursor="bm90IGEgY3Vyc29y"))
        with pytest.raises(InvalidInput):
            search_segments(s, SearchOptions("fee", limit=0))


def test_search_on_sqlite(db: Database) -> None:
    check_search(db)
    assert _ids(db, "racun") == ["c4"]  # diacritics folded by the FTS5 tokenizer


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    bins = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        pytest.skip("PostgreSQL server binaries are not installed")
    bindir = Path(bins[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="callpulse-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    data = root / "data"
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "callpulse", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    opts = f"-k {root} -p {port} -h 127.0.0.1 -F"
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-o", opts, "-w", "-l", str(root / "log"), "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://callpulse@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.postgres
def test_search_on_postgres(postgres_url: str) -> None:
    db = Database(postgres_url)
    try:
        check_search(db)
        with db.session() as s:
            hit = search_segments(s, SearchOptions("esim")).items[0]
            assert "<mark>esim</mark>" in hit.snippet
    finally:
        db.engine.dispose()


def _fill_accents(db: Database) -> None:
    rows = [
        ("f1", "hr", "Račun za struju je prevelik"),
        ("f2", "hu", "A számla összege hibás"),
        ("f3", "hr", "Poslao sam racun jucer"),  # transcribed without diacritics
        ("f4", "hr", "Uređaj se ne pali, međutim punjač radi"),
    ]
    with db.session() as s:
        for i, (call_id, lang, words) in enumerate(rows):
            call = Call(id=call_id, started_at=T0 + timedelta(hours=i), queue="billing", language=lang)
            call.segments.append(Segment(idx=0, start=0, end=4, speaker=Speaker.CUSTOMER, text=words))
            s.add(call)


def check_folding(db: Database) -> None:
    _fill_accents(db)
    assert _ids(db, "racun") == _ids(db, "RAČUN") == ["f3", "f1"]
    assert _ids(db, "szamla") == _ids(db, "számla") == ["f2"]
    assert _ids(db, "osszege hibas") == ["f2"]
    assert _ids(db, "szaml*") == _ids(db, "száml*") == ["f2"]
    assert _ids(db, "rač*") == ["f3", "f1"]
    assert _ids(db, '"racun za struju"') == ["f1"]
    assert _ids(db, "račun NOT jučer") == ["f1"]
    assert _ids(db, "(szamla OR prevelík) AND racun") == ["f1"]
    assert _ids(db, "szamla OR racun", language="hu") == ["f2"]
    with db.session() as s:
        snippets = {h.call_id: h.snippet for h in search_segments(s, SearchOptions("racun")).items}
        assert "<mark>Račun</mark>" in snippets["f1"] and "<mark>racun</mark>" in snippets["f3"]
        hit = search_segments(s, SearchOptions("szaml*")).items[0]
        assert "<mark>számla</mark>" in hit.snippet
        # đ is a letter of its own, not d with a mark: only unaccent (and migration 0008 on SQLite) folds it
        assert _ids(db, "uredaj") == _ids(db, "UREĐAJ") == _ids(db, '"uređaj se"') == _ids(db, "uređ*") == ["f4"]
        assert _ids(db, "medutim punjac") == ["f4"]
        hit = search_segments(s, SearchOptions("uredaj")).items[0]
        assert hit.snippet.startswith("<mark>Uređaj</mark> se ne pali, međutim")


def test_search_folds_diacritics_on_sqlite(db: Database) -> None:
    check_folding(db)


def _new_database(postgres_url: str, name: str, owner: str = "callpulse") -> str:
    """A fresh database on the test server, owned by `owner` (created as an ordinary login role if missing)."""
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.scalar(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": owner}):
                conn.execute(text(f"CREATE ROLE {owner} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
            conn.execute(text(f"CREATE DATABASE {name} OWNER {owner}"))
    finally:
        admin.dispose()
    server = postgres_url.split("@", 1)[1].rsplit("/", 1)[0]
    return f"postgresql+psycopg://{owner}@{server}/{name}"


@contextmanager
def fresh_postgres(postgres_url: str, name: str, owner: str = "callpulse") -> Iterator[Database]:
    """A migrated Database on a fresh PostgreSQL database, its connections closed afterwards."""
    db = Database(_new_database(postgres_url, name, owner))
    try:
        yield db
    finally:
        db.engine.dispose()


@pytest.mark.postgres
def test_search_folds_diacritics_on_postgres(postgres_url: str) -> None:
    with fresh_postgres(postgres_url, "callpulse_fold") as db:
        check_folding(db)


@pytest.mark.postgres
def test_unaccent_migration_runs_as_database_owner_and_goes_down_and_up(postgres_url: str) -> None:
    # An ordinary role owning its database may install unaccent: it is a trusted extension.
    with fresh_postgres(postgres_url, "callpulse_owned", owner="callpulse_app") as db:
        _fill_accents(db)
        with db.engine.begin() as conn:
            cfg = alembic_config(db.engine)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0002")
        assert current_revision(db.engine) == "0002"
        with db.engine.connect() as conn:
            assert not conn.scalar(text("SELECT count(*) FROM pg_ts_config WHERE cfgname = 'callpulse_search'"))
            exact = "SELECT count(*) FROM segments WHERE tsv @@ to_tsquery('simple', :q)"
            assert conn.scalar(text(exact), {"q": "račun"}) == 1 and conn.scalar(text(exact), {"q": "racun"}) == 1
            assert conn.scalar(text(exact), {"q": "szamla"}) == 0
        upgrade(db.engine)
        assert is_current(db.engine)
        assert _ids(db, "szamla") == ["f2"]  # the rebuilt column covers rows written before the upgrade


def test_frequent_terms_walk_calls_newest_first_with_the_same_results(db: Database) -> None:
    # Every call says "hello": SQLite walks the calls instead of the match list; order and paging must hold.
    with db.session() as s:
        for i in range(300):
            call = Call(id=f"h{i:03d}", started_at=T0 + timedelta(minutes=i % 150), queue="tech")
            call.segments.append(Segment(idx=0, start=0, end=1, speaker=Speaker.AGENT, text=f"hello number {i}"))
            s.add(call)
    expected = sorted(((T0 + timedelta(minutes=i % 150), i) for i in range(300)), reverse=True)
    seen: list[str] = []
    cursor = None
    with db.session() as s:
        while True:
            page = search_segments(s, SearchOptions("hello", limit=50, cursor=cursor, since=T0))
            seen += [h.call_id for h in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == 300 and len(set(seen)) == 300
    with db.session() as s:
        starts = {c.id: c.started_at for c in s.scalars(select(Call))}
    assert [starts[c] for c in seen] == [t for t, _ in expected]


@pytest.mark.postgres
def test_trend_queries_on_postgres(postgres_url: str) -> None:
    # The same database serves the API's trend reads; PostgreSQL returns datetimes, SQLite text.
    from core.models import TOTAL, VolumeBucket
    from core.trends import BucketSize, TrendWindow, pareto, topic_trend

    db = Database(postgres_url)
    try:
        with db.session() as s:
            for h in range(24 * 14):
                t = T0.replace(hour=0) + timedelta(hours=h)
                s.add(VolumeBucket(bucket_start=t, topic_id=TOTAL, queue="billing", language="en", count=10))
                s.add(VolumeBucket(bucket_start=t, topic_id="fee", queue="billing", language="en", count=2))
        with db.session() as s:
            day0 = T0.replace(hour=0)
            trend = topic_trend(
                s, "fee", TrendWindow(BucketSize.DAY, day0 + timedelta(days=7), day0 + timedelta(days=14))
            )
            assert [p.count for p in trend.points] == [48] * 7 and trend.points[0].total == 240
            assert trend.points[0].expected == pytest.approx(48.0)
            assert pareto(s)[0].topic == "fee"
    finally:
        db.engine.dispose()
