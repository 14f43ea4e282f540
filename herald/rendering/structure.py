"""The structure of a notice's plain text, as the HTML email and PDF letter layouts read it.

Notices are written and approved as plain text with a small, fixed structure (see
`templates/README.md`): a title underlined with "=", section headings underlined with "-",
list items starting with "- ", paragraphs separated by blank lines. Deriving the HTML and
the PDF from the approved text, instead of keeping separate HTML templates, means every
format says exactly what the approvers read: there is one text, one hash.

Nothing else is markup. Responder text that happens to contain "=" or "<b>" stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

BlockKind = Literal["title", "heading", "paragraph", "list"]

_ITEM = re.compile(r"^\s*[-*•] (.*)$")
_UNDERLINE = {"=": "title", "-": "heading"}


@dataclass(frozen=True)
class Block:
    """One block of a notice: a title, a heading, a paragraph (its lines) or a list (items)."""

    kind: BlockKind
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        """The block's lines joined by line breaks."""
        return "\n".join(self.lines)


def _underline(line: str) -> BlockKind | None:
    stripped = line.strip()
    if len(stripped) >= 3 and len(set(stripped)) == 1 and stripped[0] in _UNDERLINE:
        return "title" if stripped[0] == "=" else "heading"
    return None


def parse(text: str) -> list[Block]:
    """Split a notice into blocks.

    A line followed by an underline of "=" or "-" (three or more) is a title or heading;
    consecutive "- " lines form one list (an indented line after an item continues it);
    other runs of non-blank lines are paragraphs whose line breaks are kept.

    Args:
        text: the approved notice body.

    Returns:
        The blocks in order; an empty text gives no blocks.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", tuple(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(Block("list", tuple(items)))
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        kind = _underline(following) if line.strip() else None
        item = _ITEM.match(line)
        if kind is not None and not item:
            flush()
            blocks.append(Block(kind, (line.strip(),)))
            index += 2
            continue
        if not line.strip():
            flush()
        elif item:
            if paragraph:
                flush()
            items.append(item.group(1).strip())
        elif items and line.startswith((" ", "\t")):
            items[-1] = f"{items[-1]}\n{line.strip()}"
        else:
            if items:
                flush()
            paragraph.append(line.strip())
        index += 1
    flush()
    return blocks
