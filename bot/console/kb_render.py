"""How entry texts are shown to staff: Markdown previews that cannot run anything, diffs."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML in an entry is shown as text, never as markup; link targets such as javascript:
# are refused by markdown-it itself; images are off (entries have none, and an image address
# is a way to call out of the console).
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_preview(text: str) -> Markup:
    """An entry body as HTML that is safe to put in a page as it is."""
    # Trusted as markup because markdown-it escaped every raw HTML tag in it.
    return Markup(_MARKDOWN.render(text))


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "add", "remove", "same" or "hunk" (where a changed part starts)
    text: str


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """A unified diff of two entry files, line by line, for a template to colour."""
    lines = []
    for line in difflib.unified_diff(old.splitlines(), new.splitlines(), lineterm="", n=context):
        if line.startswith(("---", "+++")):
            continue
        if line.startswith("@@"):
            lines.append(DiffLine("hunk", line))
        elif line.startswith("+"):
            lines.append(DiffLine("add", line[1:]))
        elif line.startswith("-"):
            lines.append(DiffLine("remove", line[1:]))
        else:
            lines.append(DiffLine("same", line[1:]))
    return lines
