"""Per-call QA checks on agent speech: greeting, empathy, resolution confirmed, closing.

Keyword lists per language, matched as lowercase substrings: the phrases agents use are formulaic, and
substring matching also works for Chinese, which has no word boundaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from core.models import Speaker
from core.records import SegmentData

GREETING: dict[str, tuple[str, ...]] = {
    "en": ("good morning", "good afternoon", "good evening", "hello", "welcome", "thank you for calling",
           "thanks for calling", "my name is"),
    "hr": ("dobar dan", "dobro jutro", "dobra večer", "hvala što ste nazvali", "zovem se", "pozdrav"),
    "hu": ("jó napot", "jó reggelt", "jó estét", "üdvözlöm", "miben segíthetek"),
    "ru": ("добрый день", "доброе утро", "добрый вечер", "здравствуйте", "меня зовут"),
    "zh": ("您好", "你好", "感谢您的来电", "欢迎"),
}  # fmt: skip
EMPATHY: dict[str, tuple[str, ...]] = {
    "en": ("sorry", "apologise", "apologize", "i understand", "frustrating", "unfortunately"),
    "hr": ("žao mi je", "ispričavam", "razumijem", "nažalost"),
    "hu": ("sajnálom", "elnézést", "megértem", "sajnos"),
    "ru": ("жаль", "извин", "понимаю", "к сожалению"),
    "zh": ("抱歉", "对不起", "理解", "不好意思"),
}
RESOLUTION: dict[str, tuple[str, ...]] = {
    "en": ("solve your problem", "solved your problem", "resolved", "anything else", "everything clear",
           "does that help", "is that ok"),
    "hr": ("riješilo", "riješen", "još nečim", "sve jasno"),
    "hu": ("megoldja", "megoldódott", "valamiben", "világos"),
    "ru": ("решило", "решена", "чем-то помочь", "всё понятно"),
    "zh": ("解决", "还有什么", "清楚了吗"),
}  # fmt: skip
CLOSING: dict[str, tuple[str, ...]] = {
    "en": ("goodbye", "bye", "have a nice day", "have a good day", "thank you for calling", "thanks for your call"),
    "hr": ("doviđenja", "ugodan dan", "hvala na pozivu", "lijep pozdrav"),
    "hu": ("viszonthallásra", "viszontlátásra", "szép napot"),
    "ru": ("до свидания", "всего доброго", "хорошего дня"),
    "zh": ("再见", "祝您"),
}
EDGE_TURNS = 2  # a greeting belongs to the agent's first turns, a closing to the last ones


@dataclass(frozen=True)
class QaResult:
    greeting: bool
    empathy: bool
    resolution_confirmed: bool
    closing: bool

    def as_dict(self) -> dict[str, bool]:
        return {
            "greeting": self.greeting,
            "empathy": self.empathy,
            "resolution_confirmed": self.resolution_confirmed,
            "closing": self.closing,
        }


def _keywords(table: dict[str, tuple[str, ...]], language: str) -> tuple[str, ...]:
    # A call in a language without a list is checked with English phrases (agents often code-switch).
    return table.get(language, table["en"])


def _says(texts: Sequence[str], keywords: tuple[str, ...]) -> bool:
    return any(k in text for text in texts for k in keywords)


def qa_checks(segments: Sequence[SegmentData], language: str) -> QaResult:
    """QA booleans from the agent's turns (unknown-speaker turns count: mono recordings have no split)."""
    agent = [s.text.lower() for s in segments if s.speaker in (Speaker.AGENT, Speaker.UNKNOWN)]
    return QaResult(
        greeting=_says(agent[:EDGE_TURNS], _keywords(GREETING, language)),
        empathy=_says(agent, _keywords(EMPATHY, language)),
        resolution_confirmed=_says(agent, _keywords(RESOLUTION, language)),
        # The opening turn never counts as the closing ("thank you for calling" opens calls too).
        closing=_says(agent[1:][-EDGE_TURNS:] or agent, _keywords(CLOSING, language)),
    )
