"""Importing the API must not load the speech or NLP models' libraries (design.md's layering rule)."""

from __future__ import annotations

import subprocess
import sys


def test_importing_api_loads_no_model_libraries() -> None:
    code = (
        "import sys, api.main, api.routes.taxonomy, api.routes.topics\n"
        "api.main.create_app()\n"
        "heavy = [m for m in ('spacy', 'faster_whisper', 'ctranslate2', 'ruptures', 'torch') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
