"""Template lookup and the sandboxed Jinja2 environment.

Templates live at `<root>/<regime>/<audience>/<channel>.<lang>.<format>.j2`. The format is
"txt" for every channel but WEB ("html"). The layouts in `_layouts/` (the HTML email part,
the letter) are not draft templates: `scan` does not list them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from herald.models.vocabulary import Audience, Channel
from herald.rendering import filters
from herald.rendering.l10n import FALLBACK_LANGUAGE
from herald.settings import get_settings

DEFAULT_REGIME = "_default"
CHANNEL_FORMAT: dict[Channel, str] = dict.fromkeys(Channel, "txt") | {Channel.WEB: "html"}


class TemplateContractError(ValueError):
    """A template broke the rendering contract (no subject, no recipient token, None printed)."""


def scan(root: Path) -> frozenset[str]:
    """Every template name under root, as `<regime>/<audience>/<file>`.

    Only names found here are ever loaded, so a language or regime string taken from data
    can select among existing files but never name a path of its own.
    """
    return frozenset(p.relative_to(root).as_posix() for p in root.glob("*/*/*.j2") if p.is_file())


def languages(
    names: frozenset[str], regime: str, audience: str, channel: str, fmt: str
) -> set[str]:
    """Languages that have a template for exactly this regime, audience, channel and format."""
    prefix, suffix = f"{regime}/{audience}/{channel}.", f".{fmt}.j2"
    return {
        name[len(prefix) : -len(suffix)]
        for name in names
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix + suffix)
    }


def resolve(
    names: frozenset[str], regime: str, audience: str, channel: str, language: str, fmt: str
) -> tuple[str, str] | None:
    """Follow (regime, lang) -> (_default, lang) -> (regime, en) -> (_default, en).

    The requested language wins over the regime: a reader is better served by a generic
    notice they can read (which the content check then holds to the regime's elements)
    than by the regime's wording in a language they may not.

    Returns:
        (template name, language it is written in), or None.
    """
    chain = (
        (regime, language),
        (DEFAULT_REGIME, language),
        (regime, FALLBACK_LANGUAGE),
        (DEFAULT_REGIME, FALLBACK_LANGUAGE),
    )
    for folder, lang in chain:
        name = f"{folder}/{audience}/{channel}.{lang}.{fmt}.j2"
        if name in names:
            return name, lang
    return None


def resolve_template(
    regime: str,
    audience: Audience | str,
    channel: Channel | str,
    language: str,
    *,
    fmt: str | None = None,
    templates_dir: Path | None = None,
) -> tuple[str, str] | None:
    """Find the template for one draft, following the regime -> language -> default chain.

    Args:
        regime: e.g. "gdpr".
        audience: e.g. "individuals".
        channel: e.g. "email".
        language: the exact language wanted, as templates are named (e.g. "zh-CN").
        fmt: "txt" or "html"; defaults to the channel's `CHANNEL_FORMAT`.
        templates_dir: defaults to `get_settings().templates_dir`.

    Returns:
        (template name relative to the folder, language it is written in), or None.
    """
    root = (templates_dir or get_settings().templates_dir).resolve()
    fmt = fmt or CHANNEL_FORMAT[Channel(channel)]
    return resolve(scan(root), regime, str(audience), str(channel), language, fmt)


def _no_none(value: object) -> object:
    # A notice must never say "None": templates guard optional values explicitly.
    if value is None:
        raise TemplateContractError("a template printed None; guard optional values")
    return value


def _oneline(value: object) -> str:
    return " ".join(str(value).split())


@lru_cache(maxsize=8)
def environment(root: Path) -> SandboxedEnvironment:
    """The sandboxed environment for one templates folder (cached per folder).

    Autoescaping is on for `.html` templates only: plain-text notices must show responder
    text exactly as written, web pages must not let it become markup.
    """
    env = SandboxedEnvironment(
        loader=FileSystemLoader(root),
        autoescape=select_autoescape(enabled_extensions=("html.j2", "html"), default=False),
        undefined=StrictUndefined,
        finalize=_no_none,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["oneline"] = _oneline
    env.filters["lines"] = filters.lines
    env.filters["linked"] = filters.linked
    env.filters["css_string"] = filters.css_string
    return env
