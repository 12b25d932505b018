"""The topic taxonomy: read it (role: analyst), install a new version (role: admin)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import AnalystKey, SessionDep
from api.schemas import TaxonomyOut, TaxonomyTopicOut
from core.models import TaxonomyVersion, Topic

router = APIRouter(prefix="/taxonomy", tags=["taxonomy"])
MAX_TAXONOMY_BYTES = 1 << 20


def _active(session: Session) -> TaxonomyOut:
    version = session.scalar(
        select(TaxonomyVersion).where(TaxonomyVersion.active.is_(True)).order_by(TaxonomyVersion.version.desc())
    )
    topics = session.scalars(select(Topic).where(Topic.active.is_(True)).order_by(Topic.id)).all()
    return TaxonomyOut(
        version=version.version if version else None,
        loaded_at=version.loaded_at if version else None,
        source=version.source if version else None,
        topics=[TaxonomyTopicOut(id=t.id, label=t.label, speaker=t.speaker, patterns=dict(t.patterns)) for t in topics],
    )


@router.get("", summary="The active taxonomy and its topics (role: analyst)", response_model=TaxonomyOut)
def get_taxonomy(session: SessionDep, _key: AnalystKey) -> TaxonomyOut:
    return _active(session)
