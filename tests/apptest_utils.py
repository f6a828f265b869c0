"""Opening a page under Streamlit's AppTest the way a user reaches it.

Pages are file-based (pages/), so a test starts from the entrypoint and switches page,
exactly as the sidebar link does; query parameters go in before the first run.
"""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

TIMEOUT = 120
ROOT = Path(__file__).resolve().parent.parent


def open_page(
    script: str = "app.py", query: dict | None = None, lang: str | None = None
) -> AppTest:
    """Run the app and show ``script`` (e.g. "pages/1_Playground.py")."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if lang:
        at.session_state["lang"] = lang
    at.run()
    if script != "app.py":
        at.switch_page(script).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_code(at: AppTest) -> list[str]:
    """The Playground's "show code" snippets, after opening its expander (the page
    writes the code only while it is open)."""
    at.session_state["show_code"] = True
    at.run()
    return [c.value for c in at.code if c.language == "python"]


def charts(at: AppTest) -> list[dict]:
    """Vega-Lite specs of every Altair chart on the page."""
    return [spec_with_data(el) for el in at.get("vega_lite_chart")]


def keyed_block(at: AppTest, key: str):
    """The block drawn by ``st.container(key=key)`` (its proto id ends in the key)."""
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if getattr(proto, "id", "").endswith(f"-{key}"):
            return node
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            stack.extend(children.values())
    raise AssertionError(f"no container with key {key!r}")


def chart_in(at: AppTest, key: str) -> dict:
    """The Vega-Lite spec of the chart inside ``st.container(key=key)``."""
    found = keyed_block(at, key).get("vega_lite_chart")
    assert found, f"no chart in container {key!r}"
    return spec_with_data(found[0])


def spec_with_data(element) -> dict:
    """A chart element's spec with its datasets (sent apart, as Arrow) put back in."""
    import pyarrow as pa

    spec = json.loads(element.proto.spec)
    spec["datasets"] = {
        ds.name: pa.ipc.open_stream(ds.data.data).read_all().to_pylist()
        for ds in element.proto.datasets
    }
    return spec


def mark_types(spec: dict) -> list[str]:
    """The mark types of a (layered) spec, outermost first."""
    layers = spec.get("layer", [spec])
    marks = []
    for layer in layers:
        mark = layer.get("mark")
        marks.append(mark["type"] if isinstance(mark, dict) else mark)
    return marks


def layer_rows(spec: dict, index: int = 0) -> list[dict]:
    """The data rows of layer ``index`` (Altair moves data into top-level datasets)."""
    layer = spec.get("layer", [spec])[index]
    data = layer.get("data") or spec.get("data") or {}
    if "values" in data:
        return data["values"]
    return spec["datasets"][data["name"]]
