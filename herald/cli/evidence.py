"""`herald evidence ID --out FILE` and `herald evidence verify FILE`: the evidence pack.

`evidence` is a group whose default command is `export`: a first word that is not a
command name is an incident id (`herald evidence export ID` spells the same thing, and is
how to export an incident literally named "verify").
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from herald.cli.common import EXIT_BAD_INPUT, fail, incidents, run
from herald.models.evidence import EvidenceRecord


class _DefaultExport(TyperGroup):
    # Typer vendors Click privately (typer._click), hence `ctx: Any`.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["export", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_DefaultExport,
    help="Write an incident's evidence pack (`herald evidence ID --out pack.zip`), "
    "or verify one (`herald evidence verify pack.zip`).",
    no_args_is_help=True,
)


@app.command("export")
def export(
    incident_id: str,
    out: Annotated[
        Path | None, typer.Option("--out", help="the zip to write (default: <ID>-evidence.zip)")
    ] = None,
    allow_missing_receipts: Annotated[
        bool,
        typer.Option(
            "--allow-missing-receipts",
            help="build even when a recorded receipt is missing from the store (listed as missing)",
        ),
    ] = False,
) -> None:
    """Write everything an authority will ask for about one incident into one zip."""
    from herald.evidence.pack import MissingReceiptsError, write_pack

    async def fetch() -> EvidenceRecord:
        return await (await incidents()).evidence(incident_id)

    record = run(fetch)
    target = out or Path(f"{incident_id}-evidence.zip")
    try:
        pack = write_pack(record, target, allow_missing_receipts=allow_missing_receipts)
    except MissingReceiptsError as err:
        fail(f"{err}\n(--allow-missing-receipts builds the pack anyway and lists them)")
    for item in pack.missing_receipts:
        typer.secho(
            f"warning: receipt missing: {item['report']}: {item['name']} ({item['reason']})",
            err=True,
            fg=typer.colors.YELLOW,
        )
    typer.echo(f"wrote {target} ({len(pack.members)} files)")
    typer.echo(f"root {pack.root}")


@app.command("verify")
def verify(
    pack: Annotated[Path, typer.Argument(help="the evidence pack (zip)")],
    root: Annotated[
        str | None,
        typer.Option("--root", help="the root recorded independently (MANIFEST.sha256)"),
    ] = None,
) -> None:
    """Prove nothing in a pack was altered, added, removed or reordered (exit 1 if so)."""
    from herald.evidence.verify import verify_pack

    if not pack.is_file():
        fail(f"{pack}: no such file", EXIT_BAD_INPUT)
    result = verify_pack(pack, root=root)
    if not result.ok:
        first, *others = result.failures
        lines = [str(first), *(f"  also: {f}" for f in others[:20])]
        if len(others) > 20:
            lines.append(f"  … and {len(others) - 20} more")
        fail("\n".join(lines))
    typer.echo(f"verified: {result.files} files of incident {result.incident_id}")
    typer.echo(f"root {result.root}")
