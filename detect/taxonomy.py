"""The topic taxonomy: parsing and validating its YAML, and installing versions in the database.

Importing this module does not import spaCy: the API reads and writes taxonomies too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.errors import TaxonomyError
from core.models import Call, CallStatus, Speaker, TaxonomyVersion, Topic
from core.nul import nul_at, nul_message

_TOPIC_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,199}$")
MAX_VERSION = 2**31 - 1  # the INTEGER column, on SQLite and PostgreSQL alike
# ISO 639-1 codes spaCy can tokenise (blank pipelines); others would silently fall back to English.
_CODES = (
    "af am ar az bg bn bo ca cs da de el en es et eu fa fi fo fr ga gd gu he hi hr hu hy id is it ja kn ko ky "
    "la lb lg lt lv mk ml mr ms nb ne nl nn pl pt ro ru sa si sk sl sq sr sv ta te th ti tl tn tr tt uk ur vi yo zh"
)
LANGUAGE_CODES = frozenset(_CODES.split())


@dataclass(frozen=True)
class TopicDef:
    id: str
    label: str
    speaker: Speaker | None  # count matches only in this speaker's segments; None = anyone
    patterns: Mapping[str, tuple[str, ...]]  # language -> phrases


@dataclass(frozen=True)
class Taxonomy:
    version: int
    topics: tuple[TopicDef, ...]

    def topic(self, topic_id: str) -> TopicDef | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(lang for t in self.topics for lang in t.patterns)


def _parse_patterns(topic_id: str, raw: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or not raw:
        raise TaxonomyError(f"topic {topic_id!r}: 'patterns' must be a non-empty mapping of language -> list")
    patterns: dict[str, tuple[str, ...]] = {}
    for lang, phrases in raw.items():
        if not isinstance(lang, str) or lang.lower() not in LANGUAGE_CODES:
            raise TaxonomyError(f"topic {topic_id!r}: unknown language code {lang!r} in 'patterns'")
        if isinstance(phrases, str):
            phrases = [phrases]
        if not isinstance(phrases, list) or not phrases:
            raise TaxonomyError(f"topic {topic_id!r}: patterns for {lang!r} must be a non-empty list")
        cleaned = tuple(str(p).strip() for p in phrases if str(p).strip())
        if len(cleaned) != len(phrases) or any(not isinstance(p, str | int | float) for p in phrases):
            raise TaxonomyError(f"topic {topic_id!r}: patterns for {lang!r} must be non-empty strings")
        patterns[lang.lower()] = cleaned
    return patterns


def _parse_topic(raw: Any, index: int) -> TopicDef:
    if not isinstance(raw, dict):
        raise TaxonomyError(f"topics[{index}]: must be a mapping with id, label and patterns")
    topic_id = raw.get("id")
    if not isinstance(topic_id, str) or not _TOPIC_ID.match(topic_id):
        raise TaxonomyError(
            f"topics[{index}]: 'id' must be lowercase letters, digits, '.', '_' or '-' (got {topic_id!r})"
        )
    unknown = set(raw) - {"id", "label", "speaker", "patterns", "description"}
    if unknown:
        raise TaxonomyError(f"topic {topic_id!r}: unknown field(s) {', '.join(sorted(unknown))}")
    label = raw.get("label", topic_id)
    if not isinstance(label, str) or not label.strip():
        raise TaxonomyError(f"topic {topic_id!r}: 'label' must be a non-empty string")
    speaker_raw = raw.get("speaker")
    speaker: Speaker | None = None
    if speaker_raw is not None:
        if speaker_raw not in (Speaker.AGENT, Speaker.CUSTOMER):
            raise TaxonomyError(f"topic {topic_id!r}: 'speaker' must be 'agent' or 'customer' (got {speaker_raw!r})")
        speaker = Speaker(speaker_raw)
    return TopicDef(topic_id, label.strip(), speaker, _parse_patterns(topic_id, raw.get("patterns")))


def taxonomy_from_dict(data: Any) -> Taxonomy:
    if not isinstance(data, dict):
        raise TaxonomyError("a taxonomy is a mapping with 'version' and 'topics'")
    where = nul_at(data)
    if where:
        raise TaxonomyError(nul_message(where))
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= MAX_VERSION:
        raise TaxonomyError(f"'version' must be an integer from 1 to {MAX_VERSION} (got {version!r})")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError("'topics' must be a non-empty list")
    topics = tuple(_parse_topic(raw, i) for i, raw in enumerate(raw_topics))
    seen: set[str] = set()
    for topic in topics:
        if topic.id in seen:
            raise TaxonomyError(f"topic {topic.id!r}: duplicate id")
        seen.add(topic.id)
    return Taxonomy(version, topics)


def parse_taxonomy(text: str) -> Taxonomy:
    """A validated Taxonomy from YAML text; TaxonomyError says which topic and field is wrong."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        where = (
            f" at line {exc.problem_mark.line + 1}, column {exc.problem_mark.column + 1}" if exc.problem_mark else ""
        )
        raise TaxonomyError(f"not valid YAML: {exc.problem or exc.context}{where}") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"not valid YAML: {exc}") from exc
    return taxonomy_from_dict(data)


