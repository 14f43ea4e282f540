"""Activities around the pure rules engine and the renderer."""

from __future__ import annotations

from temporalio import activity

from herald.impact import judge
from herald.models.messages import (
    EvaluateObligationsInput,
    EvaluateObligationsResult,
    RenderDraftsInput,
    RenderDraftsResult,
)
from herald.render import render_all
from herald.settings import Settings


class ObligationActivities:
    """Obligations and drafts. Pure functions, run as activities so that a rules or template
    change never alters the history of a running incident (replay safety)."""

    def __init__(self, settings: Settings) -> None:
        """Bind to the settings that locate the templates."""
        self._settings = settings

    @activity.defn
    def evaluate_obligations(self, inp: EvaluateObligationsInput) -> EvaluateObligationsResult:
        """Judge the facts (with the assessed population) under every regime."""
        facts, assessment, evaluation = judge(inp.facts, inp.assessment, notified=inp.notified)
        return EvaluateObligationsResult(facts=facts, assessment=assessment, evaluation=evaluation)

    @activity.defn
    def render_drafts(self, inp: RenderDraftsInput) -> RenderDraftsResult:
        """Render every draft the obligations call for."""
        outcome = render_all(
            incident_id=inp.incident_id,
            facts=inp.facts,
            obligations=inp.obligations,
            assessment=inp.assessment,
            channel_order=inp.channel_order,
            templates_dir=self._settings.templates_dir,
            limits=inp.limits,
        )
        return RenderDraftsResult(drafts=outcome.drafts, skipped=outcome.skipped)
