"""Fixtures for the whole test session."""

import pytest


@pytest.fixture(scope="session", autouse=True)
def stop_training_workers_at_the_end():
    """Page tests open the Playground, which starts the training pool in the background.
    Stop it before the interpreter exits, after any start-up has finished: a pool torn
    down by interpreter exit while a worker is still starting can leave pytest waiting
    forever for a worker that never gets its stop signal."""
    yield
    from core import parallel

    parallel.shutdown()
