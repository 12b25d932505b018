"""`callpulse taxonomy`: install a taxonomy version, show the active one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.context import console, err_console, fail, get_db
from cli.main import app
from cli.progress import RichProgress
from core.errors import CallpulseError
from detect.taxonomy import active_taxonomy, install_taxonomy, load_taxonomy_file, taxonomy_to_dict

taxonomy_app = typer.Typer(help="The topic taxonomy: install a new version, show the active one.", no_args_is_help=True)
app.add_typer(taxonomy_app, name="taxonomy")


@taxonomy_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="Taxonomy YAML (design.md's format); its version must be new")],
    retag_now: Annotated[bool, typer.Option("--retag-now", help="Re-tag history now instead of in `process`")] = False,
) -> None:
    """Install a taxonomy version; calls tagged under older versions are re-tagged."""
    try:
        taxonomy, source = load_taxonomy_file(file)
        db = get_db()
        with db.session() as session:
            retag = install_taxonomy(session, taxonomy, source)
        console.print(f"installed taxonomy version {taxonomy.version} ({len(taxonomy.topics)} topics)")
        if not retag_now:
            console.print(f"{retag} tagged calls will be re-tagged by `callpulse process`")
            return
        from detect.tag_job import tag_pending  # spaCy loads only when tagging actually runs

        report = tag_pending(db, RichProgress())
        console.print(
            f"tagged {report.tagged} new and re-tagged {report.retagged} calls "
            f"in {report.seconds:.1f}s ({report.calls_per_second:.0f} calls/s)"
        )
        if report.halted:
            fail(report.halted)
    except CallpulseError as exc:
        fail(exc.detail)


@taxonomy_app.command("show")
def show(as_json: Annotated[bool, typer.Option("--json", help="Print the taxonomy as JSON")] = False) -> None:
    """Print the active taxonomy."""
    try:
        with get_db().session() as session:
            taxonomy = active_taxonomy(session)
    except CallpulseError as exc:
        fail(exc.detail)
    if taxonomy is None:
        if as_json:
            console.print_json(json.dumps(None))
        else:
            err_console.print("no taxonomy installed yet (the default one is installed when tagging first runs)")
        return
    if as_json:
        typer.echo(json.dumps(taxonomy_to_dict(taxonomy), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"taxonomy version {taxonomy.version}")
    table.add_column("topic")
    table.add_column("label")
    table.add_column("speaker")
    table.add_column("patterns")
    for topic in taxonomy.topics:
        patterns = "; ".join(f"{lang}: {', '.join(p)}" for lang, p in topic.patterns.items())
        table.add_row(topic.id, topic.label, str(topic.speaker or "any"), patterns)
    console.print(table)
