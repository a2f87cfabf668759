"""A sandan server in a subprocess (uvicorn on 127.0.0.1), started and waited for: the
end-to-end tests and the benchmarks start theirs here."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path


def start_server(
    port: int,
    env: Mapping[str, str],
    *options: str,
    seconds: float = 60.0,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """uvicorn serving `sandan.app:create_app` on `port` (extra uvicorn `options`, e.g.
    `--workers 2`), returned once `/health` answers 200; killed if it does not within
    `seconds`."""
    command = [
        *(sys.executable, "-m", "uvicorn", "--factory", "sandan.app:create_app"),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *options),
    ]
    proc = subprocess.Popen(command, env=dict(env), cwd=cwd)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as answer:
                if answer.status == 200:
                    return proc
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    proc.kill()
    proc.wait()
    raise RuntimeError(f"the server did not answer /health within {seconds:.0f} s")