def load_taxonomy_file(path: Path) -> tuple[Taxonomy, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise TaxonomyError(f"{path} is not UTF-8 text (byte {exc.start})") from exc
    return parse_taxonomy(text), text


def default_taxonomy_yaml() -> str:
    return (resources.files("detect") / "default_taxonomy.yaml").read_text(encoding="utf-8")


def default_taxonomy() -> Taxonomy:
    return parse_taxonomy(default_taxonomy_yaml())


def taxonomy_to_dict(taxonomy: Taxonomy) -> dict[str, Any]:
    topics: list[dict[str, Any]] = []
    for t in taxonomy.topics:
        item: dict[str, Any] = {"id": t.id, "label": t.label}
        if t.speaker is not None:
            item["speaker"] = str(t.speaker)
        item["patterns"] = {lang: list(p) for lang, p in t.patterns.items()}
        topics.append(item)
    return {"version": taxonomy.version, "topics": topics}


def taxonomy_to_yaml(taxonomy: Taxonomy) -> str:
    return yaml.safe_dump(taxonomy_to_dict(taxonomy), allow_unicode=True, sort_keys=False)


def installed_version(session: Session) -> int | None:
    return session.scalar(select(func.max(TaxonomyVersion.version)).where(TaxonomyVersion.active.is_(True)))


def install_taxonomy(session: Session, taxonomy: Taxonomy, source_yaml: str | None = None) -> int:
    """Make `taxonomy` the active version; returns how many tagged calls now await re-tagging.

    Calls are re-tagged by the tag job, which picks up every call whose tagged_version differs from the
    active version — so history is re-tagged under the new patterns and trend lines stay continuous.
    """
    newest = session.scalar(select(func.max(TaxonomyVersion.version)))
    if newest is not None and taxonomy.version <= newest:
        raise TaxonomyError(f"version {taxonomy.version} is not newer than the installed version {newest}")
    session.execute(update(TaxonomyVersion).values(active=False))
    # The stored YAML is what active_taxonomy() parses back, so it must describe exactly this taxonomy.
    if source_yaml is None or parse_taxonomy(source_yaml) != taxonomy:
        source_yaml = taxonomy_to_yaml(taxonomy)
    session.add(TaxonomyVersion(version=taxonomy.version, source=source_yaml))
    session.flush()
    session.execute(update(Topic).values(active=False))
    for t in taxonomy.topics:
        row = session.get(Topic, t.id)
        patterns = {lang: list(p) for lang, p in t.patterns.items()}
        speaker = str(t.speaker) if t.speaker else None
        if row is None:
            session.add(Topic(id=t.id, label=t.label, speaker=speaker, patterns=patterns, version=taxonomy.version))
        else:
            row.label, row.speaker, row.patterns = t.label, speaker, patterns
            row.version, row.active = taxonomy.version, True
    session.flush()
    return session.scalar(select(func.count()).select_from(Call).where(Call.status == CallStatus.TAGGED)) or 0


_cache: dict[str, Taxonomy] = {}  # keyed by source: cheap to fetch, and distinct databases may reuse numbers


def active_taxonomy(session: Session) -> Taxonomy | None:
    """The active taxonomy (parsed from the YAML it was installed from), or None before any install."""
    version = installed_version(session)
    if version is None:
        return None
    source = session.scalar(select(TaxonomyVersion.source).where(TaxonomyVersion.version == version))
    assert source is not None
    if source not in _cache:
        _cache[source] = parse_taxonomy(source)
    return _cache[source]


def ensure_taxonomy(session: Session) -> Taxonomy:
    """The active taxonomy, installing the shipped default first if none is installed."""
    current = active_taxonomy(session)
    if current is not None:
        return current
    taxonomy = default_taxonomy()
    newest = session.scalar(select(func.max(TaxonomyVersion.version)))
    if newest is not None:
        taxonomy = Taxonomy(newest + 1, taxonomy.topics)
    install_taxonomy(session, taxonomy, default_taxonomy_yaml())
    return taxonomy
