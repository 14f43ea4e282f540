"""Rendering: turn obligations into drafts from sandboxed Jinja2 templates (public API).

Templates live at `templates/<regime>/<audience>/<channel>.<lang>.<format>.j2` and are
resolved (regime, lang) -> (_default, lang) -> (regime, en) -> (_default, en); a draft's
`language` is the language actually rendered. The format is "txt" for every channel but WEB
("html"); the HTML part of an email and the PDF of a letter are laid out from the approved
text (`herald.rendering.layout`), not written as templates of their own.

Subject convention: an email template's output starts with one line `Subject: <text>`; the
renderer moves it to `RenderedDraft.subject` (whitespace collapsed to one line) and the rest,
leading blank lines dropped, is the body. Report templates may carry a subject too; no other
channel may.

Responder free text (title, description, remediation) reaches templates only as data:
templates are loaded by resolved name from the templates folder, never built from a string,
so such text is printed literally and cannot run template code; `.html` templates escape it.

The implementation lives in `herald.rendering`; required content in `herald.content`.
"""

from __future__ import annotations

from herald.content import check_required_content
from herald.rendering.context import NoticeDetails
from herald.rendering.drafts import SUBJECT_PREFIX, RenderOutcome, render_all, render_drafts
from herald.rendering.sms import SmsEncoding, sms_segments
from herald.rendering.templates import (
    CHANNEL_FORMAT,
    DEFAULT_REGIME,
    TemplateContractError,
    resolve_template,
)

__all__ = [
    "CHANNEL_FORMAT",
    "DEFAULT_REGIME",
    "SUBJECT_PREFIX",
    "NoticeDetails",
    "RenderOutcome",
    "SmsEncoding",
    "TemplateContractError",
    "check_required_content",
    "render_all",
    "render_drafts",
    "resolve_template",
    "sms_segments",
]
