"""A production install in a throwaway root, and running its pieces without systemd.

There is no systemd as PID 1 here, so each unit's ExecStart line is read from the
unit file and run directly, with the unit's EnvironmentFile, Environment and
WorkingDirectory. Caddy and tor run from the files deploy wrote. Every address is on
the loopback interface."""

from __future__ import annotations

import http.client
import json
import os
import shlex
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.common import free_port
from concerted.ops import deploy

ROOT = Path(__file__).resolve().parent.parent.parent
HOST = "127.0.0.1"
DOMAIN = "concerted.test"
CLIENT = "127.0.0.2"  # the "visitor" address: whatever a log holds of it is searched for


def wait_for(probe, timeout: float = 60, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def get(port: int, path: str = "/privacy/", host: str = DOMAIN, proxy_header: bytes = b"") -> int:
    """Status of a GET to an app server, as Caddy would send it (or as tor would)."""
    try:
        # Generous: a worker's first request imports the views, slow on a loaded machine.
        with socket.create_connection((HOST, port), timeout=60) as s:
            s.sendall(
                proxy_header
                + f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n".encode()
            )
            head = s.recv(64)
        return int(head.split()[1])
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class Unit:
    path: Path
    instance: str = ""

    def lines(self, key: str) -> list[str]:
        out = []
        for line in self.path.read_text().splitlines():
            if line.startswith(key + "="):
                out.append(line.split("=", 1)[1].replace("%i", self.instance))
        return out

    def env(self) -> dict[str, str]:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
        for f in self.lines("EnvironmentFile"):
            env.update(deploy.read_env(Path(f)))
        for line in self.lines("Environment"):
            key, value = line.split("=", 1)
            env[key] = value
        return env

    def argv(self) -> list[str]:
        (line,) = self.lines("ExecStart")
        return shlex.split(line)

    def cwd(self) -> str:
        return self.lines("WorkingDirectory")[0]

    def start(self, log: Path) -> subprocess.Popen[bytes]:
        with open(log, "ab") as f:
            return subprocess.Popen(
                self.argv(), env=self.env(), cwd=self.cwd(), stdout=f, stderr=f, start_new_session=True, umask=0o077
            )

    def run(self, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.argv(), env=self.env(), cwd=self.cwd(), capture_output=True, text=True, timeout=timeout, umask=0o077
        )


def stop(proc: subprocess.Popen[bytes] | None, sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@dataclass
class Install:
    base: Path
    ports: dict[str, int] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        return self.base / "root"

    @property
    def layout(self) -> deploy.Layout:
        return deploy.Layout(self.root)

    @property
    def identity(self) -> Path:
        return self.base / "committee-backup.key"

    @property
    def recipient(self) -> str:
        return subprocess.run(["age-keygen", "-y", str(self.identity)], capture_output=True, text=True).stdout.strip()

    def deploy(
        self, *args: str, source: Path = ROOT, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "concerted.cli", "deploy", "--root", str(self.root), "--source", str(source), *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            capture_output=True,
            text=True,
            timeout=1800,
        )

    def first_deploy(self) -> subprocess.CompletedProcess[str]:
        subprocess.run(["age-keygen", "-o", str(self.identity)], check=True, capture_output=True)
        for name in ("app1", "onion", "http", "https", "memcached"):
            self.ports[name] = free_port()
        self.ports["app2"] = self.ports["app1"] + 1  # deploy numbers app servers from --app-port
        return self.deploy(
            "--domain", DOMAIN, "--onion", "--local-certs",
            "--http-port", str(self.ports["http"]), "--https-port", str(self.ports["https"]),
            "--app-servers", "2", "--app-port", str(self.ports["app1"]), "--onion-port", str(self.ports["onion"]),
            "--memcached", f"{HOST}:{self.ports['memcached']}",
            "--backup-recipient", self.recipient,
        )  # fmt: skip

    def adopt(self) -> None:
        """Take the ports of an install left by an earlier run (CONCERTED_TEST_DEPLOY_DIR)."""
        saved = json.loads(self.layout.install_json.read_text())
        self.ports = {
            "app1": saved["app_port"], "app2": saved["app_port"] + 1, "onion": saved["onion_port"],
            "http": saved["http_port"], "https": saved["https_port"],
            "memcached": int(saved["memcached"].rsplit(":", 1)[1]),
        }  # fmt: skip

    def unit(self, name: str, instance: str = "") -> Unit:
        return Unit(self.layout.units / name, instance)

    def app_units(self) -> list[Unit]:
        return [self.unit("concerted@.service", str(self.ports[n])) for n in ("app1", "app2")]

    def concerted(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """The installed `concerted` wrapper, as a volunteer runs it."""
        result = subprocess.run(
            ["sh", str(self.layout.wrapper), *args],
            capture_output=True,
            text=True,
            timeout=300,
            env={"PATH": os.environ["PATH"], **(env or {})},
        )
        if check and result.returncode != 0:
            raise AssertionError(f"concerted {' '.join(args)}: {result.stdout}\n{result.stderr}")
        return result

    # --- Serving -------------------------------------------------------------------------

    def start_app(self, name: str) -> None:
        port = self.ports[name]
        self.procs[name] = self.app_units()[["app1", "app2"].index(name)].start(self.base / f"{name}.log")
        wait_for(lambda: get(port) == 200, timeout=120, what=f"app server {name}: {self.log(name)}")

    def start_memcached(self) -> None:
        self.procs["memcached"] = subprocess.Popen(
            ["memcached", "-l", HOST, "-p", str(self.ports["memcached"]), "-U", "0", "-u", "root", "-m", "16"],
            start_new_session=True,
        )

    def xdg(self) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "HOME": str(self.base / "caddy-home"),
            "XDG_DATA_HOME": str(self.base / "caddy-data"),
            "XDG_CONFIG_HOME": str(self.base / "caddy-config"),
        }

    @property
    def caddy_ca(self) -> Path:
        return self.base / "caddy-data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def start_caddy(self) -> None:
        log = open(self.base / "caddy.log", "ab")
        self.procs["caddy"] = subprocess.Popen(
            ["caddy", "run", "--config", str(self.layout.caddyfile), "--adapter", "caddyfile"],
            env=self.xdg(),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        wait_for(lambda: self.https_status("/privacy/") == 200, what=f"Caddy: {self.log('caddy')}")

    def https_status(self, path: str) -> int:
        if not self.caddy_ca.exists():
            return 0
        result = self.curl(path)
        try:
            return int(result.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            return 0

    def curl(self, path: str, *extra: str) -> subprocess.CompletedProcess[str]:
        port = self.ports["https"]
        return subprocess.run(
            [
                "curl", "-sS", "--max-time", "20", "--cacert", str(self.caddy_ca),
                "--resolve", f"{DOMAIN}:{port}:{HOST}", "--interface", CLIENT,
                "-o", "/dev/null", "-w", "%{http_code}\n", *extra, f"https://{DOMAIN}:{port}{path}",
            ],
            capture_output=True, text=True,
        )  # fmt: skip

    def failed_handshakes(self) -> None:
        """Two TLS handshakes that fail, from the visitor's address: plain HTTP on the
        TLS port, and a client that doesn't trust Caddy's certificate."""
        port = self.ports["https"]
        with socket.create_connection((HOST, port), timeout=10, source_address=(CLIENT, 0)) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
            s.recv(1024)
        ctx = ssl.create_default_context()
        with socket.create_connection((HOST, port), timeout=10, source_address=(CLIENT, 0)) as s:
            try:
                with ctx.wrap_socket(s, server_hostname=DOMAIN):
                    raise AssertionError("an untrusted certificate was accepted")
            except ssl.SSLError:
                pass

    def log(self, name: str) -> str:
        path = self.base / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def setup_petition(self) -> dict[str, str]:
        env = {**self.unit("concerted-tick.service").env(), "PYTHONPATH": str(ROOT)}
        result = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "setup_db.py"), "--no-migrate"],
            env=env, cwd=ROOT, capture_output=True, text=True, check=True, umask=0o077,
        )  # fmt: skip
        return json.loads(result.stdout.strip().splitlines()[-1])

    def stop_all(self) -> None:
        for proc in self.procs.values():
            stop(proc)
        self.procs.clear()


def onion_get(port: int, path: str = "/privacy/", host: str = "x.onion") -> int:
    """A request as tor hands it over: a PROXY v1 header naming the circuit, then HTTP."""
    header = b"PROXY TCP6 fc00:dead:beef:4dad::0:1234 ::1 4321 80\r\n"
    return get(port, path, host=host, proxy_header=header)


def http_get(port: int, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()
