"""Page-numbered lists for the API: ninja's pagination with the page number bounded, so a page past any
list (``page=9223372036854775813``) is refused as invalid (422) instead of reaching the database as an
OFFSET it cannot hold."""

from __future__ import annotations

from typing import Any

from ninja import Field, Query, Schema
from ninja.pagination import PageNumberPagination

# A million pages of 100 rows is past every list kepu keeps, and an OFFSET every database takes.
MAX_PAGE = 1_000_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)

# The years kepu's records can have (plans, surveys, service records): a query outside is refused (422).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def year_query(note: str = "") -> Any:
    """A ``year`` query parameter, optional, within the years kepu keeps; ``note`` says what omitting it means."""
    return Query(None, ge=FIRST_YEAR, le=LAST_YEAR,
                 description=f"年度（{FIRST_YEAR}—{LAST_YEAR}）" + (f"，{note}" if note else ""))
