"""Helpers for the edge drills: gunicorn exactly as `make run` and docs/OPERATIONS.md
start it (their command lines are read from those files), connections from a chosen
loopback source address, a throwaway memcached."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
GUNICORN = str(Path(PY).parent / "gunicorn")
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def documented_gunicorn_args(where: str) -> list[str]:
    """The gunicorn options (after `concerted.wsgi`) from the Makefile's run target or
    the production command in docs/OPERATIONS.md, without --bind (the drill picks a port)."""
    if where == "make run":
        text = (ROOT / "Makefile").read_text()
        line = next(ln for ln in text.splitlines() if "gunicorn concerted.wsgi" in ln)
    else:
        text = (ROOT / "docs" / "OPERATIONS.md").read_text()
        block = re.search(r"## Serving\n(?:[^#`\n][^\n]*\n|\n)*```sh\n(.*?)```", text, re.S)
        assert block, "docs/OPERATIONS.md lost its ## Serving command"
        line = block.group(1).replace("\\\n", " ")
    words = shlex.split(line.split("gunicorn concerted.wsgi", 1)[1])
    args: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--bind":
            skip = True
            continue
        args.append(word)
    return args


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    drop = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "WEB_CONCURRENCY")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCERTED_") and k not in drop}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "concerted.settings",
            "CONCERTED_DATA_DIR": str(data_dir),
            "OPENBLAS_NUM_THREADS": "1",
        }
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextmanager
def gunicorn(env: dict[str, str], args: list[str], log_path: Path, port: int | None = None) -> Iterator[int]:
    port = port or free_port()
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            [GUNICORN, "concerted.wsgi", *args, "--bind", f"{HOST}:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"gunicorn exited: {log_path.read_text(errors='replace')[-3000:]}")
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)


def raw_request(port: int, payload: bytes, source: str = "127.0.0.1") -> bytes:
    """Send bytes from `source` (any 127.x.y.z works on Linux loopback); return the reply."""
    with socket.socket() as s:
        s.bind((source, 0))
        s.settimeout(15)
        s.connect((HOST, port))
        s.sendall(payload)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
        return b"".join(chunks)


def status_of(reply: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    return int(match.group(1)) if match else 0


@contextmanager
def memcached(tmp: Path) -> Iterator[str]:
    """A throwaway memcached on 127.0.0.1 (Debian's memcached package)."""
    binary = shutil.which("memcached") or "/usr/bin/memcached"
    port = free_port()
    argv = [binary, "-l", HOST, "-p", str(port), "-U", "0", "-m", "16"]
    if os.getuid() == 0:
        argv += ["-u", "nobody"]  # memcached refuses to run as root without -u
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("memcached did not start") from None
                time.sleep(0.1)
        yield f"{HOST}:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
