"""Decoding recordings into 16 kHz float32 channels, with clear reasons for unusable files."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from core.errors import AudioError

SAMPLE_RATE = 16_000
Samples = npt.NDArray[np.float32]
_OGG_FORMATS = {"ogg", "opus"}
_OGG_PAGE_HEADER = 27
_TAIL_BYTES = 65_536 + 300  # an Ogg page is at most ~64 KiB + header


@dataclass(frozen=True)
class DecodedAudio:
    """One or two channels at 16 kHz; the source's own rate and layout are kept for reports."""

    channels: tuple[Samples, ...]
    source_rate: int
    source_channels: int

    @property
    def duration_s(self) -> float:
        return len(self.channels[0]) / SAMPLE_RATE if self.channels else 0.0

    @property
    def is_stereo(self) -> bool:
        return len(self.channels) == 2


def _ogg_is_complete(path: Path) -> bool:
    """An Ogg stream must end with a whole page flagged end-of-stream; a cut file does not."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read()
    pos = tail.rfind(b"OggS")
    while pos >= 0:
        header = tail[pos : pos + _OGG_PAGE_HEADER]
        if len(header) == _OGG_PAGE_HEADER and header[4] == 0:
            n_segments = header[26]
            table = tail[pos + _OGG_PAGE_HEADER : pos + _OGG_PAGE_HEADER + n_segments]
            body = sum(table)
            complete = len(table) == n_segments and pos + _OGG_PAGE_HEADER + n_segments + body == len(tail)
            return complete and bool(header[5] & 0x04)
        pos = tail.rfind(b"OggS", 0, pos)
    return False


def _wav_is_complete(path: Path) -> bool:
    """A WAV's `data` chunk must hold the bytes its header declares. FFmpeg sizes a WAV by the file, so a cut
    file otherwise decodes as a shorter, complete-looking recording. A streaming size (0 or 0xFFFFFFFF) is
    taken as unknown."""
    size = path.stat().st_size
    with path.open("rb") as fh:
        if fh.read(12)[8:12] != b"WAVE":
            return True  # RF64 and other RIFF shapes: leave them to the decoder
        while True:
            header = fh.read(8)
            if len(header) < 8:
                return True
            chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
            if chunk_id == b"data":
                return chunk_size in (0, 0xFFFFFFFF) or fh.tell() + chunk_size <= size
            fh.seek(chunk_size + (chunk_size & 1), 1)


def _declared_seconds(container: av.container.InputContainer, stream: av.audio.stream.AudioStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000  # AV_TIME_BASE
    return None


def _open(path: Path) -> av.container.InputContainer:
    if not path.is_file():
        raise AudioError(f"recording not found: {path}")
    if path.stat().st_size == 0:
        raise AudioError("empty file (0 bytes)")
    try:
        return av.open(str(path), metadata_errors="ignore")
    except av.error.FFmpegError as exc:
        raise AudioError(f"not a decodable audio file: {exc.strerror or exc}") from exc


def _decode_stream(
    container: av.container.InputContainer, stream: av.audio.stream.AudioStream, layout: str, max_seconds: float
) -> Samples:
    resampler = av.AudioResampler(format="flt", layout=layout, rate=SAMPLE_RATE)
    limit = int((max_seconds + 1) * SAMPLE_RATE)
    chunks: list[Samples] = []
    total = 0
    frames = container.decode(stream)
    while True:
        try:
            frame = next(frames)
        except StopIteration:
            break
        except av.error.FFmpegError as exc:
            raise AudioError(f"corrupt audio data after {total / SAMPLE_RATE:.1f} s: {exc.strerror or exc}") from exc
        frame.pts = None  # the resampler re-times; broken timestamps in damaged files must not stop it
        for out in resampler.resample(frame):
            chunks.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
            total += out.samples
        if total > limit:
            raise AudioError(f"recording longer than the {max_seconds:.0f} s limit")
    for out in resampler.resample(None):
        chunks.append(np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1))
    return np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, dtype=np.float32)


def decode(path: str | Path, max_seconds: float) -> DecodedAudio:
    """Decode any format PyAV reads. Stereo stays two channels; anything else becomes mono."""
    path = Path(path)
    container = _open(path)
    with container:
        if not container.streams.audio:
            raise AudioError("file has no audio stream")
        stream = container.streams.audio[0]
        declared = _declared_seconds(container, stream)
        if declared is not None and declared > max_seconds:
            raise AudioError(f"recording is {declared:.0f} s, longer than the {max_seconds:.0f} s limit")
        n_channels = stream.codec_context.channels or 1
        layout = "stereo" if n_channels == 2 else "mono"
        samples = _decode_stream(container, stream, layout, max_seconds)
        fmt = container.format.name.split(",")
        rate = stream.rate or SAMPLE_RATE
    if samples.size == 0:
        raise AudioError("recording has zero duration")
    if _OGG_FORMATS.intersection(fmt) and not _ogg_is_complete(path):
        raise AudioError("truncated Ogg stream (last page missing or incomplete)")
    if "wav" in fmt and not _wav_is_complete(path):
        raise AudioError("truncated WAV: the file ends before the samples its header declares")
    channels = (samples[0::2].copy(), samples[1::2].copy()) if layout == "stereo" else (samples,)
    decoded_s = len(channels[0]) / SAMPLE_RATE
    if declared is not None and not _OGG_FORMATS.intersection(fmt) and decoded_s < 0.9 * declared - 0.5:
        raise AudioError(f"truncated recording: header says {declared:.1f} s, only {decoded_s:.1f} s decodable")
    return DecodedAudio(channels=channels, source_rate=rate, source_channels=n_channels)


def encode_opus(path: Path, channels: tuple[Samples, ...], bitrate: int = 32_000) -> None:
    """Write 16 kHz float channels as Ogg Opus (used for the redacted copy of a call)."""
    layout = "stereo" if len(channels) == 2 else "mono"
    interleaved = np.stack(channels, axis=1).reshape(1, -1) if len(channels) == 2 else channels[0].reshape(1, -1)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    with av.open(str(tmp), mode="w", format="ogg") as out:
        # Independent channels: joint stereo would leak one party's voice into the other's channel.
        options = {"mapping_family": "255"} if layout == "stereo" else {}
        stream = out.add_stream("libopus", rate=SAMPLE_RATE, layout=layout, options=options)
        stream.bit_rate = bitrate
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(interleaved, dtype=np.float32), format="flt", layout=layout
        )
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    tmp.replace(path)


def mute_spans(samples: Samples, spans: list[tuple[float, float]], pad_s: float = 0.05) -> Samples:
    out = samples.copy()
    for start, end in spans:
        lo = max(0, int((start - pad_s) * SAMPLE_RATE))
        hi = min(len(out), int((end + pad_s) * SAMPLE_RATE))
        out[lo:hi] = 0.0
    return out
