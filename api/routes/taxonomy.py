"""The topic taxonomy: read it (role: analyst), install a new version (role: admin)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import AdminKey, AnalystKey, SessionDep
from api.schemas import TaxonomyInstalled, TaxonomyOut, TaxonomyTopicOut, problem_responses
from core.errors import InvalidInput, PayloadTooLarge
from core.models import TaxonomyVersion, Topic
from detect.taxonomy import install_taxonomy, parse_taxonomy, taxonomy_from_dict

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


PUT_BODY = {
    "requestBody": {
        "required": True,
        "description": "The taxonomy, as YAML (design.md's format) or the same structure as JSON",
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


@router.put(
    "",
    summary="Install a new taxonomy version; history is re-tagged by the tag job (role: admin)",
    response_model=TaxonomyInstalled,
    responses=problem_responses(400, 413),
    openapi_extra=PUT_BODY,
)
async def put_taxonomy(request: Request, session: SessionDep, _key: AdminKey) -> TaxonomyInstalled:
    body = await request.body()
    if len(body) > MAX_TAXONOMY_BYTES:
        raise PayloadTooLarge("taxonomy larger than 1 MB")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput("the taxonomy must be UTF-8 text") from exc
    if "json" in request.headers.get("content-type", ""):
        try:
            taxonomy = taxonomy_from_dict(json.loads(text))
        except ValueError as exc:
            raise InvalidInput(f"not valid JSON: {exc}") from exc
        source = None
    else:
        taxonomy, source = parse_taxonomy(text), text
    retag = install_taxonomy(session, taxonomy, source)
    session.flush()
    return TaxonomyInstalled(**_active(session).model_dump(), calls_to_retag=retag)
