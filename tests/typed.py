"""Posting a form that must be refused, and reading the re-rendered form back: what a field holds and the
error shown right under it."""

from __future__ import annotations

import html
import re
from typing import Any

TEXTAREA = re.compile(r'<textarea([^>]*)>(.*?)</textarea>\s*((?:<div class="invalid-feedback[^"]*">.*?</div>)?)', re.S)


def field_state(response: Any, name: str, id: str = "") -> tuple[str, str]:
    """(the text kept in the textarea `name` — the one with `id` when several share the name —, the error
    shown directly after it) on the page."""
    for match in TEXTAREA.finditer(response.content.decode()):
        attributes = match.group(1)
        if f'name="{name}"' in attributes and (not id or f'id="{id}"' in attributes):
            text = match.group(2).removeprefix("\n")  # a browser drops the newline right after <textarea>
            error = re.sub(r"<[^>]+>", "", match.group(3))
            return html.unescape(text), html.unescape(error).strip()
    raise AssertionError(f"no field {name!r} on the page")


def input_state(response: Any, name: str) -> tuple[str, str]:
    """(the value kept in the single-line input `name`, the error shown right after it)."""
    pattern = r'<input([^>]*name="' + re.escape(name) + r'"[^>]*)>\s*((?:<div class="invalid-feedback[^"]*">.*?</div>)?)'
    match = re.search(pattern, response.content.decode(), re.S)
    if match is None:
        raise AssertionError(f"no input {name!r} on the page")
    value = re.search(r'value="([^"]*)"', match.group(1))
    error = re.sub(r"<[^>]+>", "", match.group(2))
    return html.unescape(value.group(1) if value else ""), html.unescape(error).strip()


def refused_post(client: Any, url: str, data: dict[str, str]) -> Any:
    """POST `data` to `url` and check it was refused the way a form should be: the page comes back (no
    redirect that would lose what was typed) and nothing in the database changed."""
    from tests.test_authorization import db_fingerprint

    before = db_fingerprint()
    response = client.post(url, data)
    assert response.status_code == 200, "the page comes back, not a redirect"
    assert db_fingerprint() == before, "nothing saved"
    return response
