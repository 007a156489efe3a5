"""A throwaway PostgreSQL server for tests: its own cluster in a temporary folder.

It listens on 127.0.0.1 only, on a free port, with its unix socket inside that folder and
trust authentication, and it is stopped and removed afterwards. PostgreSQL refuses to run
as root, so when the tests run as root (as CI does) the server runs as the `postgres` user
that Debian's package creates.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SERVER_PROGRAMS = "/usr/lib/postgresql/*/bin"
START_TIMEOUT_S = 60


class PostgresMissing(RuntimeError):
    """Debian's PostgreSQL server programs are not installed."""


class PostgresFailed(RuntimeError):
    """The throwaway server did not start; the message ends with its log."""


def server_programs() -> Path:
    """The newest installed PostgreSQL's bin folder (with initdb and pg_ctl)."""
    found = [
        path.parent
        for path in Path("/").glob(SERVER_PROGRAMS.lstrip("/") + "/initdb")
        if (path.parent / "pg_ctl").is_file()
    ]
    if not found:
        raise PostgresMissing(
            f"PostgreSQL server programs (initdb, pg_ctl) not found under {SERVER_PROGRAMS}; "
            "install them with `bash scripts/ensure_postgres.sh`"
        )
    return max(found, key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass(frozen=True)
class PostgresServer:
    bin_dir: Path
    port: int
    user: str = "postgres"

    def url(self, database: str) -> str:
        """SQLAlchemy URL for a database on this server, through psycopg 3."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty UTF-8 database; returns its SQLAlchemy URL."""
        subprocess.run(
            [str(self.bin_dir / "createdb"), "--host=127.0.0.1", f"--port={self.port}",
             f"--username={self.user}", "--encoding=UTF8", "--template=template0", name],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return self.url(name)


@contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """Starts a new cluster and yields it; stops it and deletes its folder afterwards."""
    bin_dir = server_programs()
    as_root = os.geteuid() == 0
    # Not under pytest's tmp folder: that is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="tuoyu-postgres-"))
    data, sockets, log = root / "data", root / "run", root / "server.log"
    sockets.mkdir()
    if as_root:
        for path in (root, sockets):
            shutil.chown(path, "postgres", "postgres")

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
        return subprocess.run(
            [*prefix, *command], cwd=root, capture_output=True, text=True, check=False
        )

    def server_log() -> str:
        return log.read_text("utf-8", errors="replace")[-4000:] if log.exists() else "(no log)"

    try:
        initdb = run(
            str(bin_dir / "initdb"), f"--pgdata={data}", "--username=postgres", "--auth=trust",
            "--encoding=UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        if initdb.returncode != 0:
            raise PostgresFailed(f"initdb failed:\n{initdb.stdout}{initdb.stderr}")
        port = _free_port()
        # A throwaway cluster: durability settings off make every test faster.
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        try:
            started = run(
                str(bin_dir / "pg_ctl"), f"--pgdata={data}", f"--log={log}",
                f"--options={options}", "--wait", f"--timeout={START_TIMEOUT_S}", "start",
            )  # fmt: skip
            if started.returncode != 0:
                raise PostgresFailed(
                    f"pg_ctl start failed:\n{started.stdout}{started.stderr}\n{server_log()}"
                )
            yield PostgresServer(bin_dir, port)
        finally:
            # Also after a start that timed out: the server may be up by now.
            if (data / "postmaster.pid").exists():
                stopped = run(str(bin_dir / "pg_ctl"), f"--pgdata={data}", "--mode=fast", "stop")
                if stopped.returncode != 0:
                    raise PostgresFailed(f"pg_ctl stop failed:\n{stopped.stdout}{stopped.stderr}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
