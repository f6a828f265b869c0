"""A process pool for training, shared by every session of one server.

Streamlit runs each session's script in a thread of one process, under one GIL: two
trainings started at the same moment in threads take as long as running them one after
the other. This module trains in worker processes instead, so a class pressing Train
together keeps every core busy.

Design:
- ``concurrent.futures.ProcessPoolExecutor``, one per server process, created on first
  use. Its lifetime is ours: joblib/loky's reusable executor is a global that joblib
  itself resizes or restarts when a ``Parallel`` call asks for other settings (the
  Evidence sweep does), which would cancel a class's queued trainings.
- Start method ``forkserver`` (``spawn`` where there is none, e.g. Windows). Forking the
  server itself is unsafe: it runs many threads (Tornado, one per session) and a forked
  child may inherit a lock held by one of them. The fork server is a fresh, single-threaded
  process that has already imported the training code (numpy, scikit-learn), so a new
  worker starts in milliseconds rather than re-importing everything as ``spawn`` would.
- ``max_workers = os.cpu_count()``; each worker pins BLAS to one thread (threadpoolctl):
  these networks are too small for threaded BLAS to help, and N workers x N BLAS threads
  would oversubscribe the cores.
- A worker that dies (killed, out of memory) breaks a ``ProcessPoolExecutor`` for good;
  the next submission here notices and starts a new pool, so one bad run does not stop
  the class.
- Live progress: ``submit_training(config, progress=True)`` gives a ``TrainingJob``
  whose ``epochs_done()`` / ``latest()`` / ``latest_frame()`` read what the worker writes
  into a small shared-memory block after every epoch (a few numbers, and the newest
  surface snapshot, about 100 KB at most). No extra process, no message per epoch; the
  page polls it to animate the surface and the loss while it waits, and can ask the
  worker to stop (``request_stop()``) when its user leaves.
- ``ACTIVATION_LAB_WORKERS`` sets the number of workers (default: one per CPU).
- Training workers run at a lower CPU priority than the server (``TRAINING_NICENESS``):
  when a class presses Train together, both cores train while the server still answers
  at once (the "queued" message, a finished run's charts), taking the little CPU it
  needs first. The total work is the same; only who waits for whom changes. The quick
  lane keeps the server's priority: its tasks are what a student is waiting on now.

A page waiting on a worker (Streamlit; the script thread polls, the worker trains)::

    job = submit_training(config, progress=True, time_budget=MAX_TRAIN_SECONDS)
    bar = st.progress(0.0)
    while not job.done():
        p = job.latest()
        bar.progress(job.fraction_done(), text=f"epoch {p['epoch']} of {p['max_epochs']}")
        time.sleep(0.2)
    result = job.result()  # raises what the worker raised

Workers do not re-run the parent's ``__main__`` (under Streamlit that is whichever page
script is running), so tasks must be functions of an importable module, as everything in
``core`` is; Streamlit, pytest, notebooks and plain scripts need no ``__main__`` guard.

``TrainResult`` crosses the process boundary by pickling; ``train`` removes its epoch
hook (a closure) from the model after ``fit``, so the result pickles cleanly.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import pickle
import sys
import threading
import types
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import shared_memory
from typing import TypeVar

import numpy as np

from core.config import TrainConfig
from core.datasets import Dataset

T = TypeVar("T")

# Numbers a worker publishes after each epoch, in this order (float64 slots).
PROGRESS_FIELDS = ("epoch", "max_epochs", "train_loss", "test_loss", "test_score")
# Then slots for the live frame and the conversation with the page: the worker sets
# "started" when it picks the job up; the page sets "stop" to end the run early;
# "frame_epoch" is the epoch of the frame in the buffer (-1 while it is being written),
# "frame_d0".."frame_d2" its shape padded to three numbers (d1 is 0 for one feature).
# "net_epoch" and "net_bytes" do the same for the neuron view's frame (a pickled
# ``NetFrame``, in a byte region after the surface frame).
_SLOTS = (
    *PROGRESS_FIELDS,
    "started",
    "stop",
    "frame_epoch",
    "frame_d0",
    "frame_d1",
    "frame_d2",
    "net_epoch",
    "net_bytes",
)
_SLOT = {name: i for i, name in enumerate(_SLOTS)}
# What the fork server imports once, so every worker starts with it (shared pages, no
# import on a student's first Train): the training code imports scikit-learn and SciPy
# lazily, since the web server imports it too, so the engine and the scikit-learn parts
# a run uses are named here.
_PRELOAD = [
    "core.training",
    "core.parallel",
    "core.mlp",
    "core.feature_mlp",
    "core.diagnostics",
    "scipy.special",
    "sklearn.datasets",
    "sklearn.metrics",
    "sklearn.model_selection",
    # What a Playground run's extras import on first use: the neuron view's PNG encoder
    # and pandas' bridge to Arrow (the result's history frame).
    "PIL.PngImagePlugin",
    "pyarrow.pandas_compat",
]

_lock = threading.Lock()
# Held while warm_up starts the workers; shutdown waits for it. A pool shut down (or torn
# down by interpreter exit) while a worker is still starting can lose that worker to a
# queue already gone, and then wait forever on the other one.
_warm_lock = threading.Lock()
# How much lower than the server's the training workers' CPU priority is (nice
# levels: with 5, the server's threads get about three times a worker's share of a busy
# core; see the module docstring).
TRAINING_NICENESS = 5
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_quick: ProcessPoolExecutor | None = None  # one worker for short tasks (submit_quick)
_live_jobs = 0  # TrainingJobs submitted and not yet finished, this process
_warmed: ProcessPoolExecutor | None = None  # the pool whose workers have all answered


@contextlib.contextmanager
def _main_module_hidden():
    """Start processes as if ``__main__`` were empty.

    multiprocessing makes a new spawn/forkserver worker re-run the parent's main module
    (so functions defined there can be unpickled). Under Streamlit, ``__main__`` is the
    page script that happens to be running, so every worker would run a Playground page
    in bare mode on start-up: slower starts, memory for imports a worker never uses, and
    a log full of warnings. Our tasks are functions in ``core``; nothing needs it.
    """
    real = sys.modules["__main__"]
    stand_in = types.ModuleType("__main__")  # no __file__, no __spec__: nothing to re-run
    sys.modules["__main__"] = stand_in
    try:
        yield
    finally:
        # A script run that began meanwhile has put its own module there: keep it.
        if sys.modules.get("__main__") is stand_in:
            sys.modules["__main__"] = real


def _started_without_main(process_class):
    """``process_class`` whose processes start with ``__main__`` hidden. Module-level
    classes, because the process object is pickled to the new process."""

    def _Popen(process_obj):  # the hook multiprocessing starts a process through
        with _main_module_hidden():
            return process_class._Popen(process_obj)

    return type(
        f"Worker{process_class.__name__}",
        (process_class,),
        {"_Popen": staticmethod(_Popen), "__module__": __name__},
    )


WorkerSpawnProcess = _started_without_main(mp.context.SpawnProcess)
if hasattr(mp.context, "ForkServerProcess"):  # POSIX
    WorkerForkServerProcess = _started_without_main(mp.context.ForkServerProcess)


def _context():
    """A forkserver (or spawn) context whose processes do not re-run ``__main__``."""
    if "forkserver" in mp.get_all_start_methods():
        forkserver = mp.get_context("forkserver")
        forkserver.set_forkserver_preload(_PRELOAD)
        base: mp.context.BaseContext = forkserver
        process: type = WorkerForkServerProcess
    else:
        base, process = mp.get_context("spawn"), WorkerSpawnProcess
    return type(f"Worker{type(base).__name__}", (type(base),), {"Process": process})()


def _init_worker() -> None:
    """Runs once in each worker: one BLAS thread, for the worker's whole life."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


