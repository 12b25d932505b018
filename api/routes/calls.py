"""Calls: upload audio, import transcripts (role: admin); list, read and play them (role: qa)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from api import call_store
from api.deps import AdminKey, DatabaseDep, QaKey, SessionDep, SettingsDep
from api.errors import error_message, problem
from api.media import (
    AUDIO_TYPES,
    EXTENSION_TYPES,
    RangeNotSatisfiable,
    parse_range,
    sniff_audio,
)
from api.schemas import (
    CallDetail,
    CallMetaIn,
    CallPage,
    ImportResult,
    LanguageQuery,
    Moment,
    TranscriptIn,
    UploadResult,
    problem_responses,
)
from core.db import Database
from core.errors import InvalidInput, NotFound, PayloadTooLarge
from core.models import CallStatus
from core.nul import nul_at, nul_message
from core.recordings import recording_path, upload_dir
from core.records import content_call_id
from core.retention import check_after_horizon
from core.settings import Settings
from core.trend_series import require_topic

router = APIRouter(prefix="/calls", tags=["calls"])
Text = Annotated[str | None, Query(max_length=200)]
CHUNK = 1 << 16
MAX_METADATA_BYTES = 64 << 10
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["audio"],
                    "properties": {
                        "audio": {"type": "string", "format": "binary", "description": "The recording"},
                        "metadata": {
                            "type": "string",
                            "description": "JSON call metadata (call_id, started_at, language, queue, agent_id, "
                            "caller_id, direction, duration_s); call_id defaults to the content hash",
                        },
                    },
                }
            }
        },
    }
}


def _metadata(raw: Any) -> tuple[CallMetaIn, bool]:
    """The upload's metadata, validated before the recording is stored (a refused upload leaves no file); and
    whether its call id is still to be taken from the content (a placeholder until then)."""
    data: dict[str, Any] = {}
    if isinstance(raw, str) and raw.strip():
        try:
            loaded = json.loads(raw)
        except ValueError as exc:
            raise InvalidInput(f"metadata is not valid JSON: {exc}") from exc
        if not isinstance(loaded, dict):
            raise InvalidInput("metadata must be a JSON object")
        where = nul_at(loaded)
        if where:
            raise InvalidInput(nul_message(f"metadata.{where}"))
        data = loaded
    generated = data.get("call_id") in (None, "")
    if generated:
        data["call_id"] = content_call_id("0" * 64)
    data.setdefault("started_at", datetime.now(UTC).isoformat())
    try:
        return CallMetaIn.model_validate(data, context={"generated_call_id": generated}), generated
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "metadata"
        raise InvalidInput(f"invalid metadata: {field}: {error_message(first)}") from exc


async def _metadata_text(part: Any) -> Any:
    """The metadata field's text; sent as a file (`curl -F metadata=@meta.json`), the file's."""
    if not isinstance(part, UploadFile):
        return part
    data = await part.read(MAX_METADATA_BYTES + 1)
    if len(data) > MAX_METADATA_BYTES:
        raise InvalidInput(f"metadata larger than {MAX_METADATA_BYTES // 1024} KB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("metadata is not UTF-8 text") from None


def _check_horizon(db: Database, meta: CallMetaIn) -> None:
    with db.session() as session:
        check_after_horizon(session, meta.started_at)


def _store(upload: UploadFile, settings: Settings, limit: int) -> tuple[Path, str, str, int]:
    """Copy the upload under audio_dir with a name derived from its content, never from the client."""
    target_dir = upload_dir(settings.audio_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=target_dir, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            upload.file.seek(0)
            head = upload.file.read(64)
            ctype = sniff_audio(head)
            chunk = head
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"audio larger than {limit // (1 << 20)} MB")
                digest.update(chunk)
                out.write(chunk)
                chunk = upload.file.read(CHUNK)
        final = target_dir / f"{digest.hexdigest()}{AUDIO_TYPES[ctype]}"
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return final, digest.hexdigest(), ctype, size


@router.post(
    "",
    summary="Upload a recording with its metadata (role: admin)",
    description="Registers a pending call; a call_id that exists already is returned unchanged (200).",
    status_code=201,
    response_model=UploadResult,
    responses={200: {"model": UploadResult, "description": "call_id exists"}, **problem_responses(400, 413, 415)},
    openapi_extra=UPLOAD_BODY,
)
async def upload_call(
    request: Request, response: Response, settings: SettingsDep, db: DatabaseDep, _key: AdminKey
) -> UploadResult:
    limit = settings.api.max_upload_mb << 20
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + CHUNK:
        raise PayloadTooLarge(f"upload larger than {settings.api.max_upload_mb} MB")
    try:
        form = await request.form(max_files=2, max_fields=4)
    except Exception as exc:  # python-multipart raises several types for malformed bodies
        raise InvalidInput(f"expected a multipart/form-data body: {exc}") from exc
    try:
        upload = form.get("audio")
        if not isinstance(upload, UploadFile):
            raise InvalidInput("the multipart field 'audio' (a file) is required")
        meta, generated = _metadata(await _metadata_text(form.get("metadata")))
        await run_in_threadpool(_check_horizon, db, meta)
        path, digest, ctype, size = await run_in_threadpool(_store, upload, settings, limit)
        if generated:
            meta = meta.model_copy(update={"call_id": content_call_id(digest)})
    finally:
        await form.close()

    def register() -> UploadResult:
        with db.session() as session:
            call, created = call_store.register_upload(session, meta, str(path))
            return UploadResult(
                call_id=call.id, status=str(call.status), created=created, content_type=ctype, size=size
            )

    result = await run_in_threadpool(register)
    response.status_code = 201 if result.created else 200
    return result


@router.post(
    "/transcripts",
    summary="Import transcribed calls: one call or a list, in the transcript format (role: admin)",
    description="Idempotent on call_id: calls that exist already are listed under `existing`. PII is redacted.",
    response_model=ImportResult,
    responses=problem_responses(400),
)
def import_transcripts(body: TranscriptIn | list[TranscriptIn], session: SessionDep, _key: AdminKey) -> ImportResult:
    items = body if isinstance(body, list) else [body]
    if len(items) > 1000:
        raise InvalidInput("at most 1000 calls per request")
    created, existing = call_store.import_transcripts(session, items)
    return ImportResult(created=created, existing=existing)


@router.get(
    "",
    summary="List calls, newest first (role: qa)",
    description="An unknown topic answers 404.",
    response_model=CallPage,
    responses=problem_responses(400, 404),
)
def list_calls(
    session: SessionDep,
    _key: QaKey,
    status: CallStatus | None = None,
    queue: Text = None,
    language: LanguageQuery = None,
    agent_id: Text = None,
    topic: Text = None,
    since: Moment | None = None,
    until: Moment | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> CallPage:
    if since is not None and until is not None and since >= until:
        raise InvalidInput("since must be before until")
    if topic is not None:
        require_topic(session, topic)  # a misspelt topic must not look like an empty list
    flt = call_store.CallFilter(status, queue, language, agent_id, topic, since, until, limit, cursor)
    items, next_cursor = call_store.list_calls(session, flt)
    return CallPage(items=items, next_cursor=next_cursor)


@router.get(
    "/{call_id}",
    summary="A call: metadata, segments, topics and QA checks (role: qa)",
    response_model=CallDetail,
    responses=problem_responses(404),
)
def get_call(call_id: str, session: SessionDep, settings: SettingsDep, _key: QaKey) -> CallDetail:
    return call_store.call_detail(session, call_id, settings.audio_dir)


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as f:
        f.seek(start)
        while length > 0:
            data = f.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


@router.get(
    "/{call_id}/audio",
    summary="The call's recording; supports HTTP Range requests (role: qa)",
    response_class=Response,
    responses={
        200: {"content": {t: {"schema": {"type": "string", "format": "binary"}} for t in AUDIO_TYPES}},
        206: {"description": "Partial content", "content": {t: {} for t in AUDIO_TYPES}},
        **problem_responses(404, 416),
    },
)
def get_audio(call_id: str, request: Request, session: SessionDep, settings: SettingsDep, _key: QaKey) -> Response:
    call = call_store.get_call(session, call_id)
    path = recording_path(call.audio_path, settings.audio_dir)
    if path is None:
        raise NotFound(f"call {call_id!r} has no stored recording")
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(64)
    try:
        ctype = sniff_audio(head)
    except Exception:
        ctype = EXTENSION_TYPES.get(path.suffix.lower(), "application/octet-stream")
    headers = {"Accept-Ranges": "bytes"}
    try:
        rng = parse_range(request.headers.get("range"), size)
    except RangeNotSatisfiable:
        return problem(
            416, "Range not satisfiable", f"the recording has {size} bytes", {"Content-Range": f"bytes */{size}"}
        )
    if rng is None:
        headers["Content-Length"] = str(size)
        return StreamingResponse(_chunks(path, 0, size), media_type=ctype, headers=headers)
    headers["Content-Range"] = f"bytes {rng.start}-{rng.end}/{size}"
    headers["Content-Length"] = str(rng.length)
    return StreamingResponse(_chunks(path, rng.start, rng.length), status_code=206, media_type=ctype, headers=headers)
