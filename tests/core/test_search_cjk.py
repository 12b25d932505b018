"""Search in Chinese, Japanese and Korean text, written without spaces between words, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import delete, select, text, update

from core.db import Database, alembic_config, current_revision, is_current, upgrade
from core.models import Call, Segment, Speaker
from core.search import SearchOptions, mark_snippet, search_segments, unpad_cjk
from core.search_query import CJK_RANGES, pad_cjk, parse_query, to_fts5, to_tsquery
from tests.core.test_search import fresh_postgres, postgres_url  # noqa: F401  (session fixture: a PostgreSQL server)

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
CALLS = [
    ("k1", "zh", "我的账单上有一笔意外的费用"),
    ("k2", "zh", "我想要纸质账单，谢谢。你好 世界"),
    ("k3", "zh", "我的esim激活失败了"),
    ("k4", "ja", "請求書に不明な料金があります"),
    ("k5", "ko", "이번 달 요금이 너무 많이 나왔어요"),
    ("k6", "ru", "Счёт пришёл слишком большой"),
    ("k7", "hr", "Račun je prevelik"),
]


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("账单", '"账 单"', "('账' <-> '单')"),
        ("纸质账单。", '"纸 质 账 单"', "('纸' <-> '质' <-> '账' <-> '单')"),
        ("esim 激活", '("esim" AND "激 活")', "(('esim') & ('激' <-> '活'))"),
        ("esim激活*", '"esim 激 活"*', "('esim' <-> '激' <-> '活':*)"),
        ('"一笔 意外" OR fee', '("一 笔 意 外" OR "fee")', "(('一' <-> '笔' <-> '意' <-> '外') | ('fee'))"),
        ("요금이", '"요 금 이"', "('요' <-> '금' <-> '이')"),
    ],
)
def test_cjk_runs_compile_to_phrases_of_characters(query: str, fts5: str, tsquery: str) -> None:
    node = parse_query(query)
    assert to_fts5(node) == fts5
    assert to_tsquery(node) == tsquery


@pytest.mark.parametrize(
    "original", [c[2] for c in CALLS] + ["你好  世界", " 账单 ", "a 我 b", "esim激活", "", "ｅｓｉｍ"]
)
def test_padding_is_undone_exactly(original: str) -> None:
    assert unpad_cjk(pad_cjk(original)) == original


def test_snippets_show_the_text_without_padding_and_join_highlights() -> None:
    fts5 = " 我  的  \ue000账  单\ue001  上  <b>"  # FTS5 marks a phrase, PostgreSQL each of its words
    assert mark_snippet(fts5) == "我的<mark>账单</mark>上 &lt;b&gt;"
    assert mark_snippet(" 我  \ue000账\ue001  \ue000单\ue001 ") == "我<mark>账单</mark>"


def test_the_migration_pads_the_characters_the_query_splits() -> None:
    module = importlib.import_module("core.migrations.versions.0007_search_cjk")
    assert module.CJK_RANGES == CJK_RANGES


def _fill(db: Database) -> None:
    with db.session() as s:
        for i, (call_id, lang, words) in enumerate(CALLS):
            call = Call(id=call_id, started_at=T0 + timedelta(hours=i), queue="billing", language=lang)
            call.segments.append(Segment(idx=0, start=1.5, end=4, speaker=Speaker.CUSTOMER, text=words))
            s.add(call)


def _ids(db: Database, query: str) -> list[str]:
    with db.session() as s:
        return [h.call_id for h in search_segments(s, SearchOptions(query)).items]


def _snippet(db: Database, query: str) -> str:
    with db.session() as s:
        return search_segments(s, SearchOptions(query)).items[0].snippet


def check_cjk(db: Database) -> None:
    _fill(db)
    assert _ids(db, "账单") == ["k2", "k1"]  # in the middle of a clause, not only at its start
    assert _ids(db, "纸质账单") == ["k2"]
    assert _ids(db, "意外") == _ids(db, "意外 费用") == _ids(db, '"一笔意外"') == ["k1"]
    assert _ids(db, "单账") == _ids(db, "账单费") == _ids(db, "纸质 费用") == []
    assert _ids(db, "esim 激活") == _ids(db, "esim激活") == _ids(db, "ESIM 激*") == ["k3"]
    assert _ids(db, "激活 NOT esim") == []
    assert _ids(db, "(esim OR 纸质) AND 我") == ["k3", "k2"]
    assert _ids(db, "账单 NOT 纸质") == ["k1"]
    assert _ids(db, "料金") == ["k4"] and _ids(db, "요금") == ["k5"]
    assert _ids(db, "世界") == ["k2"]
    assert _ids(db, "счёт") == _ids(db, '"СЧЁТ пришёл"') == ["k6"] and _ids(db, "racun") == ["k7"]
    assert _ids(db, "счет") == _ids(db, '"счет пришел"') == _ids(db, "пришел*") == ["k6"]  # ё written е
    assert "<mark>Счёт</mark>" in _snippet(db, "счет")
    assert _snippet(db, "账单 NOT 纸质").endswith("<mark>账单</mark>上有一笔意外的费用")
    assert "你好 世界" in _snippet(db, "纸质账单") and "<mark>纸质账单</mark>" in _snippet(db, "纸质账单")
    assert "<mark>esim</mark>" in _snippet(db, "esim") and "我的" in _snippet(db, "esim")
    with db.session() as s:  # the index follows edits and deletions
        s.execute(update(Segment).where(Segment.call_id == "k1").values(text="我的话费太高"))
        s.execute(delete(Segment).where(Segment.call_id == "k2"))
    assert _ids(db, "账单") == [] and _ids(db, "话费") == ["k1"]


def test_cjk_search_on_sqlite(db: Database) -> None:
    check_cjk(db)


@pytest.mark.postgres
def test_cjk_search_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_cjk") as db:
        check_cjk(db)


_RAW_MATCH = {
    "sqlite": "SELECT count(*) FROM segments_fts WHERE segments_fts MATCH '\"账 单\"'",
    "postgresql": "SELECT count(*) FROM segments WHERE tsv @@ to_tsquery('callpulse_search', '账 <-> 单')",
}


def check_migration_reindexes_existing_rows(db: Database) -> None:
    with db.engine.begin() as conn:
        cfg = alembic_config(db.engine)
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0006")
    assert current_revision(db.engine) == "0006"
    _fill(db)
    with db.session() as s:  # before 0007 a CJK run was one word: its middle could not be found
        assert s.scalar(text(_RAW_MATCH[db.engine.dialect.name])) == 0
        k1 = s.scalar(select(Segment.id).where(Segment.call_id == "k1"))
    upgrade(db.engine)
    assert is_current(db.engine)
    assert _ids(db, "账单") == ["k2", "k1"] and _ids(db, "esim 激活") == ["k3"] and _ids(db, "racun") == ["k7"]
    assert _ids(db, "счет") == ["k6"]  # migration 0008 folds ё in rows indexed before it
    with db.session() as s:
        s.execute(delete(Segment).where(Segment.id == k1))  # removing a row indexed by the migration
        if db.engine.dialect.name == "sqlite":  # FTS5's own maintenance commands still work
            s.execute(text("INSERT INTO segments_fts(segments_fts) VALUES ('rebuild')"))
            s.execute(text("INSERT INTO segments_fts(segments_fts) VALUES ('integrity-check')"))
    assert _ids(db, "账单") == ["k2"]


def test_migration_reindexes_existing_rows_on_sqlite(db: Database) -> None:
    check_migration_reindexes_existing_rows(db)


@pytest.mark.postgres
def test_migration_reindexes_existing_rows_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_cjk_migrate") as db:
        check_migration_reindexes_existing_rows(db)


LONG_ZH = (
    "您好，我上个月换了新的套餐，客服说月租会降低，可是这个月的账单反而多了很多，"
    "我看了一下明细，里面有一项纸质账单服务费，我从来没有申请过纸质账单，也没有收到过任何通知，"
    "请帮我查一下这笔费用是怎么回事，如果是你们弄错了，请把钱退给我。"
)


def check_cjk_snippets_are_a_sentence_long(db: Database) -> None:
    """A CJK character is a word to the index: a snippet of 24 words would be 24 characters, half a sentence."""
    with db.session() as s:
        call = Call(id="z1", started_at=T0, queue="billing", language="zh")
        call.segments.append(Segment(idx=0, start=0, end=30, speaker=Speaker.CUSTOMER, text=LONG_ZH))
        call_en = Call(id="e1", started_at=T0, queue="billing", language="en")
        words = " ".join(f"word{i}" for i in range(60))
        call_en.segments.append(Segment(idx=0, start=0, end=30, speaker=Speaker.CUSTOMER, text=f"{words} fee {words}"))
        s.add_all([call, call_en])
    zh = _snippet(db, "服务费").replace("<mark>", "").replace("</mark>", "")
    assert len(zh.strip("…")) >= 50 and "服务费" in zh and zh.strip("…") in LONG_ZH
    assert len(_snippet(db, "fee").split()) <= 30  # words in other languages: as before


def test_cjk_snippets_on_sqlite(db: Database) -> None:
    check_cjk_snippets_are_a_sentence_long(db)


@pytest.mark.postgres
def test_cjk_snippets_on_postgres(postgres_url: str) -> None:  # noqa: F811
    with fresh_postgres(postgres_url, "callpulse_cjk_snippets") as db:
        check_cjk_snippets_are_a_sentence_long(db)
