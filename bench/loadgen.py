"""A small asyncio HTTP/1.1 load generator (standard library only).

Each client signs in a closed loop, as a phone would: GET the sign page (CSRF cookie and
form token), then POST the form, a new TCP connection per request. Everything is
bounded: a time limit and a signature limit, and only 127.0.0.1 is ever contacted."""

from __future__ import annotations

import asyncio
import itertools
import re
import resource
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

HOST = "127.0.0.1"
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
COOKIE_RE = re.compile(r"csrftoken=([^;]+)")
RECEIPT_RE = re.compile(r"/r/([A-Z2-7]{26})/")


@dataclass
class Result:
    concurrency: int
    seconds: float = 0.0
    ok: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    post_latencies: list[float] = field(default_factory=list)  # the signing POST
    flow_latencies: list[float] = field(default_factory=list)  # GET + POST
    receipts: list[tuple[str, str]] = field(default_factory=list)  # (receipt code, contact)
    attempted: list[str] = field(default_factory=list)  # every contact ever POSTed
    generator_cpu: float = 0.0

    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


def run_async(make: Callable[[], Coroutine[Any, Any, Any]]) -> Any:
    """Run a coroutine on a fresh event loop in its own thread: the caller's thread may
    already run a loop (Playwright's sync API leaves one running in pytest's thread)."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


async def request(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes = b"", timeout: float = 30
) -> tuple[int, dict[str, list[str]], bytes]:
    async def go() -> tuple[int, dict[str, list[str]], bytes]:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in headers.items()]
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        head, _sep, payload = raw.partition(b"\r\n\r\n")
        head_lines = head.decode("latin-1").split("\r\n")
        if not head_lines or not head_lines[0].startswith("HTTP/"):
            raise ConnectionError("no HTTP response")
        status = int(head_lines[0].split()[1])
        out: dict[str, list[str]] = {}
        for line in head_lines[1:]:
            name, _c, value = line.partition(":")
            out.setdefault(name.strip().lower(), []).append(value.strip())
        return status, out, payload

    return await asyncio.wait_for(go(), timeout)


_phones = itertools.count(1)


def phone_address() -> str:
    """A different client address for every simulated phone (sent as X-Forwarded-For,
    which the server reads only when CONCERTED_CLIENT_IP_HEADER names it), so the
    per-address limit sees many phones, as it would behind the proxy."""
    n = next(_phones)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def sign_path(slug: str) -> str:
    """The sign page as a flyer's QR code gives it: with the campaign's language prefix
    (flyers/targets.py; the bench campaign's language is English). An unprefixed address
    (a code printed before languages) also works, at the cost of one more URL lookup."""
    return f"/en/p/{slug}/"


async def sign_once(port: int, slug: str, contact: str, result: Result) -> str | None:
    """One signer: GET the form, POST it; return the receipt code on a 302 to the receipt."""
    address = phone_address()
    t0 = time.perf_counter()
    status, headers, body = await request(port, "GET", sign_path(slug), {"X-Forwarded-For": address})
    if status != 200:
        raise RuntimeError(f"GET {status}")
    token = TOKEN_RE.search(body)
    cookie = next((m.group(1) for c in headers.get("set-cookie", []) if (m := COOKIE_RE.search(c))), None)
    if not token or not cookie:
        raise RuntimeError("no CSRF token")
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "name": f"Bench Signer {contact[:10]}",
            "contact": contact,
            "comment": "Count me in: the tracker must go.",
            "consent_named": "on",
        }
    ).encode()
    t1 = time.perf_counter()
    result.attempted.append(contact)
    status, headers, _body = await request(
        port,
        "POST",
        sign_path(slug),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Sec-Fetch-Site": "same-origin",
            "X-Forwarded-For": address,
        },
        form,
    )
    t2 = time.perf_counter()
    location = (headers.get("location") or [""])[0]
    match = RECEIPT_RE.search(location)
    if status != 302 or not match:
        raise RuntimeError(f"POST {status}")
    result.post_latencies.append(t2 - t1)
    result.flow_latencies.append(t2 - t0)
    return match.group(1)


async def bare_once(port: int, result: Result) -> None:
    t0 = time.perf_counter()
    status, _h, _b = await request(port, "POST", "/bench/bare-insert/", {}, b"")
    if status != 200:
        raise RuntimeError(f"bare {status}")
    result.post_latencies.append(time.perf_counter() - t0)
    result.flow_latencies.append(time.perf_counter() - t0)


async def _run(
    port: int, slug: str | None, concurrency: int, seconds: float, limit: int, tag: str, stop: asyncio.Event | None
) -> Result:
    result = Result(concurrency=concurrency)
    deadline = time.perf_counter() + seconds
    issued = 0

    async def client(n: int) -> None:
        nonlocal issued
        while time.perf_counter() < deadline and issued < limit and not (stop and stop.is_set()):
            issued += 1
            contact = f"{tag}{n}x{issued}x{secrets.token_hex(3)}@example.org"
            try:
                if slug is None:
                    await bare_once(port, result)
                else:
                    code = await sign_once(port, slug, contact, result)
                    result.receipts.append((code, contact))
                result.ok += 1
            except (TimeoutError, OSError, RuntimeError, ConnectionError, ValueError) as exc:
                result.error(type(exc).__name__ if not isinstance(exc, RuntimeError) else str(exc))
                await asyncio.sleep(0.05)

    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(concurrency)))
    result.seconds = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    result.generator_cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    return result


def run(
    port: int,
    slug: str | None,
    concurrency: int,
    seconds: float,
    limit: int,
    tag: str = "b",
    stop: asyncio.Event | None = None,
) -> Result:
    """Sign (or, with slug=None, hit the bare insert view) with `concurrency` clients for at
    most `seconds` and at most `limit` requests."""
    return run_async(lambda: _run(port, slug, concurrency, seconds, limit, tag, stop))


async def _burst(port: int, slug: str, signers: int, seconds: float, seed: int) -> Result:
    import random

    rng = random.Random(seed)
    arrivals = sorted(rng.uniform(0, seconds) for _ in range(signers))
    result = Result(concurrency=0)
    t0 = time.perf_counter()

    async def one(n: int, at: float) -> None:
        await asyncio.sleep(max(0.0, at - (time.perf_counter() - t0)))
        contact = f"burst{n}x{secrets.token_hex(3)}@example.org"
        try:
            code = await sign_once(port, slug, contact, result)
            result.receipts.append((code, contact))
            result.ok += 1
        except (OSError, TimeoutError, RuntimeError, ConnectionError, ValueError) as exc:
            result.error(type(exc).__name__ if not isinstance(exc, RuntimeError) else str(exc))

    usage0 = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(one(n, at) for n, at in enumerate(arrivals)))
    result.seconds = time.perf_counter() - t0
    usage1 = resource.getrusage(resource.RUSAGE_SELF)
    result.generator_cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    return result


def burst(port: int, slug: str, signers: int, seconds: float, seed: int = 2026) -> Result:
    """Open loop, as after a flyer goes out: `signers` people arrive at random moments in
    `seconds`, each signs once (GET + POST), whether or not the others have finished."""
    return run_async(lambda: _burst(port, slug, signers, seconds, seed))
