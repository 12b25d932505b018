"""The pieces of "same problem": words of a phrase in any script, and topics that carry two sets of calls."""

from __future__ import annotations

from detect.kinship import carry_one_topic, words


def test_words_of_spaced_and_unspaced_phrases() -> None:
    assert words("esim aktivacija") == {"esim", "aktivacija"}
    assert words("esim激活") == {"esim", "激活"}  # a product's name inside a Chinese phrase is a word
    assert words("激活失败") == {"激活失败"}  # no single characters: they are shared by unrelated phrases
    assert words("плата бумажный") == {"плата", "бумажный"}
    assert words("eSIM-a kod") == {"esim", "a", "kod"}


def test_one_topic_must_carry_half_of_each_side() -> None:
    fee, other = {"billing.fee"}, {"outage"}
    assert carry_one_topic({"a": fee, "b": fee, "c": other}, {"x": fee, "y": set()})
    assert not carry_one_topic({"a": fee, "b": other, "c": other}, {"x": fee})
    assert not carry_one_topic({}, {"x": fee})
