"""Production settings come from the environment only, and refuse to start without the essentials."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_KEY = "A" * 43  # 32 bytes in URL-safe base64
PROBE = ("import django, json; from django.conf import settings; django.setup(); "
         "print(json.dumps([settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
         "settings.SECURE_HSTS_SECONDS, settings.ALLOWED_HOSTS, settings.DATABASES['default']['ENGINE'], "
         "settings.TASKS['default']['BACKEND']]))")


def _settings(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KEPU_", "DATABASE_URL"))}
    return subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **env}, check=False)


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _settings({"KEPU_ENV": "production", "KEPU_ALLOWED_HOSTS": "kepu.example.gov.cn"})
    assert result.returncode != 0 and "KEPU_SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_a_data_key() -> None:
    result = _settings({"KEPU_ENV": "production", "KEPU_SECRET_KEY": "x" * 50,
                        "KEPU_ALLOWED_HOSTS": "kepu.example.gov.cn"})
    assert result.returncode != 0 and "KEPU_DATA_KEY" in result.stderr


def test_production_refuses_to_start_with_a_malformed_data_key() -> None:
    for bad in ("short", "A" * 42 + "!", "A" * 60):
        result = _settings({"KEPU_ENV": "production", "KEPU_SECRET_KEY": "x" * 50, "KEPU_DATA_KEY": bad,
                            "KEPU_ALLOWED_HOSTS": "kepu.example.gov.cn", "DATABASE_URL": "postgres://h/kepu"})
        assert result.returncode != 0 and "KEPU_DATA_KEY" in result.stderr and "32" in result.stderr


def test_production_refuses_to_start_without_a_database_url() -> None:
    env = {"KEPU_ENV": "production", "KEPU_SECRET_KEY": "x" * 50, "KEPU_DATA_KEY": DATA_KEY,
           "KEPU_ALLOWED_HOSTS": "kepu.example.gov.cn"}
    result = _settings(env)
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr


def test_production_runs_on_sqlite_only_when_asked(tmp_path: Path) -> None:
    result = _settings({"KEPU_ENV": "production", "KEPU_SECRET_KEY": "x" * 50, "KEPU_DATA_KEY": DATA_KEY,
                        "KEPU_ALLOWED_HOSTS": "kepu.example.gov.cn", "KEPU_ALLOW_SQLITE": "1",
                        "KEPU_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert '"django.db.backends.sqlite3"' in result.stdout and result.stdout.startswith("[false")


def test_production_refuses_to_start_without_allowed_hosts() -> None:
    result = _settings({"KEPU_ENV": "production", "KEPU_SECRET_KEY": "x" * 50, "KEPU_DATA_KEY": DATA_KEY,
                        "DATABASE_URL": "postgres://h/kepu"})
    assert result.returncode != 0 and "KEPU_ALLOWED_HOSTS" in result.stderr


def test_production_takes_everything_from_the_environment() -> None:
    result = _settings({
        "KEPU_ENV": "production", "KEPU_SECRET_KEY": "x" * 50, "KEPU_ALLOWED_HOSTS": "kepu.example.gov.cn",
        "KEPU_DATA_KEY": DATA_KEY,
        "DATABASE_URL": "postgres://kepu:secret@db.internal:5432/kepu",
        "KEPU_TASK_BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
    })
    assert result.returncode == 0, result.stderr
    import json

    debug, session_secure, csrf_secure, hsts, hosts, engine, tasks = json.loads(result.stdout)
    assert (debug, session_secure, csrf_secure) == (False, True, True) and hsts >= 31536000
    assert hosts == ["kepu.example.gov.cn"] and engine == "django.db.backends.postgresql"
    assert tasks == "django.tasks.backends.immediate.ImmediateBackend"
