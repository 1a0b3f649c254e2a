"""Reading a re-rendered form back: what a field holds and the error shown right under it."""

from __future__ import annotations

import html
import re
from typing import Any


def field_state(response: Any, name: str) -> tuple[str, str]:
    """(the text kept in the textarea/input `name`, the error shown directly after it) on the page."""
    page = response.content.decode()
    textarea = re.search(r'<textarea[^>]*name="%s"[^>]*>(.*?)</textarea>\s*((?:<div class="invalid-feedback[^"]*">.*?</div>)?)'
                         % re.escape(name), page, re.S)
    if textarea is None:
        raise AssertionError(f"no field {name!r} on the page")
    error = re.sub(r"<[^>]+>", "", textarea.group(2))
    return html.unescape(textarea.group(1)), html.unescape(error).strip()
