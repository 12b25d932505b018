"""Regenerate migration 0001 from core/models.py (only until the first release ships)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine

from core.db import alembic_config

VERSIONS = Path(__file__).resolve().parents[1] / "core" / "migrations" / "versions"


def main() -> None:
    for old in VERSIONS.glob("0001_*.py"):
        old.unlink()
    later = sorted(p for p in VERSIONS.glob("0*.py"))
    with tempfile.TemporaryDirectory() as tmp:
        # Later revisions point at 0001; park them while it is rebuilt.
        parked = [p.rename(Path(tmp) / p.name) for p in later]
        engine = create_engine(f"sqlite:///{tmp}/empty.db")
        cfg = alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001", head="base", splice=True)
        for p in parked:
            p.rename(VERSIONS / p.name)
    fresh = [str(p) for p in VERSIONS.glob("0001_*.py")]
    # alembic's template is not ruff-formatted; `make lint` checks the migrations too
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", *fresh], check=True)
    print("regenerated", *fresh)


if __name__ == "__main__":
    main()
