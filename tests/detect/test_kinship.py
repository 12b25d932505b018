"""The pieces of "same problem": words of a phrase in any script, and topics that carry two sets of calls."""

from __future__ import annotations

import numpy as np

from detect.kinship import Wording, carry_one_topic, new_shared_words, started_apart, talk_apart, words
from tests.detect.test_decide import phrase_data


def test_words_of_spaced_and_unspaced_phrases() -> None:
    assert words("esim aktivacija") == {"esim", "aktivacija"}
    assert words("esim激活") == {"esim", "激活"}  # a product's name inside a Chinese phrase is a word
    assert words("激活失败") == {"激活失败"}  # no single characters: they are shared by unrelated phrases
    assert words("плата бумажный") == {"плата", "бумажный"}
    assert words("eSIM-a kod") == {"esim", "a", "kod"}


def test_wordings_talk_apart_in_one_language_with_no_call_and_no_word_in_common() -> None:
    esim = Wording(frozenset({"a", "b"}), ("esim activation", "fail"), "en")
    router = Wording(frozenset({"c"}), ("router reboot", "keep"), "en")
    assert talk_apart(esim, router)
    assert not talk_apart(esim, Wording(frozenset({"c"}), ("activation code",), "en"))  # a word in common
    assert not talk_apart(esim, Wording(frozenset({"b", "c"}), ("router reboot",), "en"))  # a call in common
    assert not talk_apart(esim, Wording(frozenset({"c"}), ("aktivacijski kod",), "hr"))  # languages differ
    assert not talk_apart(esim, Wording(frozenset(), ("router reboot",), None))  # no calls to tell


def test_one_topic_must_carry_half_of_each_side() -> None:
    fee, other = {"billing.fee"}, {"outage"}
    assert carry_one_topic({"a": fee, "b": fee, "c": other}, {"x": fee, "y": set()})
    assert not carry_one_topic({"a": fee, "b": other, "c": other}, {"x": fee})
    assert not carry_one_topic({}, {"x": fee})


def test_a_shared_word_is_new_when_tracked_phrases_say_it_only_since_the_change() -> None:
    hours, change = 5 * 168, 4 * 168
    counts = np.zeros((3, hours))
    counts[0, change:] = 1.0  # "esim activation": new at the change
    counts[1, :] = 1.0  # "pin code": every day
    counts[2, change:] = 1.0  # "qr code"
    phrases = ("esim activation", "pin code", "qr code")
    data = phrase_data(phrases, counts)
    mine = ["aktivacijski kod", "nova esim", "uspijevati"]  # a wording and terms its calls set apart
    theirs = ["esim activation", "qr code", "uspijevati"]
    # "esim" is new; "code" and "kod" are not shared or not new; "uspijevati" no tracked phrase says
    assert new_shared_words(data, mine, theirs, (change, change + 48), 4.5) == {"esim"}
    assert new_shared_words(data, mine, theirs, (change, change + 2), 4.5) == set()  # not said enough yet


def test_wordings_in_two_languages_started_apart_only_when_their_changes_are_hours_apart() -> None:
    esim = Wording(frozenset({"a"}), ("esim activation",), "en")
    router = Wording(frozenset({"b"}), ("ponovno pokretanje",), "hr")
    assert started_apart(esim, router, 2)
    assert not started_apart(esim, router, 1)  # together: rising together is the evidence
    assert not started_apart(esim, Wording(frozenset({"c"}), ("router reboot",), "en"), 5)  # one language
    assert not started_apart(esim, Wording(frozenset(), ("ponovno pokretanje",), None), 5)  # no calls to tell
