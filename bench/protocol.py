"""A student's session without a browser: a client of Streamlit's own websocket
protocol (/_stcore/stream, the BackMsg and ForwardMsg protobufs shipped inside the
streamlit package), for the class benches.

Why: a class's browsers run on the students' machines. On this 2-core machine 30
Chromium pages drawing their charts took several times the CPU of the server and its
workers, so a browser bench here measures the browsers more than the server. This
client costs a few milliseconds per run: it sends what the browser sends when a button
is pressed (a rerun with that button's trigger, in the button's fragment) and notes,
with the wall clock, every message the server sends back: the progress bar's texts,
exceptions, metrics, and the end of the script run.

Written by hand: no package speaks this protocol (Streamlit's AppTest runs a script
in-process, without the server and its websocket). tests/e2e/test_class_client.py
checks it against a real browser on the same server: the same run, the same metrics.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

# A script run ends in one of these (a fragment's run, such as Train's, ends in the last).
_FINISHED = {
    ForwardMsg.FINISHED_SUCCESSFULLY,
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class ProtocolSession:
    """One student's session on one page. Times are ``time.time()`` seconds."""

    def __init__(self, base_url: str, page: str = "Playground", query: dict | None = None):
        self.stream_url = base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.page = page
        self.query = urlencode(query or {})
        self.buttons: dict[str, tuple[str, str]] = {}  # label -> (widget id, fragment id)
        # (time, text) of every progress bar the server sent, and exceptions' messages
        self.progress: list[tuple[float, str]] = []
        self.exceptions: list[str] = []
        self.metrics: list[str] = []  # the metric values of the latest run, in order
        self.received_bytes = 0
        self._finished_at: list[float] = []  # when each script run ended successfully
        self._run_ended = asyncio.Event()
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task | None = None

    async def open(self, timeout: float = 120.0) -> ProtocolSession:
        """Connect and wait for the page's first run, as a browser opening the URL."""
        # max_size None: a finished run's charts come in messages of a few hundred kB.
        self._ws = await connect(
            self.stream_url, subprotocols=[Subprotocol("streamlit")], max_size=None
        )
        self._reader = asyncio.create_task(self._read())
        mark = len(self._finished_at)
        await self._rerun(None)
        await self.wait_finished(mark, timeout)
        return self

    async def click(self, label: str) -> tuple[float, int]:
        """Press the button labelled ``label`` (as the page last showed it); returns the
        time the click was sent and a mark for ``wait_finished``."""
        if label not in self.buttons:
            raise KeyError(f"no button {label!r} on the page; it shows {sorted(self.buttons)}")
        mark = len(self._finished_at)
        self.metrics = []
        return await self._rerun(label), mark

    async def wait_finished(self, mark: int, timeout: float) -> float:
        """Wait until a script run ends after ``mark`` (from ``click``); returns when."""
        deadline = time.monotonic() + timeout
        while len(self._finished_at) <= mark:
            self._run_ended.clear()
            left = deadline - time.monotonic()
            closed = self._reader is None or self._reader.done()
            if left <= 0 or closed:
                raise RuntimeError(
                    f"{self.page}?{self.query}: no run finished within {timeout:.0f} s "
                    f"(connection {'closed' if closed else 'open'}); "
                    f"progress seen {self.progress[-3:]}, exceptions {self.exceptions}"
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._run_ended.wait(), left)
        return self._finished_at[mark]

    def progress_since(self, since: float) -> list[tuple[float, str]]:
        return [(at, text) for at, text in self.progress if at >= since]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)

    async def _rerun(self, trigger: str | None) -> float:
        back = BackMsg()
        state = back.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        if trigger is not None:
            widget_id, fragment_id = self.buttons[trigger]
            widget = state.widget_states.widgets.add()
            widget.id, widget.trigger_value = widget_id, True
            if fragment_id:  # a button inside a fragment reruns only that fragment
                state.fragment_id = fragment_id
        if self._ws is None:
            raise RuntimeError("open() the session first")
        sent = time.time()
        await self._ws.send(back.SerializeToString())
        return sent

    async def _read(self) -> None:
        try:
            await self._read_messages()
        finally:  # the connection closed: wake a waiter, who then sees it
            self._run_ended.set()

    async def _read_messages(self) -> None:
        assert self._ws is not None  # started by open(), after connecting
        async for raw in self._ws:
            now = time.time()
            self.received_bytes += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                if msg.script_finished in _FINISHED:
                    self._finished_at.append(now)
                self._run_ended.set()
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(now, msg.delta.new_element, msg.delta.fragment_id)

    def _element(self, now: float, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        if kind == "button":
            self.buttons[element.button.label] = (element.button.id, fragment_id)
        elif kind == "progress":
            self.progress.append((now, element.progress.text))
        elif kind == "exception":
            self.exceptions.append(element.exception.message)
        elif kind == "metric":
            self.metrics.append(element.metric.body)
