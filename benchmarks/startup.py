"""Start-up times of the desktop app on its embedded server, offscreen.

    .venv/bin/python benchmarks/startup.py [--runs 3]

Measures, from launching a fresh process (Python imports included) until the window is
shown:

* first start: no cluster yet → initdb, start, create database, migrate → the
  first-administrator dialog;
* cold start: the cluster exists but is stopped → start, check → the login window.

Each run is a separate process running the same StartupFlow as ``eszok``; it stops the
server on exit as the app does. Uses a temporary data folder under /tmp.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CHILD = """
import sys
from PySide6.QtWidgets import QApplication
from eszok_desktop import app as m
from eszok_desktop.ui import messages
def failed(*args, **kw):
    print("FAILED", *(messages.describe_error(a) if isinstance(a, BaseException) else a
                      for a in args[1:]), flush=True)
    qapp.quit()
    return False
messages.show_error = messages.inform = messages.ask = failed
qapp = QApplication(sys.argv)
m.configure_application(qapp)
qapp.setQuitOnLastWindowClosed(False)
flow = m.StartupFlow()
def shown(kind):
    print(kind, flush=True)
    qapp.quit()
flow.sig_first_admin_shown.connect(lambda _w: shown("FIRST_ADMIN"))
flow.sig_login_shown.connect(lambda _w: shown("LOGIN"))
flow.sig_connection_dialog_shown.connect(lambda _w: shown("CONNECTION_DIALOG"))
qapp.aboutToQuit.connect(flow.shutdown)
flow.start()
qapp.exec()
"""


def one_run(env: dict[str, str]) -> tuple[str, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    # a hung start (e.g. a modal box) is ended with SIGTERM, which stops its server too
    watchdog = threading.Timer(180, proc.terminate)
    watchdog.start()
    try:
        line = proc.stdout.readline().strip()
        elapsed = time.perf_counter() - started
        proc.wait(timeout=120)
    finally:
        watchdog.cancel()
    return line or "NOTHING SHOWN", elapsed


def create_admin(env: dict[str, str]) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "eszok_desktop.cli",
            "user",
            "add",
            "--email",
            "bench@example.pl",
            "--name",
            "Bench",
            "--role",
            "administrator",
            "--password-stdin",
        ],
        input="Bench12345\n",
        env=env,
        check=True,
        text=True,
        capture_output=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="eszok-bench-", dir="/tmp"))
    root.chmod(0o755)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ESZOK_CONFIG_DIR": str(root / "cfg")}
    firsts, colds = [], []
    try:
        for n in range(args.runs):
            env["ESZOK_DATA_DIR"] = str(root / f"data{n}")
            shown, seconds = one_run(env)
            assert shown == "FIRST_ADMIN", shown
            firsts.append(seconds)
        env["ESZOK_DATA_DIR"] = str(root / "data0")
        create_admin(env)
        for _ in range(args.runs):
            shown, seconds = one_run(env)
            assert shown == "LOGIN", shown
            colds.append(seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    def fmt(values: list[float]) -> str:
        runs = ", ".join(f"{v:.2f}" for v in values)
        return f"median {statistics.median(values):.2f} s  (runs: {runs})"

    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"load average during the runs: {load} on {os.cpu_count()} CPUs")
    print(f"first start (cluster creation) → first-admin dialog: {fmt(firsts)}")
    print(f"cold start (cluster exists, stopped) → login window:  {fmt(colds)}")


if __name__ == "__main__":
    main()
