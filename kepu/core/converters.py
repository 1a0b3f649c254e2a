"""URL converters. `<id:…>` is the row-id converter every URL uses: digits that fit the database's
id columns. A longer number matches no URL (404) instead of reaching the database, which would refuse
an integer past its column's range with a server error."""

from __future__ import annotations

MAX_ID = 2**31 - 1


class IdConverter:
    regex = "[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise ValueError("past any row id")  # Django answers 404
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
