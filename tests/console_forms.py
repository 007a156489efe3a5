"""Reading the console's server-rendered forms back, as a browser would submit them."""

from __future__ import annotations

import html
import re

_INPUT = re.compile(r"<input\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-z_-]+)(?:="([^"]*)")?')
_TEXTAREA = re.compile(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', re.S)


def form_fields(page: str) -> dict[str, str]:
    """Every named input, hidden field and textarea of a page; a checkbox only if ticked."""
    fields: dict[str, str] = {}
    for tag in _INPUT.findall(page):
        attributes = {k: v for k, v in _ATTRIBUTE.findall(tag)}
        if "name" not in attributes:
            continue
        if attributes.get("type") == "checkbox" and "checked" not in attributes:
            continue
        fields[attributes["name"]] = html.unescape(attributes.get("value", ""))
    fields.update({name: html.unescape(text) for name, text in _TEXTAREA.findall(page)})
    return fields
