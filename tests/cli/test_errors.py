"""Every CLI failure is one line on stderr and exit code 1; what the user copies next is shown whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tests.ingest.conftest import call_obj, write_jsonl


def _run(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}/cli.db", *args])
    return result.exit_code, result.stdout, result.stderr


def test_error_quoting_markup_is_printed_verbatim(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "search", '"[/x]')
    assert code == 1
    assert err.startswith("error: unbalanced quote") and err.count("\n") == 1


def test_long_error_stays_on_one_line(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "search", "NOT fee")
    assert code == 1
    assert err.startswith("error: NOT only excludes") and err.count("\n") == 1


def test_unusable_database_exits_1_with_the_reason(tmp_path: Path) -> None:
    for args in (["alerts"], ["keys", "list"], ["serve", "--port", "1"]):
        result = CliRunner().invoke(app, ["--db", f"sqlite:///{tmp_path}", *args])
        assert result.exit_code == 1
        assert result.stderr.startswith("error: cannot open database") and result.stderr.count("\n") == 1


def test_trends_of_an_unknown_topic_exit_1(tmp_path: Path) -> None:
    for by in ([], ["--by", "queue"]):
        code, _, err = _run(tmp_path, "trends", "--topic", "nope", *by)
        assert code == 1 and err == "error: no topic 'nope'\n"


def test_search_table_shows_whole_call_ids(tmp_path: Path) -> None:
    call_id = "call-2026-10-26-billing-000123"
    _run(tmp_path, "ingest", str(write_jsonl(tmp_path / "calls.jsonl", [call_obj(call_id)])))
    code, out, _ = _run(tmp_path, "search", "paper bill fee")
    assert code == 0 and call_id in out


def test_replay_window_must_not_be_reversed(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "detect", "--replay", "--since", "2026-10-30", "--until", "2026-10-20")
    assert code == 1 and err == "error: --since must be before --until\n"


def test_serve_port_out_of_range_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "serve", "--port", "70000")
    assert code == 2 and "Invalid value for '--port'" in err and "Traceback" not in err


def test_trends_since_after_the_default_end_names_that_default(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "trends", "--since", "2150-01-01")
    assert code == 1
    assert err.startswith("error: --since 2150-01-01T00:00:00+00:00 is not before --until (default: now, rounded up")
    assert err.count("\n") == 1
    code, _, err = _run(tmp_path, "trends", "--since", "2026-11-20", "--until", "2026-11-10")
    assert (
        code == 1
        and err == "error: --since 2026-11-20T00:00:00+00:00 is not before --until 2026-11-10T00:00:00+00:00\n"
    )


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["trends", "--since", "0001-01-01T00:00:00+01:00"], 2),
        (["trends", "--topic", "billing.unexpected_charge", "--until", "9999-12-31T23:59:59"], 2),
        (["search", "bill", "--since", "0001-01-01T00:00:00+01:00"], 2),
        (["detect", "--replay", "--since", "0001-01-01T00:00:00+01:00"], 1),
    ],
)
def test_a_time_beyond_the_calendar_is_a_one_line_error(tmp_path: Path, args: list[str], code: int) -> None:
    got, _, err = _run(tmp_path, *args)
    flat = " ".join(err.replace("│", " ").split())  # usage errors come in a box
    assert got == code and "must be between the years 1900 and 2199" in flat and "Traceback" not in err


def test_trends_split_needs_a_topic(tmp_path: Path) -> None:
    code, out, err = _run(tmp_path, "trends", "--by", "queue")
    assert code == 1 and out == ""
    assert err == "error: --by queue splits one topic: add --topic ID (all topics are ranked without a split)\n"


def test_search_table_prints_transcript_text_as_spoken(tmp_path: Path) -> None:
    text = "The fee [inaudible] said <b>5 & more</b> then [/red] again."
    segments = [{"start": 0.0, "end": 4.0, "speaker": "customer", "text": text}]
    _run(tmp_path, "ingest", str(write_jsonl(tmp_path / "calls.jsonl", [call_obj("c-odd", segments=segments)])))
    code, out, err = _run(tmp_path, "search", "fee")
    assert code == 0, err
    for part in ("[inaudible]", "<b>5", "&", "more</b>", "[/red]"):
        assert part in out.split(), out
    assert "&lt;" not in out and "&amp;" not in out


def test_search_pages_on_with_the_cursor_it_prints(tmp_path: Path) -> None:
    calls = [call_obj(f"c{i}", started_at=f"2026-10-26T09:0{i}:00+00:00") for i in range(3)]
    _run(tmp_path, "ingest", str(write_jsonl(tmp_path / "calls.jsonl", calls)))
    code, out, _ = _run(tmp_path, "search", "fee", "--limit", "2")
    assert code == 0 and "c2" in out and "c1" in out and "c0" not in out
    cursor = out.split("--cursor ")[1].split()[0]
    code, out, _ = _run(tmp_path, "search", "fee", "--limit", "2", "--cursor", cursor)
    assert code == 0 and "c0" in out and "c1" not in out and "--cursor" not in out
