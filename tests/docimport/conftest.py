"""Fixtures of the document-import tests: the seed plans (copied into fixtures/seeds so the repository
is self-contained), other cities' variations, and a unit registry built from a name → aliases table."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from kepu.plans.docimport import UnitMatch, normalize_unit_name

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = FIXTURES / "seeds"
VARIATIONS = FIXTURES / "variations"

SEED_FILES = {
    "000": "000_a61e9baebdf1e2df.txt",
    "001": "001_2a5bcda85a18ca40.txt",
    "002": "002_e666ee20ab0bd06c.txt",
    "004": "004_8aa39966f30dee6c.txt",
}

Resolver = Callable[[str], UnitMatch | None]


def resolver_from_aliases(table: dict[str, Iterable[str]]) -> Resolver:
    """A registry lookup for tests: each official name with its aliases, matched after normalising."""
    index: dict[str, UnitMatch] = {}
    for number, (name, aliases) in enumerate(table.items(), start=1):
        match = UnitMatch(unit_id=number, name=name)
        for alias in (name, *aliases):
            index[normalize_unit_name(alias)] = match
    return lambda written: index.get(normalize_unit_name(written))


def kunshan_units() -> list[dict[str, object]]:
    data = json.loads((FIXTURES / "kunshan_units.json").read_text(encoding="utf-8"))
    units: list[dict[str, object]] = data["units"]
    return units


@pytest.fixture(scope="session")
def kunshan_resolver() -> Resolver:
    index: dict[str, UnitMatch] = {}
    for unit in kunshan_units():
        match = UnitMatch(unit_id=str(unit["code"]), name=str(unit["name"]))
        aliases = unit["aliases"]
        assert isinstance(aliases, list)
        for alias in (unit["name"], unit["short_name"], *aliases):
            index[normalize_unit_name(str(alias))] = match
    return lambda written: index.get(normalize_unit_name(written))


@pytest.fixture(scope="session")
def seed_text() -> Callable[[str], str]:
    """seed_text("002") → the text of the seed document (from the copy in fixtures/seeds)."""

    def read(key: str) -> str:
        return (SEEDS / SEED_FILES[key]).read_text(encoding="utf-8")

    return read
