"""The throwaway PostgreSQL database a benchmark fills and drops.

Its name comes from the environment (`KEPU_BENCH_DB`), or else is derived from the user and the
checkout's path: two checkouts (or two people) on one database server never drop each other's
benchmark database, as a fixed name like ``kepu_bench`` would.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

CHECKOUT = Path(__file__).resolve().parent.parent


def database_name(kind: str) -> str:
    """KEPU_BENCH_DB if set, else ``kepu_bench_<kind>_<user>_<hash of the checkout path>``."""
    name = os.environ.get("KEPU_BENCH_DB", "").strip()
    if not name:
        user = re.sub(r"[^a-z0-9]", "", getpass.getuser().lower())[:16] or "user"
        tag = hashlib.sha1(str(CHECKOUT).encode()).hexdigest()[:8]
        name = f"kepu_bench_{kind}_{user}_{tag}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise SystemExit(f"KEPU_BENCH_DB={name!r}: use lower-case letters, digits and _ (at most 63)")
    return name


def url_for(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _admin(url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(url_for(url, "postgres"), autocommit=True) as conn:
        conn.execute(sql)


def create_database(url: str, name: str) -> str:
    """A fresh, empty database `name` beside the one `url` names; returns its URL."""
    _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _admin(url, f"CREATE DATABASE {name}")
    return url_for(url, name)


def drop_database(url: str, name: str) -> None:
    _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
