"""Two real web processes behind one Redis (KEPU_REDIS_URL): a session made by one is good in the other,
and a sign-in lockout counted half in one and half in the other holds in both.

Each process is gunicorn serving config.wsgi, on a socket this test opened on a port the system chose
(handed over as fd://N, so no port can be taken in between), against this test's own database (the
test database, with the rows committed: a transactional test) and a Redis key prefix of its own. The
processes are ended when the test ends, however it ends. Fails, not skips, when Redis is absent.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import redis
from django.conf import settings
from django.db import connection

from kepu.org.models import RoleAssignment, User

BASE_DIR = Path(settings.BASE_DIR)
REDIS_URL = os.environ.get("KEPU_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PASSWORD = "Zhong#Guo2026kp"
START_SECONDS = 120  # a loaded machine takes a while to import the platform; never longer than this
FAILURES = 5


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        for header in self.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        return {name: morsel.value for name, morsel in jar.items()}


@dataclass
class WebProcess:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def request(self, method: str, path: str, *, cookies: dict[str, str] | None = None,
                form: dict[str, str] | None = None) -> Answer:
        headers = {"Host": "127.0.0.1"}
        if cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        link = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            link.request(method, path, body=body, headers=headers)
            response = link.getresponse()
            return Answer(response.status, response.msg, response.read().decode("utf-8", "replace"))
        finally:
            link.close()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""


def _database_url() -> str:
    """The test database this test writes to, as the web processes must see it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    assert connection.vendor == "postgresql"
    credentials = quote(db["USER"] or "", safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"


def _start(name: str, environment: dict[str, str], log_dir: Path) -> WebProcess:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    port = listener.getsockname()[1]
    log = log_dir / f"{name}.log"
    fd = listener.fileno()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "1", "--bind", f"fd://{fd}",
             "--timeout", "60", "--graceful-timeout", "2", "--error-logfile", "-", "--access-logfile", "-"],
            cwd=BASE_DIR, env=environment, stdout=out, stderr=subprocess.STDOUT, pass_fds=(fd,),
            start_new_session=True)
    listener.close()  # the child holds its own copy of the socket
    return WebProcess(name, port, process, log)


def _wait_ready(web: WebProcess, deadline: float) -> None:
    while True:
        if web.process.poll() is not None:
            pytest.fail(f"web process {web.name} exited ({web.process.returncode}):\n{web.log_tail()}")
        try:
            if web.request("GET", "/health/").status == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"web process {web.name} not ready in {START_SECONDS} s:\n{web.log_tail()}")
        time.sleep(0.5)


def _stop(web: WebProcess) -> None:
    if web.process.poll() is None:
        os.killpg(web.process.pid, 15)
        try:
            web.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(web.process.pid, 9)
            web.process.wait(timeout=15)


@pytest.fixture
def shared_redis() -> Iterator[tuple[redis.Redis, str]]:
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # Redis must be there: an error here fails the test
    prefix = f"kepu-test-{uuid.uuid4().hex}"
    yield client, prefix
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def two_processes(transactional_db: Any, shared_redis: tuple[redis.Redis, str],
                  tmp_path: Path) -> Iterator[tuple[WebProcess, WebProcess]]:
    _, prefix = shared_redis
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    environment.update({
        "DATABASE_URL": _database_url(), "KEPU_REDIS_URL": REDIS_URL, "KEPU_REDIS_PREFIX": prefix,
        "PYTHONPATH": str(BASE_DIR), "DJANGO_SETTINGS_MODULE": "config.settings", "KEPU_DEBUG": "0",
        "KEPU_LOCKOUT_FAILURES": str(FAILURES), "KEPU_LOCKOUT_SECONDS": "900", "KEPU_PASSWORD_MAX_AGE_DAYS": "0",
        "KEPU_DB_CONN_MAX_AGE": "0",
    })
    started: list[WebProcess] = []
    try:
        for name in ("a", "b"):
            started.append(_start(name, environment, tmp_path))
        deadline = time.monotonic() + START_SECONDS
        for web in started:
            _wait_ready(web, deadline)
        yield started[0], started[1]
    finally:
        for web in started:
            _stop(web)


def _login_form(web: WebProcess) -> tuple[dict[str, str], str]:
    """(cookies, CSRF token) of the sign-in page."""
    page = web.request("GET", "/login/")
    assert page.status == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "the sign-in form carries a CSRF token"
    return page.cookies(), token.group(1)


def _sign_in(web: WebProcess, csrf: tuple[dict[str, str], str], username: str, password: str) -> Answer:
    cookies, token = csrf
    return web.request("POST", "/login/", cookies=cookies,
                       form={"csrfmiddlewaretoken": token, "username": username, "password": password, "next": ""})


def _user(username: str) -> None:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name="测试用户")
    RoleAssignment.objects.create(user=user, role="public")


def test_a_session_and_a_lockout_hold_across_two_web_processes(
        two_processes: tuple[WebProcess, WebProcess], shared_redis: tuple[redis.Redis, str]) -> None:
    a, b = two_processes
    client, prefix = shared_redis
    _user("liangjin")
    _user("zhaoyun")

    # A session made by process A is good in process B (and lives in Redis, not in either process).
    csrf = _login_form(a)
    signed_in = _sign_in(a, csrf, "liangjin", PASSWORD)
    assert signed_in.status == 302, signed_in.text[:500]
    session = signed_in.cookies()["sessionid"]
    assert client.exists(f"{prefix}:1:django.contrib.sessions.cached_db{session}")
    page = b.request("GET", "/account/security/", cookies={**csrf[0], "sessionid": session})
    assert page.status == 200 and "账号安全" in page.text, "B knows the session A made"
    assert b.request("GET", "/account/security/").status == 302, "without the cookie B sends to the sign-in page"

    # Wrong passwords for one account from one address, split across A and B, are one count.
    messages = []
    for web in (a, a, a, b):
        answer = _sign_in(web, _login_form(web), "zhaoyun", "wrong-password")
        assert answer.status == 200 and "sessionid" not in answer.cookies()
        messages.append(re.search(r"再错 (\d) 次", answer.text))
    assert [m.group(1) if m else None for m in messages] == ["4", "3", "2", "1"], "B counts on from A's three"
    locked = _sign_in(a, _login_form(a), "zhaoyun", "wrong-password")
    assert locked.status == 200 and f"连续登录失败 {FAILURES} 次，账号已锁定" in locked.text
    # The lock set through A holds in B, even for the right password.
    refused = _sign_in(b, _login_form(b), "zhaoyun", PASSWORD)
    assert refused.status == 200 and "账号已锁定" in refused.text and "sessionid" not in refused.cookies()
    # Another account at the same address is not locked.
    assert _sign_in(b, _login_form(b), "liangjin", PASSWORD).status == 302
