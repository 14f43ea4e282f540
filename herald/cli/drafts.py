"""`herald drafts …`: read and approve the rendered notices and reports."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from herald.cli.common import JsonFlag, default_actor, emit_json, fail, incidents, run, table
from herald.cli.incidents import fetch_status
from herald.models import Draft
from herald.models.messages import ApproveDraftInput, RequestChangesInput, ReviseDraftInput

app = typer.Typer(help="Review and approve drafts (four eyes).", no_args_is_help=True)


def _find(incident_id: str, draft_id: str) -> Draft:
    current = run(lambda: fetch_status(incident_id))
    for draft in current.drafts:
        if draft.id == draft_id:
            return draft
    fail(f"no draft {draft_id!r} in {incident_id}; see `herald drafts list {incident_id}`", 2)


async def _with_history(incident_id: str, draft_id: str) -> Draft:
    return await (await incidents()).draft(incident_id, draft_id)


@app.command("list")
def list_drafts(incident_id: str, as_json: JsonFlag = False) -> None:
    """List drafts with version, state, approvals and missing content."""
    current = run(lambda: fetch_status(incident_id))
    if as_json:
        emit_json(current.drafts)
        return
    table(
        [
            [
                d.id,
                f"v{d.version}",
                d.state,
                f"{len(d.approvals)}/{current.approvals_required}",
                ",".join(d.missing_elements) or "-",
                str(len(d.problems)) if d.problems else "-",
            ]
            for d in current.drafts
        ],
        ["draft", "version", "state", "approvals", "missing", "problems"],
    )


@app.command("show")
def show(incident_id: str, draft_id: str, as_json: JsonFlag = False) -> None:
    """Print one draft with its content hash (what an approval binds to)."""
    draft = _find(incident_id, draft_id)
    if as_json:
        emit_json(draft)
        return
    typer.echo(f"Draft {draft.id} v{draft.version} [{draft.state}] by {draft.author}")
    typer.echo(f"hash: {draft.content_hash}")
    if draft.missing_elements:
        typer.echo(f"MISSING required content: {', '.join(draft.missing_elements)}")
    for problem in draft.problems:
        typer.echo(f"PROBLEM: {problem}")
    for approval in draft.approvals:
        typer.echo(f"approved by {approval.approver} at {approval.at.isoformat()}")
    typer.echo("-" * 72)
    typer.echo("".join(draft.version_text(draft.version).lines()), nl=False)


@app.command("diff")
def diff(
    incident_id: str,
    draft_id: str,
    old: Annotated[
        int | None, typer.Option("--from", help="older version (default: the one before)")
    ] = None,
    new: Annotated[
        int | None, typer.Option("--to", help="newer version (default: the current one)")
    ] = None,
) -> None:
    """Show what changed between two versions of a draft (unified diff)."""
    _find(incident_id, draft_id)  # a clear error for an unknown draft
    draft = run(lambda: _with_history(incident_id, draft_id))
    new = new or draft.version
    old = old or new - 1
    try:
        text = draft.diff(old, new)
    except KeyError as exc:
        known = ", ".join(f"v{v.version}" for v in draft.history) + f", v{draft.version}"
        fail(f"draft {draft_id} has no version {exc.args[0]} (versions: {known.lstrip(', ')})", 2)
    typer.echo(text or f"v{old} and v{new} are identical", nl=not text)


@app.command("approve")
def approve(
    incident_id: str,
    draft_id: str,
    approver: Annotated[str, typer.Option("--as", help="who approves (not the author)")],
    expected_hash: Annotated[
        str | None,
        typer.Option(
            "--hash", help="hash (or prefix) you read with `drafts show`; refused if it changed"
        ),
    ] = None,
    comment: Annotated[str, typer.Option("--comment")] = "",
) -> None:
    """Approve the current version of a draft."""
    draft = _find(incident_id, draft_id)
    if expected_hash and not draft.content_hash.startswith(expected_hash):
        fail(f"draft {draft_id} changed since you read it (now v{draft.version}); read it again")

    async def body() -> None:
        result = await (await incidents()).approve(
            incident_id,
            ApproveDraftInput(
                draft_id=draft_id,
                approver=approver,
                content_hash=draft.content_hash,
                comment=comment,
            ),
        )
        typer.echo(
            f"{result.draft_id} v{result.version}: {result.state} "
            f"({result.approvals}/{result.approvals_required} approvals)"
        )

    run(body)


@app.command("request-changes")
def request_changes(
    incident_id: str,
    draft_id: str,
    comment: Annotated[str, typer.Option("--comment")],
    reviewer: Annotated[str | None, typer.Option("--as")] = None,
) -> None:
    """Send a draft back with a comment."""

    async def body() -> None:
        result = await (await incidents()).request_changes(
            incident_id,
            RequestChangesInput(
                draft_id=draft_id, reviewer=reviewer or default_actor(), comment=comment
            ),
        )
        typer.echo(f"{result.draft_id} v{result.version}: {result.state}")

    run(body)


@app.command("revise")
def revise(
    incident_id: str,
    draft_id: str,
    body_file: Annotated[
        Path, typer.Option("--body-file", help="the new text ('-' reads standard input)")
    ],
    author: Annotated[str, typer.Option("--as", help="who wrote it (cannot approve it)")],
    subject: Annotated[str | None, typer.Option("--subject")] = None,
) -> None:
    """Write a new version of a draft; its required content is checked again."""
    body = sys.stdin.read() if str(body_file) == "-" else body_file.read_text(encoding="utf-8")
    current = _find(incident_id, draft_id)

    async def body_() -> None:
        result = await (await incidents()).revise(
            incident_id,
            ReviseDraftInput(
                draft_id=draft_id,
                author=author,
                subject=subject if subject is not None else current.subject,
                body=body,
            ),
        )
        typer.echo(f"{result.draft_id} v{result.version}: {result.state}")

    run(body_)
