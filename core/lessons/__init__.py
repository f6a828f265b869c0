"""The Lessons: each tests claims of the guidance (G1-G30, M1-M12) with a small live
experiment and computes its verdict from what it measured.

Every other module of this package is one lesson: it measures, checks and draws, and
registers itself (``core.lessons.base.register``); its text and settings are its entry
in ``data/lessons.yaml``. Importing the package imports every lesson module, so adding
a lesson is one module plus its entry and its sentences. Every run is deterministic
(fixed seeds) except wall-clock timings, and each takes a few seconds at most.
"""

import importlib
import pkgutil

from core.lessons.base import (
    VERDICTS,
    Check,
    Lesson,
    LessonResult,
    combine,
    lesson_ids,
    lesson_specs,
    playground_query,
    registry,
    run_lesson,
)
from core.lessons.present import VERDICT_ICONS, check_text, display_table, lesson_charts

_SHARED = {"base", "present"}
for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _SHARED:
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "VERDICTS",
    "VERDICT_ICONS",
    "Check",
    "Lesson",
    "LessonResult",
    "check_text",
    "combine",
    "display_table",
    "lesson_charts",
    "lesson_ids",
    "lesson_specs",
    "playground_query",
    "registry",
    "run_lesson",
]
