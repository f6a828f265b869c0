"""Teacher mode: ready-made Playground links (data/teacher_links.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

LINKS_FILE = Path(__file__).resolve().parent.parent / "data" / "teacher_links.yaml"


@lru_cache(maxsize=1)
def teacher_links() -> tuple[dict, ...]:
    with open(LINKS_FILE, encoding="utf-8") as fh:
        return tuple(yaml.safe_load(fh))
