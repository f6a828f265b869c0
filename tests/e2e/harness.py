"""A real `streamlit run` server and Debian's Chromium, without pytest.

Shared by the e2e fixtures (conftest.py) and the browser benchmarks (bench/latency.py,
bench/server_memory.py, bench/classroom_browser.py), so both start servers and wait for
the app the same way.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root
    "--disable-dev-shm-usage",
    "--disable-gpu",
    # Without these Chromium keeps calling home, which floods the closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SERVER_START_TIMEOUT = 30  # seconds


def chromium_path() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


# A JavaScript expression whose value stands for the picture the Playground's surface
# chart shows now (null: no chart). The chart is a canvas: a grid of sampled pixels
# stands for it (cheap to read back from a software-rendered canvas); drawn as SVG, the
# surface would be one <image> whose href is the PNG data URL. The page updates this
# chart in place, so only the picture tells one surface from the next.
SURFACE_PICTURE_JS = """(() => {
  const image = document.querySelector('.st-key-surface svg image');
  if (image) return image.getAttribute('href');
  const c = document.querySelector('.st-key-surface canvas');
  if (!c || !c.width) return null;
  const g = c.getContext('2d');
  const px = [];
  for (let i = 1; i <= 3; i++) for (let j = 1; j <= 3; j++) {
    const d = g.getImageData(Math.floor(c.width * i / 4), Math.floor(c.height * j / 4), 1, 1).data;
    px.push(d[0], d[1], d[2]);
  }
  return px.join(',');
})()"""


def surface_picture(page) -> str | None:
    """What the surface chart shows now (see SURFACE_PICTURE_JS)."""
    return page.evaluate(f"() => {SURFACE_PICTURE_JS}")


def wait_for_app(page, timeout=30_000, rerun=False):
    """Wait until Streamlit is connected and has finished running the script.

    stApp carries data-test-connection-state (CONNECTED once the websocket is up) and
    data-test-script-state ("initial" -> "running" -> "notRunning"), which is what
    Streamlit's own e2e suite waits on. On a first load "initial" rules out a false
    early match. After an interaction pass rerun=True: the state only leaves
    "notRunning" once the server has the rerun, and widgets debounce ~200 ms first.
    """
    if rerun:
        page.wait_for_timeout(300)
    app = '[data-testid="stApp"]'
    page.wait_for_selector(
        f'{app}[data-test-connection-state="CONNECTED"]', state="attached", timeout=timeout
    )
    page.wait_for_selector(
        f'{app}[data-test-script-state="notRunning"]', state="attached", timeout=timeout
    )
    # The script has finished, but the browser may still be loading the code of some
    # elements (widgets, page links, charts are lazy chunks); each shows a stSkeleton
    # placeholder until then. On a cold server or a loaded machine that takes seconds.
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=timeout
    )


def tail(path, lines=30) -> str:
    return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Server:
    url: str  # base URL, no trailing slash
    pid: int  # the streamlit process (leader of its own process group)
    log: str  # path of its stdout+stderr


@contextlib.contextmanager
def run_server(*extra_args, script="app.py"):
    """Start `streamlit run <script>` on a free port; yield a Server once
    /_stcore/health answers; stop its process group (workers included) on exit."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        script,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        # Others edit the tree while tests run: no file watching, no surprise reruns.
        "--server.fileWatcherType",
        "none",
        *extra_args,
    ]
    # A file, not a pipe: a chatty server can never block on a full pipe.
    # Open for the server's whole life, closed by the caller's cleanup: no context manager.
    log = tempfile.NamedTemporaryFile(  # noqa: SIM115
        prefix="streamlit-e2e-", suffix=".log", delete=False
    )
    proc = subprocess.Popen(
        cmd,
        cwd=REPO_ROOT,
        env={**os.environ, "MALLOC_ARENA_MAX": "2"},  # as `make run` serves (Makefile)
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {proc.returncode}:\n{tail(log.name)}")
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r,
            ):
                if r.read().strip() == b"ok":
                    break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"streamlit not healthy after {SERVER_START_TIMEOUT}s "
                    f"({' '.join(cmd)}):\n{tail(log.name)}"
                )
            time.sleep(0.1)
        yield Server(url, proc.pid, log.name)
    finally:
        # start_new_session made it a group leader: stop it and anything it spawned.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        os.unlink(log.name)
