"""Jinja2 filters of the layouts: escaping that keeps line breaks, links, CSS strings."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def lines(value: object) -> Markup:
    """Escape, then keep the text's line breaks as <br>."""
    return Markup("<br>\n").join(escape(value).split("\n"))


def linked(value: object) -> Markup:
    """Escape, then link http(s) addresses; anything else stays text."""
    text = str(value)
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group(0)
        out += [escape(text[last : match.start()]), Markup('<a href="{0}">{0}</a>').format(url)]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def css_string(value: object) -> Markup:
    """A value for a quoted CSS string inside <style>, where HTML entities are not decoded."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return Markup(text.replace("<", "\\3C ").replace(">", "\\3E "))
