"""The search query language: words (all must match), "exact phrase", AND / OR / NOT (upper case), prefix*,
parentheses — parsed once, compiled to an FTS5 MATCH expression (SQLite) or a tsquery (PostgreSQL).

Chinese, Japanese and Korean are written without spaces between words, so the index holds each of their
characters as a word of its own (migration 0007 pads them with spaces) and a run of them in a query becomes
a phrase of consecutive characters: '账单' finds "我的账单上有…" wherever the two characters stand together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import InvalidInput

MAX_QUERY_CHARS = 500
MAX_TERMS = 32
# Code point ranges indexed one character per word: Hangul Jamo, CJK symbols and punctuation, Kana, Hangul
# compatibility Jamo, Katakana extensions, CJK Extension A, CJK Unified Ideographs, Hangul syllables, CJK
# compatibility ideographs, half- and full-width forms, and the supplementary ideographic planes.
# Migration 0007 pads exactly these in the indexed text; the two lists must stay equal.
CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF),
    (0x3000, 0x303F),
    (0x3040, 0x30FF),
    (0x3130, 0x318F),
    (0x31F0, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)
CJK_CLASS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES)
# A CJK letter is a word by itself; other letters and digits form words up to a space, punctuation or CJK.
_WORD = re.compile(rf"(?=\w)[{CJK_CLASS}]|[^\W{CJK_CLASS}]+")
_CJK_CHAR = re.compile(f"([{CJK_CLASS}])")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)("?)|([^\s()"]+))')


@dataclass(frozen=True)
class Term:
    parts: tuple[str, ...]  # one word, or several when the user wrote e.g. "e-mail"
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    parts: tuple[str, ...]


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    positive: Node
    negative: Node


Node = Term | Phrase | And | Or | Not


def _tokens(query: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        match = _TOKEN.match(query, pos)
        if match is None:  # pragma: no cover - the pattern accepts every non-space character
            raise InvalidInput(f"cannot read the query at position {pos}")
        lpar, rpar, phrase, closing, word = match.groups()
        if phrase is not None:
            if not closing:
                raise InvalidInput('unbalanced quote: close every "exact phrase" with a second "')
            tokens.append('"' + phrase)
        elif word is None or _WORD.search(word):
            tokens.append(lpar or rpar or word)
        # else: a lone dash or ampersand between words ("bill - fee") is punctuation, not a term to find
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.terms = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            raise InvalidInput(f"unexpected {self.peek()!r}: a ')' without its '('?")
        return node

    def or_expr(self) -> Node:
        items = [self.and_expr()]
        while self.peek() == "OR":
            self.take()
            items.append(self.and_expr())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_expr(self) -> Node:
        positive: list[Node] = []
        negative: list[Node] = []
        while (token := self.peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.take()
                if self.peek() in (None, "OR", ")", "AND"):
                    raise InvalidInput("AND needs a term on both sides")
                continue
            if token == "NOT":
                self.take()
                if self.peek() in (None, "OR", ")", "AND", "NOT"):
                    raise InvalidInput("NOT needs a term after it")
                negative.append(self.atom())
                continue
            positive.append(self.atom())
        if not positive:
            if negative:
                raise InvalidInput("NOT only excludes: put at least one term to find before it, e.g. 'fee NOT paper'")
            raise InvalidInput("an operator is missing a term (empty query, 'a OR', '()' ...)")
        node: Node = positive[0] if len(positive) == 1 else And(tuple(positive))
        if negative:
            node = Not(node, negative[0] if len(negative) == 1 else Or(tuple(negative)))
        return node

    def atom(self) -> Node:
        token = self.take()
        if token == "(":
            node = self.or_expr()
            if self.peek() != ")":
                raise InvalidInput("unbalanced parentheses: a '(' is never closed")
            self.take()
            return node
        if token == ")":  # pragma: no cover - and_expr stops before ')'
            raise InvalidInput("unbalanced parentheses")
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise InvalidInput(f"too many terms (at most {MAX_TERMS})")
        if token.startswith('"'):
            parts = tuple(w.lower() for w in _WORD.findall(token[1:]))
            if not parts:
                raise InvalidInput("an exact phrase must contain at least one word")
            return Phrase(parts)
        prefix = token.endswith("*")
        body = token.rstrip("*") if prefix else token
        if "*" in body:
            raise InvalidInput(f"'*' may only end a word (prefix search), not appear inside {token!r}")
        parts = tuple(w.lower() for w in _WORD.findall(body))
        if not parts:
            raise InvalidInput(f"{token!r} contains no letters or digits to search for")
        return Term(parts, prefix)


def pad_cjk(text: str) -> str:
    """The text as the index sees it: one space on each side of every CJK character (as migration 0007 does)."""
    return _CJK_CHAR.sub(r" \1 ", text)


def parse_query(query: str) -> Node:
    """Parse the user's query; raises InvalidInput with an explanation when it is malformed."""
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidInput(f"query too long (at most {MAX_QUERY_CHARS} characters)")
    tokens = _tokens(query)
    if not tokens and query.strip():
        raise InvalidInput(f"{query.strip()!r} contains no letters or digits to search for")
    if not tokens:
        raise InvalidInput("empty query: give at least one word")
    return _Parser(tokens).parse()


# Letters SQLite's tokenizer keeps apart from their base letter although PostgreSQL's unaccent folds them: the
# Croatian đ ("uredaj" must find "uređaj"), Russian ё (written е more often than not), ł, ø. Migration 0008
# indexes them folded and queries fold them the same way; each maps to one character, so a snippet taken from
# the folded text lines up with the original.
FOLDED_LETTERS: dict[str, str] = {"đ": "d", "Đ": "D", "ё": "е", "Ё": "Е", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}
_FOLD = str.maketrans(FOLDED_LETTERS)


def fold_letters(text: str) -> str:
    return text.translate(_FOLD)


def to_fts5(node: Node) -> str:
    """FTS5 MATCH expression; every word is quoted so no user text is read as FTS5 syntax."""
    if isinstance(node, Term | Phrase):
        star = "*" if isinstance(node, Term) and node.prefix else ""
        return '"' + fold_letters(" ".join(node.parts)) + '"' + star
    if isinstance(node, And):
        return "(" + " AND ".join(to_fts5(i) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(i) for i in node.items) + ")"
    return "(" + to_fts5(node.positive) + " NOT " + to_fts5(node.negative) + ")"


def _lexeme(word: str, prefix: bool = False) -> str:
    return "'" + word.replace("'", "''") + "'" + (":*" if prefix else "")


def to_tsquery(node: Node) -> str:
    """A to_tsquery expression (PostgreSQL); the search configuration normalises and folds each word."""
    if isinstance(node, Term | Phrase):
        prefix = isinstance(node, Term) and node.prefix
        last = len(node.parts) - 1
        words = [_lexeme(w, prefix and i == last) for i, w in enumerate(node.parts)]
        return "(" + " <-> ".join(words) + ")"
    if isinstance(node, And):
        return "(" + " & ".join(to_tsquery(i) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(to_tsquery(i) for i in node.items) + ")"
    return "(" + to_tsquery(node.positive) + " & !" + to_tsquery(node.negative) + ")"
