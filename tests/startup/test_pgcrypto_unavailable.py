"""A real PostgreSQL server without pgcrypto: the machine's own server, relocated.

PostgreSQL finds its share folder relative to its binaries, so a copy of the installation
(hard links where possible) minus pgcrypto's control files is a genuine server that
cannot offer the extension. Both the installer and the client check must say so.
"""

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from sqlalchemy import text

from eszok_desktop import cli
from eszok_desktop.db import errors, schema
from eszok_desktop.db.engine import Database
from eszok_desktop.db.server import EmbeddedServer, find_bindir
from eszok_desktop.db.startup import check_database


def relocated_installation(root: Path) -> Path | None:
    bindir = find_bindir()
    if bindir is None:
        return None
    sharedir = subprocess.run(
        [str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not sharedir or not (Path(sharedir) / "extension" / "pgcrypto.control").exists():
        return None
    install = bindir.parent  # e.g. /usr/lib/postgresql/15
    for source in (install, Path(sharedir)):
        target = root / source.relative_to("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        linked = subprocess.run(["cp", "-al", str(source), str(target)], check=False)
        if linked.returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, symlinks=True)
    for control in (root / Path(sharedir).relative_to("/") / "extension").glob("pgcrypto*"):
        control.unlink()
    return root / bindir.relative_to("/")


@pytest.fixture(scope="module")
def server_without_pgcrypto():
    root = Path(tempfile.mkdtemp(prefix="eszok-nopgcrypto-", dir="/tmp"))
    root.chmod(0o755)
    bindir = relocated_installation(root / "pg")
    if bindir is None:
        pytest.skip("no Debian-style PostgreSQL installation with pgcrypto to relocate")
    subprocess.run(["chmod", "-R", "a+rX", str(root)], check=True)
    server = EmbeddedServer(root / "cluster", bindir, fast=True)
    server.initialize()
    server.start()
    schema.ensure_database(server.superuser_url(), "eszok")
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def test_installer_refuses_without_pgcrypto(server_without_pgcrypto, monkeypatch, capsys):
    dsn = server_without_pgcrypto.superuser_url().render_as_string(hide_password=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("client-pw\n"))
    code = cli.run(["db", "upgrade", "--dsn", dsn, "--client-password-stdin"])
    assert code == 1
    assert "pgcrypto" in capsys.readouterr().err
    # nothing half-done: the roles were created in the same, rolled-back transaction
    db = Database(server_without_pgcrypto.superuser_url(), pool_size=1)
    with db.engine.connect() as conn:
        assert (
            conn.execute(
                text(
                    "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'eszok\\_%' AND rolname <> "
                    "'eszok_admin'"
                )
            ).scalar()
            == 0
        )
    db.dispose()


def test_client_check_reports_pgcrypto_missing(server_without_pgcrypto):
    db = Database(server_without_pgcrypto.superuser_url(), pool_size=1)
    try:
        with pytest.raises(errors.PgcryptoMissing):
            check_database(db)
    finally:
        db.dispose()
