"""The dependency rules of design.md, checked on the source."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"core", "ingest", "transcribe", "detect", "api", "cli"}
ALLOWED = {
    "core": set(),
    "ingest": {"core"},
    "transcribe": {"core"},
    "detect": {"core"},
    "api": {"core", "detect"},
    "cli": OURS,
}
# api may read detect's light, model-free helpers only.
API_DETECT_MODULES = {"detect.baseline", "detect.taxonomy"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_allowed_layers(package: str) -> None:
    offences = []
    for path in (ROOT / package).rglob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in OURS and top != package and top not in ALLOWED[package]:
                offences.append(f"{path.relative_to(ROOT)} imports {name}")
            if package == "api" and top == "detect" and name not in API_DETECT_MODULES:
                offences.append(f"{path.relative_to(ROOT)} imports {name} (not a light helper)")
    assert offences == []
