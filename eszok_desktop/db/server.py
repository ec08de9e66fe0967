"""The private PostgreSQL cluster eSZOK runs when no central server is configured.

The cluster lives in the user's data directory and is driven with the machine's own
PostgreSQL server binaries (``initdb``, ``pg_ctl``). PostgreSQL refuses to run as root,
so when this process is root the binaries run as the ``postgres`` system user and the
data directory is owned by it. The same class starts the throwaway cluster of the test
suite, so tests exercise exactly the code that users run.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import URL

from eszok_desktop.db.errors import ServerBinariesNotFound, ServerStartFailed

SUPERUSER = "eszok_admin"
SERVER_USER_WHEN_ROOT = "postgres"
DATABASE = "eszok"


def find_bindir() -> Path | None:
    """Return the folder holding ``initdb`` and ``pg_ctl``, or None when there is none."""
    candidates: list[str] = []
    if env := os.environ.get("ESZOK_PG_BINDIR"):
        candidates.append(env)
    if pg_config := shutil.which("pg_config"):
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(out.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    if on_path := shutil.which("pg_ctl"):
        candidates.append(str(Path(on_path).parent))

    def newest_first(pattern: str) -> list[str]:
        def key(path: str) -> tuple[int, ...]:
            digits = "".join(c if c.isdigit() else " " for c in path).split()
            return tuple(int(d) for d in digits)

        return sorted(glob.glob(pattern), key=key, reverse=True)

    candidates += newest_first("/usr/lib/postgresql/*/bin")
    candidates += newest_first("/usr/pgsql-*/bin")
    candidates += newest_first("/opt/homebrew/opt/postgresql@*/bin")
    candidates += newest_first("/usr/local/opt/postgresql@*/bin")
    candidates += newest_first("/Applications/Postgres.app/Contents/Versions/*/bin")
    candidates += newest_first("C:/Program Files/PostgreSQL/*/bin")
    candidates.append("/usr/local/pgsql/bin")
    exe = ".exe" if os.name == "nt" else ""
    for folder in candidates:
        path = Path(folder)
        if (path / f"initdb{exe}").is_file() and (path / f"pg_ctl{exe}").is_file():
            return path
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True unless another process listens on ``port`` (TIME_WAIT left by our own
    server's last stop does not count: the server binds with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class ServerConfig:
    """What the client needs to reach its embedded server; stored beside the cluster."""

    port: int
    superuser_password: str
    client_password: str

    @classmethod
    def load(cls, path: Path) -> ServerConfig:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__), encoding="utf-8")
        path.chmod(0o600)


class EmbeddedServer:
    """A private cluster in ``base_dir``: ``pgdata/`` plus ``server.json``."""

    def __init__(self, base_dir: Path, bindir: Path | None = None, *, fast: bool = False) -> None:
        self.base_dir = Path(base_dir)
        self.data_dir = self.base_dir / "pgdata"
        self.config_path = self.base_dir / "server.json"
        self.log_path = self.base_dir / "server.log"
        self._bindir = bindir
        # fast: no fsync, for throwaway test clusters only
        self.fast = fast
        self.started_here = False
        self._config: ServerConfig | None = None

    @property
    def bindir(self) -> Path:
        if self._bindir is None:
            self._bindir = find_bindir()
            if self._bindir is None:
                raise ServerBinariesNotFound("no PostgreSQL server binaries found")
        return self._bindir

    @property
    def config(self) -> ServerConfig:
        if self._config is None:
            self._config = ServerConfig.load(self.config_path)
        return self._config

    @property
    def is_initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file() and self.config_path.is_file()

    def _as_server_user(self, args: list[str]) -> list[str]:
        if os.name != "nt" and os.geteuid() == 0:
            return ["runuser", "-u", SERVER_USER_WHEN_ROOT, "--", *args]
        return args

    def _run(self, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self._as_server_user(args),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def initialize(self) -> None:
        """Create the cluster (initdb) with password authentication on loopback."""
        self.base_dir.mkdir(parents=True, exist_ok=True)
        config = ServerConfig(
            port=free_port(),
            superuser_password=secrets.token_urlsafe(24),
            client_password=secrets.token_urlsafe(24),
        )
        pwfile = self.base_dir / "initdb.pw"
        pwfile.write_text(config.superuser_password, encoding="utf-8")
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(mode=0o700)
        if os.name != "nt" and os.geteuid() == 0:
            server_user = pwd.getpwnam(SERVER_USER_WHEN_ROOT)
            self.base_dir.chmod(0o711)
            for path in (self.data_dir, pwfile):
                os.chown(path, server_user.pw_uid, server_user.pw_gid)
        try:
            args = [
                str(self.bindir / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SUPERUSER,
                "--pwfile",
                str(pwfile),
                "-A",
                "scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
            if self.fast:
                args.append("--no-sync")
            result = self._run(args)
        finally:
            pwfile.unlink(missing_ok=True)
        if result.returncode != 0:
            raise ServerStartFailed("initdb failed", result.stdout + result.stderr)
        config.save(self.config_path)
        self._config = config

    def is_running(self) -> bool:
        if not (self.data_dir / "postmaster.pid").exists():
            return False
        result = self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "status"])
        return result.returncode == 0

    def start(self) -> None:
        """Start the cluster unless it already runs (then reuse it and leave it running)."""
        if self.is_running():
            return
        config = self.config
        if not port_is_free(config.port):
            config.port = free_port()
            config.save(self.config_path)
        options = f"-p {config.port} -c listen_addresses=127.0.0.1 -k ''"
        if self.fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        log = self.log_path
        if os.name != "nt" and os.geteuid() == 0:
            # the server user writes the log; keep it inside its own data directory
            log = self.data_dir / "server.log"
        result = self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(log),
                "-w",
                "-t",
                "60",
                "-o",
                options,
                "start",
            ]
        )
        if result.returncode != 0:
            tail = ""
            with contextlib.suppress(OSError):
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise ServerStartFailed("pg_ctl start failed", result.stderr + tail)
        self.started_here = True

    def stop(self) -> None:
        """Stop the cluster (fast shutdown); a no-op when it is not running."""
        if self.is_running():
            self._run(
                [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"]
            )
        self.started_here = False

    def superuser_url(self, database: str = DATABASE) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=SUPERUSER,
            password=self.config.superuser_password,
            host="127.0.0.1",
            port=self.config.port,
            database=database,
        )

    def client_url(self, database: str = DATABASE) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username="eszok_client",
            password=self.config.client_password,
            host="127.0.0.1",
            port=self.config.port,
            database=database,
        )
