"""Where the generator (samples/generate.py) puts a corpus' truth files: beside the corpus, not in it."""

from __future__ import annotations

from pathlib import Path


def truth_dir(corpus: Path) -> Path:
    return corpus.with_name(f"{corpus.name}-truth")
