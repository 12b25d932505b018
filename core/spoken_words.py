"""Finding a lemmatised phrase in spoken text: by the word stems its inflected forms keep.

Russian writes ё as е more often than not, so both spellings are read as е on either side.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, SQLColumnExpression, String, func

_YO = str.maketrans({"ё": "е", "Ё": "Е"})
STEM_CHARS = 5


def fold_yo(text: str) -> str:
    return text.translate(_YO)


def spoken_fold(text: str | None) -> str | None:
    """Lowercased with ё read as е: how a phrase's stems are looked for in spoken text."""
    return None if text is None else fold_yo(text.lower())


# SQLite's lower() leaves non-ASCII capitals alone ("Счёт" stays "Счёт"), so SQLite connections get this
# function under this name (core.db); PostgreSQL's lower() knows every alphabet.
SQLITE_FOLD_FUNCTION = "callpulse_spoken_fold"


def folded_column(column: SQLColumnExpression[str], dialect: str) -> ColumnElement[str]:
    if dialect == "sqlite":
        folded: ColumnElement[str] = getattr(func, SQLITE_FOLD_FUNCTION)(column, type_=String())
        return folded
    return func.replace(func.lower(column), "ё", "е")


def word_stem(word: str) -> str:
    """The first letters of a lemma that its inflected forms keep: a lemma's last letter is usually its ending
    (Russian "плата" is spoken "плату", Croatian "naknada" "naknadu"), so it is dropped, and at most five are kept."""
    w = fold_yo(word.lower())
    return w if len(w) <= STEM_CHARS - 1 else w[: min(STEM_CHARS, len(w) - 1)]


def phrase_stems(phrase: str) -> list[str]:
    return [word_stem(w) for w in phrase.split()] or [fold_yo(phrase.lower())]


def says(text: str, stems: list[str]) -> bool:
    """Whether the text has every stem (as a substring, as the database search for the same calls does)."""
    folded = spoken_fold(text) or ""
    return all(s in folded for s in stems)
