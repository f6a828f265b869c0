"""Memory of a real server with 20 browser sessions that each trained once.

One `streamlit run` server, Chromium, 20 contexts (students) opening /Playground?seed=N
(their own seed, so their results differ) and pressing Train, two at a time. The
server's RSS (bench.memory.rss_mb) and that of its descendants (core.parallel's
training workers, its fork server and resource tracker: children or grandchildren of
the server) are read:
  1. before any session (Streamlit alone: the app's modules load with the first page),
  2. after the first session has loaded the Playground (the app's imports),
  3. after all 20 have trained (each session holds its TrainResult),
  4. 20 sessions closed, after a short wait,
  5. after Streamlit has dropped the closed sessions,
  6. after REFILL new sessions have trained: if closed sessions' memory is reused,
     the server grows far less per session than in 3.; if it leaks, as much again.

Streamlit keeps a closed tab's session (with its session_state) for reconnection for
server.disconnectedSessionTTL seconds (default 120, at most 128 sessions), and drops
expired ones on the next disconnect. This server runs with a TTL of DROP_AFTER seconds
so 5. comes within the bench's time; 4. shows what the default does in that time.
"""

from __future__ import annotations

import os
import time

from bench.browser import Session, chromium, run_server, tree_memory
from bench.common import Figure

SESSIONS = 20
REFILL = 8  # sessions of the second round (enough to tell reuse from a leak)
AT_ONCE = 2  # trainings in flight (the machine has 2 cores)
DROP_AFTER = 8  # seconds: the server's disconnectedSessionTTL here (default 120)


def open_sessions(browser, url: str, seeds) -> list[Session]:
    """Open one session per seed, loading in parallel; each ready (idle) on return."""
    sessions = [Session(browser, url, query={"seed": seed}, wait=False) for seed in seeds]
    for s in sessions:
        s.ready()
    return sessions


def train_all(sessions: list[Session]) -> list[list[str]]:
    """Press Train in every session, AT_ONCE at a time; the metrics each shows."""
    shown = []
    for i in range(0, len(sessions), AT_ONCE):
        batch = sessions[i:i + AT_ONCE]
        for s in batch:
            s.click_train()
        for s in batch:
            s.wait_finished(surface=True)
            if s.errors():
                raise RuntimeError(f"the Playground shows an exception: {s.errors()}")
            shown.append(s.metrics())
    return shown


def brief(m: dict) -> str:
    workers = f" + {m['children_rss_mb']:.0f} MB in {len(m['children'])} child processes" \
        if m["children"] else ", no child processes"
    return f"server {m['server_rss_mb']:.0f} MB{workers} (total {m['total_rss_mb']:.0f} MB)"


def run(out) -> list[Figure]:
    readings, phases = {}, {}
    started = time.perf_counter()

    def lap(name):
        phases[name] = round(time.perf_counter() - started - sum(phases.values()), 1)

    with run_server("--server.disconnectedSessionTTL", str(DROP_AFTER)) as server, \
            chromium() as browser:
        read = lambda name: readings.setdefault(name, tree_memory(server.pid))  # noqa: E731
        read("before any session")
        first = Session(browser, server.url, query={"seed": 1})
        read("first page loaded")
        sessions = [first] + open_sessions(browser, server.url, range(2, SESSIONS + 1))
        lap("open")
        shown = train_all(sessions)
        lap("train")
        time.sleep(1)
        read(f"{SESSIONS} sessions trained")
        for s in sessions:
            s.close()
        time.sleep(3)
        read("closed, 3 s later")
        # Past the TTL, a disconnect reaps the expired sessions: one short visit does it.
        time.sleep(DROP_AFTER + 1)
        Session(browser, server.url).close()
        time.sleep(2)
        read("closed sessions dropped")
        lap("close and drop")
        again = open_sessions(browser, server.url, range(SESSIONS + 1, SESSIONS + REFILL + 1))
        shown_again = train_all(again)
        time.sleep(1)
        read(f"{REFILL} new sessions trained")
        for s in again:
            s.close()
        lap("second round")
    names = list(readings)
    base, loaded, full, closed, dropped, refill = (readings[n] for n in names)
    # The first session's page load also imported the app; the others' did not.
    growth = full["total_rss_mb"] - loaded["total_rss_mb"]
    per_session = growth / SESSIONS
    regrowth = refill["total_rss_mb"] - dropped["total_rss_mb"]
    per_session_again = regrowth / REFILL
    distinct = len({tuple(m) for m in shown + shown_again})
    for name in names:
        out(f"  {name}: {brief(readings[name])}")
    for c in full["children"]:
        out(f"    child {c['pid']} ({c['role']}): RSS {c['rss_mb']:.0f} MB"
            + (f", PSS {c['pss_mb']:.0f} MB" if c["pss_mb"] is not None else ""))
    out(f"  {SESSIONS} sessions (page loads and trainings, after the first page load that "
        f"imported the app: +{loaded['total_rss_mb'] - base['total_rss_mb']:.0f} MB) added "
        f"{growth:.0f} MB, {per_session:.1f} MB per session; {distinct} distinct results "
        f"shown for {SESSIONS + REFILL} runs")
    out(f"  released when sessions end? closing them changed the total by "
        f"{closed['total_rss_mb'] - full['total_rss_mb']:+.0f} MB within Streamlit's reconnect "
        f"window, {dropped['total_rss_mb'] - full['total_rss_mb']:+.0f} MB once dropped; "
        f"{REFILL} new sessions then grew it by {regrowth:+.0f} MB ({per_session_again:+.1f} MB "
        f"per session, against {per_session:+.1f} MB for the first {SESSIONS})")
    peak = max(r["total_rss_mb"] for r in readings.values())
    out(f"  peak total {peak:.0f} MB; {time.perf_counter() - started:.0f} s; load average "
        f"{os.getloadavg()[0]:.1f}; phases (s): {phases}")
    detail = dict(readings=readings, per_session_mb=per_session,
                  growth_first_mb=growth, growth_second_round_mb=regrowth,
                  per_session_second_round_mb=per_session_again, phases_s=phases,
                  server_alone_mb=full["server_rss_mb"], workers_mb=full["children_rss_mb"],
                  distinct_results=distinct, disconnected_session_ttl_s=DROP_AFTER,
                  load_average_1min=os.getloadavg()[0])
    return [Figure(f"server RSS with {SESSIONS} trained sessions (server + workers)",
                   full["total_rss_mb"], "MB", "<= 400", detail),
            Figure(f"RSS growth per session, {REFILL} more after the first {SESSIONS} were "
                   "dropped", per_session_again, "MB", None, {})]
