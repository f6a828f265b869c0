"""A cache for chart templates that builds each one once, even when many threads ask
for it at the same moment.

Why by hand: ``functools.lru_cache`` lets every thread that misses build the value
itself. Streamlit's caches wait for a build under way, but ``core`` never imports
Streamlit, and these few lines are cheaper than a new dependency. A class pressing
Train together is exactly that moment: 30 script threads each built and validated the
same Vega-Lite template (30-40 ms of Python each, under one GIL), and the server's
event loop waited behind them before it could start the next student's run
(bench/class_latency.py: the first press of a class was told it was queued seconds
later than the second).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def built_once(maxsize: int) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """``functools.lru_cache(maxsize)`` whose misses are built one at a time: a thread
    that misses waits for a build under way and then finds its value cached. Templates
    are few and built once per layout, so one lock per cache is enough."""

    def decorate(build: Callable[..., T]) -> Callable[..., T]:
        cached = functools.lru_cache(maxsize=maxsize)(build)
        lock = threading.Lock()

        @functools.wraps(build)
        def template(*args: Any, **kwargs: Any) -> T:
            with lock:
                return cached(*args, **kwargs)

        template.cache_info = cached.cache_info  # type: ignore[attr-defined]
        template.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return template

    return decorate
