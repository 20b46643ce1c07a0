"""What a reader sees of a rendered report, for the tests that read reports run on other data."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path


def report_text(page: str) -> str:
    """What a reader sees of an HTML report: no tags, styles or scripts, entities decoded, spaces collapsed."""
    body = page[page.index("<body"):]
    body = re.sub(r"<(style|script)\b.*?</\1>", " ", body, flags=re.S | re.I)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def summary_text(text: str) -> str:
    """The summary: from its lead to the first numbered section."""
    start = text.index("What to tell the board")
    return text[start:text.index("1. The data", start)]


def error_outputs(executed: Path) -> list:
    """The error outputs of an executed notebook."""
    nb = json.loads(Path(executed).read_text(encoding="utf-8"))
    return [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
