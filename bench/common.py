"""Shared pieces for the benchmarks and the drills: a gunicorn server in its own process
group, a throwaway PostgreSQL cluster, the bench database setup, and reading rows back.

All traffic goes to 127.0.0.1 on a port picked here; every loop is bounded."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def log(msg: str) -> None:
    print(msg, flush=True)


# --- Databases ----------------------------------------------------------------------------


@dataclass
class Db:
    """Where a bench or drill keeps its data: an SQLite file in data_dir, or a PostgreSQL
    database named by url. data_dir always exists (invite-code key, keys, static files)."""

    data_dir: Path
    url: str = ""  # postgres://... ; empty for SQLite

    @property
    def vendor(self) -> str:
        return "postgresql" if self.url else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "concerted.sqlite3"

    def env(self, settings_module: str = "concerted.settings", **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CONCERTED_DATA_DIR")}
        env.update(
            DJANGO_SETTINGS_MODULE=settings_module,
            CONCERTED_DATA_DIR=str(self.data_dir),
            CONCERTED_RATELIMIT="false",  # the load comes from one address: see docs/PERFORMANCE.md
            PYTHONPATH=str(ROOT),
        )
        env.pop("CONCERTED_CODE_KEY", None)
        if self.url:
            env["DATABASE_URL"] = self.url
        env.update(extra)
        return env

    def connect(self) -> Any:
        if self.url:
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        conn = sqlite3.connect(str(self.sqlite_path), timeout=30, isolation_level=None)
        return conn

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        conn = self.connect()
        try:
            if self.url:
                sql = sql.replace("?", "%s")
            cur = conn.cursor()
            cur.execute(sql, params)
            return list(cur.fetchall())
        finally:
            conn.close()

    def signatures(self, petition_id: str | None = None) -> list[tuple[str, str, str, bytes]]:
        """(row id, petition id, campaign id, sealed) with ids as canonical UUID strings."""
        sql = (
            "SELECT s.id, s.petition_id, p.campaign_id, s.sealed FROM petitions_signature s "
            "JOIN petitions_petition p ON p.id = s.petition_id"
        )
        rows = self.query(sql)
        out = [
            (str(uuid.UUID(str(a))), str(uuid.UUID(str(b))), str(uuid.UUID(str(c))), bytes(d)) for a, b, c, d in rows
        ]
        if petition_id:
            out = [r for r in out if r[1] == str(uuid.UUID(petition_id))]
        return out

    def integrity(self) -> str:
        if self.url:
            return "ok (PostgreSQL crash recovery; row checks below)"
        return "; ".join(str(r[0]) for r in self.query("PRAGMA integrity_check"))


def run_setup(db: Db, *args: str, settings_module: str = "concerted.settings", timeout: int = 600) -> dict[str, Any]:
    """Run bench/setup_db.py (migrate, campaign, key, petition) in a subprocess; return its JSON."""
    result = subprocess.run(
        [PY, str(ROOT / "bench" / "setup_db.py"), *args],
        env=db.env(settings_module),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"bench setup failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- gunicorn -----------------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn as `make run` starts it (2 workers x 4 threads), in its own process group."""

    db: Db
    settings_module: str = "concerted.settings"
    workers: int = 2
    threads: int = 4
    # Production mode: gunicorn's workers and threads come from concerted/gunicorn_conf.py
    # (as `make run` and `concerted deploy` serve), and these variables are added to the
    # environment (rate limiter on, its memcached, the client-address header).
    production_env: dict[str, str] | None = None
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60) -> None:
        self.log_path = self.db.data_dir / f"gunicorn-{self.port}.log"
        logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                str(Path(PY).parent / "gunicorn"),
                "concerted.wsgi",
                "--bind",
                f"{HOST}:{self.port}",
                *(
                    ["--config", "python:concerted.gunicorn_conf"]
                    if self.production_env is not None
                    else ["--workers", str(self.workers), "--threads", str(self.threads)]
                ),
                "--backlog",
                "2048",
                "--log-level",
                "warning",
            ],
            env=self.db.env(self.settings_module, **(self.production_env or {})),
            cwd=ROOT,
            stdout=logf,
            stderr=logf,
            start_new_session=True,  # its own process group: kill -9 reaches master and workers
        )
        logf.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_path.read_text()[-3000:]}")
            try:
                status, _h, _b = get(self.port, "/privacy/")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start in time")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:] if self.log_path else ""
        except OSError:
            return ""

    def pids(self) -> list[int]:
        if self.proc is None:
            return []
        return [self.proc.pid, *children(self.proc.pid)]

    def kill9(self) -> None:
        """kill -9 the master and its workers at once (the whole process group)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait(timeout=30)
        self.proc = None


class Memcached:
    """A throwaway memcached on 127.0.0.1 for the rate limiter's shared counters (as
    `concerted deploy` sets one up); memory only, stopped with the bench."""

    def __init__(self) -> None:
        self.port = free_port()
        binary = shutil.which("memcached") or "/usr/bin/memcached"
        argv = [binary, "-l", HOST, "-p", str(self.port), "-U", "0", "-m", "64"]
        if os.getuid() == 0:
            argv += ["-u", "nobody"]  # memcached refuses to run as root without -u
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("memcached did not start") from None
                time.sleep(0.1)

    @property
    def location(self) -> str:
        return f"{HOST}:{self.port}"

    def pids(self) -> list[int]:
        return [self.proc.pid]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def production_env(memcached: Memcached) -> dict[str, str]:
    """The settings the launch-day load is measured with: the production defaults
    (rate limiter on, the global ceiling at its default), the counters shared through
    memcached (so gunicorn_conf runs 2 workers x 4 threads, as `concerted deploy` does), and the client address
    taken from X-Forwarded-For, which the load generator varies per simulated phone
    (behind Caddy, `concerted deploy` sets the same header; there the proxy writes it).
    See docs/PERFORMANCE.md."""
    return {
        "CONCERTED_RATELIMIT": "true",
        "CONCERTED_RATELIMIT_MEMCACHED": memcached.location,
        "CONCERTED_CLIENT_IP_HEADER": "X-Forwarded-For",
    }


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            out.append(int(entry.name))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User+system CPU of these processes so far (from /proc, clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 30) -> tuple[int, Any, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


# --- PostgreSQL ---------------------------------------------------------------------------


def pg_bindir() -> Path | None:
    env = os.environ.get("CONCERTED_PG_BINDIR")
    if env and Path(env, "initdb").exists():
        return Path(env)
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


class PgCluster:
    """A throwaway PostgreSQL server on 127.0.0.1 (fsync and synchronous_commit on), run as
    the postgres user when we are root, that a drill may kill -9 and restart."""

    def __init__(self) -> None:
        bindir = pg_bindir()
        if bindir is None:
            raise RuntimeError("PostgreSQL server binaries not found (apt-get install postgresql)")
        self.bindir = bindir
        self.dir = Path(tempfile.mkdtemp(prefix="concerted-drill-pg."))
        self.data = self.dir / "data"
        self.port = free_port()
        self.as_pg: list[str] = []
        if os.getuid() == 0:
            subprocess.run(["id", "postgres"], check=True, capture_output=True)
            shutil.chown(self.dir, "postgres")
            self.as_pg = ["runuser", "-u", "postgres", "--"]
        subprocess.run(
            [
                *self.as_pg,
                str(bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "concerted",
                "--auth=trust",
                "-E",
                "UTF8",
            ],
            check=True,
            capture_output=True,
        )
        self.start()

    def start(self) -> None:
        subprocess.run(
            [
                *self.as_pg,
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.dir / "log"),
                "-w",
                "-t",
                "120",
                "-o",
                f"-k {self.dir} -h {HOST} -p {self.port} -c fsync=on -c synchronous_commit=on",
                "start",
            ],
            check=True,
            capture_output=True,
        )

    def url(self, dbname: str = "postgres") -> str:
        return f"postgres://concerted@{HOST}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def postmaster_pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def kill9(self) -> list[int]:
        """kill -9 the postmaster and every backend at once: a database server crash."""
        pid = self.postmaster_pid()
        victims = [pid, *children(pid)]
        for victim in victims:
            try:
                os.kill(victim, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{v}").exists() for v in victims):
            time.sleep(0.05)
        return victims

    def stop(self) -> None:
        subprocess.run(
            [*self.as_pg, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def pg_database_from_env(name: str) -> str:
    """A new database on the server DATABASE_URL points at (scripts/with-postgres)."""
    import psycopg

    base = os.environ["DATABASE_URL"]
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    disk = subprocess.run(["df", "-h", "--output=source,fstype,size", str(ROOT)], capture_output=True, text=True)
    rot = "?"
    try:
        dev = disk.stdout.splitlines()[1].split()[0].rsplit("/", 1)[-1]
        rot = Path(f"/sys/block/{dev}/queue/rotational").read_text().strip()
    except (IndexError, OSError):
        pass
    kernel = os.uname().release
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{mem_kb / 1024 / 1024:.0f} GiB",
        "disk": " ".join(disk.stdout.splitlines()[1].split()) if disk.stdout else "?",
        "rotational": rot,
        "kernel": kernel,
        "python": sys.version.split()[0],
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[0],
    }
