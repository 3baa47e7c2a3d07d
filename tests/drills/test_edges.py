"""Issue 11 drills at the edges, against real gunicorn processes started exactly as
`make run` and docs/OPERATIONS.md start them: no client address in any log, and one
rate limiter shared by every app process through memcached, leaving nothing on disk."""

from __future__ import annotations

import http.client
import re
from pathlib import Path

import pytest

from tests.drills import edges

pytestmark = pytest.mark.slow

SOURCE = "127.33.44.55"  # a distinctive loopback address the requests come from
NEEDLES = [SOURCE, "127.33.44", "33.44.55"]


def provoke_every_error(port: int, headers: str = "") -> None:
    host = f"Host: 127.0.0.1:{port}\r\n{headers}"
    replies = {
        "malformed request line": edges.raw_request(port, b"GARBAGE\r\n\r\n", SOURCE),
        "bad HTTP version": edges.raw_request(port, b"GET / HTTP/9.9\r\n" + host.encode() + b"\r\n", SOURCE),
        "oversized header": edges.raw_request(
            port, b"GET / HTTP/1.1\r\n" + host.encode() + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n", SOURCE
        ),
        "bad header name": edges.raw_request(port, b"GET / HTTP/1.1\r\n" + host.encode() + b"B@d: x\r\n\r\n", SOURCE),
        "500 inside a view": edges.raw_request(
            port, b"GET /boom/ HTTP/1.1\r\n" + host.encode() + b"Connection: close\r\n\r\n", SOURCE
        ),
        "404 on a participant path": edges.raw_request(
            port, b"GET /p/nope/r/SECRETCODE/ HTTP/1.1\r\n" + host.encode() + b"Connection: close\r\n\r\n", SOURCE
        ),
    }
    statuses = {what: edges.status_of(reply) for what, reply in replies.items()}
    assert statuses["malformed request line"] == 400
    assert statuses["bad HTTP version"] == 400
    assert statuses["oversized header"] in (400, 431)
    assert statuses["bad header name"] == 400
    assert statuses["500 inside a view"] == 500
    assert statuses["404 on a participant path"] == 404


def every_log_byte(*places: Path) -> bytes:
    chunks = []
    for place in places:
        files = [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]
        chunks += [f.read_bytes() for f in files]
    return b"\n".join(chunks)


@pytest.mark.parametrize("where", ["make run", "production"], ids=["make-run", "production"])
def test_it_logs_no_client_address(tmp_path, where):
    data = tmp_path / "data"
    log_file = tmp_path / "app.log"
    extra = {"DJANGO_SETTINGS_MODULE": "tests.drills.boom_settings", "CONCERTED_LOG_FILE": str(log_file)}
    headers = ""
    if where == "production":
        extra |= {
            "CONCERTED_SECRET_KEY": "p" * 64,
            "CONCERTED_HTTPS": "true",
            "CONCERTED_BEHIND_PROXY": "true",
            "CONCERTED_CLIENT_IP_HEADER": "X-Forwarded-For",
            "CONCERTED_ALLOWED_HOSTS": "127.0.0.1",
        }
        # What the TLS proxy in front would add.
        headers = f"X-Forwarded-Proto: https\r\nX-Forwarded-For: {SOURCE}\r\n"
    env = edges.base_env(data, **extra)
    edges.manage(env, "migrate", "--noinput", "-v0")
    server_log = tmp_path / "gunicorn.log"
    with edges.gunicorn(env, edges.documented_gunicorn_args(where), server_log) as port:
        provoke_every_error(port, headers)
    logs = every_log_byte(server_log, log_file, data)
    # The drill can fail: the errors were logged, just without the address.
    text = logs.decode("utf-8", "replace")
    assert "Invalid request" in text or "Invalid HTTP" in text, text[-2000:]
    assert "view failed for peer" in text, text[-2000:]
    for needle in NEEDLES:
        assert needle.encode() not in logs, f"{needle} in the logs ({where}): {text[-3000:]}"
    assert "SECRETCODE" not in text


def login(port: int, username: str, password: str) -> int:
    conn = http.client.HTTPConnection(edges.HOST, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    page = conn.getresponse()
    body = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    form = f"csrfmiddlewaretoken={token}&username={username}&password={password}"
    conn.request(
        "POST",
        "/accounts/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Origin": f"http://{edges.HOST}:{port}",
            "Sec-Fetch-Site": "same-origin",
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def test_two_app_processes_share_one_limiter_in_memory_only(tmp_path):
    data = tmp_path / "data"
    with edges.memcached(tmp_path) as location:
        env = edges.base_env(data, CONCERTED_RATELIMIT_MEMCACHED=location)
        edges.manage(env, "migrate", "--noinput", "-v0")
        edges.manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_user('drill', password='x' * 20)",
        )
        args = edges.documented_gunicorn_args("make run")
        with (
            edges.gunicorn(env, args, tmp_path / "a.log") as port_a,
            edges.gunicorn(env, args, tmp_path / "b.log") as port_b,
        ):
            statuses = [login(port_a if i % 2 else port_b, "drill", f"wrong-{i}") for i in range(50)]
    assert statuses[:10] == [200] * 10, statuses  # the form again, with "wrong password"
    assert statuses[10:] == [429] * 40, statuses
    # Nothing of the limiter on disk: no counter key, no limiter key, no address.
    on_disk = every_log_byte(data)
    for needle in (b"limiter-key", b"concerted-rl", b":1:rl:", b"127.0.0.1"):
        assert needle not in on_disk, needle


def test_it_answers_head_with_no_body_on_a_kept_alive_connection(tmp_path):
    """gunicorn sends whatever body the app gives a HEAD response; a client reading the
    next response on the same connection then starts in the middle of a page."""
    env = edges.base_env(tmp_path / "data")
    edges.manage(env, "migrate", "--noinput", "-v0")
    with edges.gunicorn(env, edges.documented_gunicorn_args("make run"), tmp_path / "gunicorn.log") as port:
        conn = http.client.HTTPConnection(edges.HOST, port, timeout=30)
        for path in ("/en/", "/en/p/nosuchcode/", "/en/privacy/"):
            conn.request("HEAD", path)
            head = conn.getresponse()
            head.read()  # http.client reads no body for HEAD, whatever Content-Length says
            conn.request("GET", path)  # the same connection: it fails if a body followed the HEAD
            get = conn.getresponse()
            body = get.read()
            assert (head.status, head.getheader("Content-Type")) == (get.status, get.getheader("Content-Type"))
            assert body.lower().startswith(b"<!doctype html>"), body[:100]
        conn.close()
        reply = edges.raw_request(
            port, f"HEAD /en/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
        )
    headers, _sep, rest = reply.partition(b"\r\n\r\n")
    assert edges.status_of(headers) == 200 and rest == b"", reply[-300:]