def _init_training_worker() -> None:
    """``_init_worker``, at the lower priority of training (``TRAINING_NICENESS``)."""
    _init_worker()
    if hasattr(os, "nice"):  # not on Windows
        os.nice(TRAINING_NICENESS)


def default_workers() -> int:
    """ACTIVATION_LAB_WORKERS if set (a host sharing its cores with other services),
    else one worker per CPU."""
    value = os.environ.get("ACTIVATION_LAB_WORKERS", "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"ACTIVATION_LAB_WORKERS must be a whole number >= 1, got {value!r}")
        return int(value)
    return os.cpu_count() or 1


def get_pool(max_workers: int | None = None) -> ProcessPoolExecutor:
    """The shared pool (created, or re-created after a worker crash, on demand).
    ``max_workers`` only matters when the pool is (re)created."""
    global _pool, _pool_workers
    with _lock:
        if _pool is not None and getattr(_pool, "_broken", False):
            _pool.shutdown(wait=False, cancel_futures=True)
            _pool = None
        if _pool is None:
            _pool_workers = max_workers or default_workers()
            _pool = ProcessPoolExecutor(
                max_workers=_pool_workers,
                mp_context=_context(),
                initializer=_init_training_worker,
            )
        return _pool


def crowded() -> bool:
    """Whether more trainings are under way or queued than there are workers: a class
    pressing Train together. A page then keeps its waiting runs' redrawing to a minimum
    (ui.results), since every redraw costs the server time the queue is waiting for."""
    return _live_jobs > max(pool_size(), 1)


def pool_size() -> int:
    """Workers in the current pool (0 before the first use)."""
    return _pool_workers if _pool is not None else 0


def warm_up(max_workers: int | None = None) -> float:
    """Start every worker now (a server may call this at start-up, so the first student
    does not wait for it). Returns the seconds it took."""
    import time

    start = time.perf_counter()
    global _warmed
    with _warm_lock:
        pool = get_pool(max_workers)
        list(pool.map(_ping, range(_pool_workers), chunksize=1))
        _warmed = pool
    return time.perf_counter() - start


def workers_ready() -> bool:
    """Whether the current pool's workers have all started (a warm_up finished on it):
    a run waiting before that waits for workers to start, not for other runs."""
    return _pool is not None and _warmed is _pool


def _ping(_: int) -> int:
    return os.getpid()


def shutdown(wait: bool = True) -> None:
    """Stop the workers (tests; a server simply exits), once any warm-up has started
    them all."""
    global _pool, _quick
    with _warm_lock, _lock:
        for pool in (_pool, _quick):
            if pool is not None:
                pool.shutdown(wait=wait, cancel_futures=True)
        _pool = _quick = None


def submit(fn, *args) -> Future:
    """Run ``fn(*args)`` in a worker (``fn`` and its arguments must pickle: a module-level
    function such as ``core.compare.run_one``)."""
    try:
        return get_pool().submit(fn, *args)
    except BrokenProcessPool:  # the pool broke between the check and the submit
        return get_pool().submit(fn, *args)


def _quick_pool() -> ProcessPoolExecutor:
    global _quick
    with _lock:
        if _quick is not None and getattr(_quick, "_broken", False):
            _quick.shutdown(wait=False, cancel_futures=True)
            _quick = None
        if _quick is None:
            _quick = ProcessPoolExecutor(
                max_workers=1, mp_context=_context(), initializer=_init_worker
            )
        return _quick


def run_quick(fn, *args, timeout: float | None = None):
    """``fn(*args)`` in the quick lane's worker (``submit_quick``), waited for."""
    return submit_quick(fn, *args).result(timeout)


def submit_quick(fn, *args) -> Future:
    """Run a short task (milliseconds: making a dataset, the code snippet, one unit's
    details) in a worker of its own, started on first use, so that it never waits
    behind a class's queue of trainings. The web server itself never loads
    scikit-learn, so even this small work leaves it."""
    try:
        return _quick_pool().submit(fn, *args)
    except BrokenProcessPool:
        return _quick_pool().submit(fn, *args)


# --- the work a worker does ---------------------------------------------------------------


def _frame_capacity() -> int:
    """float32 cells of the largest live frame: the replay grid times the most classes."""
    from core.datasets import MAX_CLASSES
    from core.training import SNAPSHOT_RESOLUTION

    return SNAPSHOT_RESOLUTION * SNAPSHOT_RESOLUTION * MAX_CLASSES


# Bytes for a live neuron-view frame: 10 layers of 128 units pickle to about 40 KB
# (its pictures are one PNG; the links only between the drawn units).
NET_CAPACITY = 256 * 1024


def _views(block):
    """(header, frame buffer, neuron-view bytes) over a job's shared-memory block."""
    header = np.ndarray((len(_SLOTS),), dtype=np.float64, buffer=block.buf)
    frame = np.ndarray(
        (_frame_capacity(),), dtype=np.float32, buffer=block.buf, offset=header.nbytes
    )
    net = np.ndarray(
        (NET_CAPACITY,), dtype=np.uint8, buffer=block.buf, offset=header.nbytes + frame.nbytes
    )
    return header, frame, net


def _train_in_worker(
    config: TrainConfig,
    dataset: Dataset | None,
    time_budget: float | None,
    progress_name: str | None,
    surface_resolution: int | None = None,
    snapshot_resolution: int | None = None,
    network_view: bool = False,
    resume=None,
):
    from core.training import SNAPSHOT_RESOLUTION, StopRequested, train

    block = header = frame_buffer = net_buffer = None
    on_epoch = None
    if progress_name is not None:
        block = shared_memory.SharedMemory(name=progress_name)
        header, frame_buffer, net_buffer = _views(block)
        header[_SLOT["started"]] = 1

        def on_epoch(p):
            if p.frame is not None and p.frame.size <= frame_buffer.size:
                # A sequence lock: -1 while writing, so a reader never keeps a torn frame.
                header[_SLOT["frame_epoch"]] = -1
                frame_buffer[: p.frame.size] = p.frame.ravel()
                shape = (
                    p.frame.shape if p.frame.ndim == 3 else (p.frame.shape[0], 0, p.frame.shape[1])
                )
                header[_SLOT["frame_d0"] : _SLOT["frame_d2"] + 1] = shape
                header[_SLOT["frame_epoch"]] = p.epoch
            if p.network is not None:
                data = pickle.dumps(p.network, protocol=pickle.HIGHEST_PROTOCOL)
                if len(data) <= net_buffer.size:
                    header[_SLOT["net_epoch"]] = -1
                    net_buffer[: len(data)] = np.frombuffer(data, dtype=np.uint8)
                    header[_SLOT["net_bytes"]] = len(data)
                    header[_SLOT["net_epoch"]] = p.epoch
            row = p.row
            # The epoch goes last: a reader that sees epoch n sees that epoch's numbers.
            for name in ("train_loss", "test_loss", "test_score"):
                header[_SLOT[name]] = row[name]
            header[_SLOT["max_epochs"]] = p.max_epochs
            header[_SLOT["epoch"]] = p.epoch
            if header[_SLOT["stop"]]:
                raise StopRequested

    try:
        return train(
            config,
            on_epoch,
            dataset=dataset,
            time_budget=time_budget,
            surface_resolution=surface_resolution,
            snapshot_resolution=snapshot_resolution or SNAPSHOT_RESOLUTION,
            network_view=network_view,
            resume=resume,
        )
    except Exception as err:
        err.add_note(
            f"(raised in training worker pid {os.getpid()} for config "
            f"{config.to_query() or 'default'})"
        )
        raise
    finally:
        if block is not None:
            del header, frame_buffer, net_buffer
            block.close()


# --- the public calls ------------------------------------------------------------------


class TrainingJob:
    """A training running in a worker, with live progress.

    Behaves like its ``future`` (``result``, ``done``, ``exception``, ``cancel``,
    ``add_done_callback``) and adds ``epochs_done()``, ``latest()``, ``started()`` and
    ``latest_frame()``, which read what the worker published (cheap: call them as often
    as you like), and ``request_stop()``.
    """

    def __init__(
        self,
        config: TrainConfig,
        dataset: Dataset | None,
        time_budget: float | None,
        surface_resolution: int | None = None,
        network_view: bool = False,
        resume=None,
    ):
        self.config = config
        size = 8 * len(_SLOTS) + 4 * _frame_capacity() + NET_CAPACITY
        self._block: shared_memory.SharedMemory | None = shared_memory.SharedMemory(
            create=True, size=size
        )
        self._header, self._frame, self._net = _views(self._block)
        self._header[:] = 0.0
        done = len(resume.history) if resume is not None else 0  # a continued run's epochs
        self._header[_SLOT["max_epochs"]] = done + config.epochs
        self._final: dict | None = None
        self._closed = threading.Lock()
        self.future: Future = submit(
            _train_in_worker,
            config,
            dataset,
            time_budget,
            self._block.name,
            surface_resolution,
            None,
            network_view,
            resume,
        )
        with _lock:
            global _live_jobs
            _live_jobs += 1
        self.future.add_done_callback(self._release)

    def _release(self, future: Future) -> None:
        global _live_jobs
        with _lock:
            _live_jobs -= 1
        with self._closed:
            if self._block is None:
                return
            self._final = self._read()
            if not future.cancelled() and future.exception() is None:
                h = future.result().history  # the final word, even if the last write raced
                if len(h):
                    last = h.iloc[-1]
                    self._final.update(
                        epoch=int(last.epoch),
                        train_loss=float(last.train_loss),
                        test_loss=float(last.test_loss),
                        test_score=float(last.test_score),
                    )
            del self._header, self._frame, self._net
            self._block.close()
            self._block.unlink()
            self._block = None

    def _read(self) -> dict:
        values = self._header[: len(PROGRESS_FIELDS)].copy()
        out = dict(zip(PROGRESS_FIELDS, values.tolist()))
        out["epoch"], out["max_epochs"] = int(out["epoch"]), int(out["max_epochs"])
        return out

    def latest(self) -> dict:
        """{"epoch", "max_epochs", "train_loss", "test_loss", "test_score"} after the
        last finished epoch (epoch 0: not started, still queued)."""
        with self._closed:
            return dict(self._final or {}) if self._block is None else self._read()

    def started(self) -> bool:
        """Whether a worker has picked the job up (False while it waits in the queue)."""
        with self._closed:
            return self._block is None or bool(self._header[_SLOT["started"]])

    def _latest(self, epoch_slot: str, copy: Callable[[np.ndarray], T]) -> tuple[int, T] | None:
        """(epoch, ``copy(header)``) of the newest snapshot the worker published under
        ``epoch_slot``, or None: none yet, the job is over, or the worker rewrote it
        while we copied (it marks the epoch -1 while writing, so an epoch unchanged
        across the copy means a whole snapshot)."""
        with self._closed:
            if self._block is None:
                return None
            h = self._header
            epoch = int(h[_SLOT[epoch_slot]])
            if epoch <= 0:
                return None
            data = copy(h)
            if int(h[_SLOT[epoch_slot]]) != epoch:  # rewritten while we copied
                return None
            return epoch, data

    def latest_frame(self) -> tuple[int, np.ndarray] | None:
        """(epoch, outputs on the replay grid) of the newest live snapshot, or None if
        there is none yet (or the job is over: its result has every frame)."""

        def copy(h: np.ndarray) -> np.ndarray:
            d0, d1, d2 = (int(v) for v in h[_SLOT["frame_d0"] : _SLOT["frame_d2"] + 1])
            shape = (d0, d1, d2) if d1 else (d0, d2)
            return self._frame[: int(np.prod(shape))].copy().reshape(shape)

        return self._latest("frame_epoch", copy)

    def latest_network(self):
        """The newest live neuron-view frame (a ``core.network_view.NetFrame``), or
        None (none yet, not asked for, or the job is over: its result has them all)."""

        def copy(h: np.ndarray) -> bytes:
            return self._net[: int(h[_SLOT["net_bytes"]])].tobytes()

        latest = self._latest("net_epoch", copy)
        return None if latest is None else pickle.loads(latest[1])  # our own worker's bytes

    def request_stop(self) -> None:
        """Ask the worker to end the run after its current epoch (the result keeps
        what was learnt, with a "stopped" note); a job still queued is cancelled."""
        with self._closed:
            if self._block is not None:
                self._header[_SLOT["stop"]] = 1
        self.future.cancel()

    def epochs_done(self) -> int:
        return self.latest()["epoch"]

    def fraction_done(self) -> float:
        p = self.latest()
        if self.future.done():
            return 1.0
        return min(p["epoch"] / p["max_epochs"], 1.0) if p["max_epochs"] else 0.0

    # Future-like
    def result(self, timeout: float | None = None):
        return self.future.result(timeout)

    def exception(self, timeout: float | None = None):
        return self.future.exception(timeout)

    def done(self) -> bool:
        return self.future.done()

    def cancel(self) -> bool:
        return self.future.cancel()

    def add_done_callback(self, fn) -> None:
        self.future.add_done_callback(lambda _: fn(self))


def submit_training(
    config: TrainConfig,
    dataset: Dataset | None = None,
    *,
    progress: bool = False,
    time_budget: float | None = None,
    surface_resolution: int | None = None,
    snapshot_resolution: int | None = None,
    network_view: bool = False,
    resume=None,
):
    """Train ``config`` (on ``dataset`` if given) in a worker process; ``time_budget``,
    ``surface_resolution``, ``snapshot_resolution`` (replay frames; default ``train``'s),
    ``network_view`` and ``resume`` (a ``TrainResult`` to continue) as for
    ``core.training.train``.

    Returns a ``Future[TrainResult]``; with ``progress=True`` a ``TrainingJob`` (the same
    interface plus ``epochs_done()`` / ``latest()``). Errors raised in the worker come
    back from ``.result()`` with their own type (a ``ValueError`` stays a ``ValueError``),
    a note naming the worker and config, and the worker's traceback as ``__cause__``.
    """
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
    if progress:
        if snapshot_resolution is not None:
            raise ValueError("a live run's frames are the replay's: no snapshot_resolution")
        return TrainingJob(config, dataset, time_budget, surface_resolution, network_view, resume)
    return submit(
        _train_in_worker,
        config,
        dataset,
        time_budget,
        None,
        surface_resolution,
        snapshot_resolution,
        network_view,
        resume,
    )


def train_many(
    configs: Iterable[TrainConfig],
    datasets: Sequence[Dataset | None] | None = None,
    *,
    time_budget: float | None = None,
) -> list:
    """Train every config at once across the pool; results in the order given. The first
    error (in that order) is raised after the trainings not yet started are cancelled."""
    configs = list(configs)
    datasets = list(datasets) if datasets is not None else [None] * len(configs)
    if len(datasets) != len(configs):
        raise ValueError(f"{len(configs)} configs but {len(datasets)} datasets")
    futures = [submit_training(c, d, time_budget=time_budget) for c, d in zip(configs, datasets)]
    try:
        return [f.result() for f in futures]
    except BaseException:
        for f in futures:
            f.cancel()
        raise
