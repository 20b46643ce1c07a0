"""Markup in the data stays text in the reports (#13).

Channel, plan, region and segment names are data, and data can carry HTML or Markdown.
DataFrame tables escape it; board sentences written as Markdown must too, or a channel
named ``<img src=x onerror=...>`` runs its script in every reader's browser. Both
reports are built once from a folder whose names carry such payloads, then read twice:
as parsed HTML (always) and as a browser would run it (where Chromium is installed).
"""
from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from cxkit.report import run_reports

# Each payload, if it ran, would mark the page: <html data-pwned="...">. The marker's name
# is split in the payload so that the payload shown as text never contains it.
MARK = "document.documentElement.setAttribute('data-pw'+'ned','{}')"
SCRIPT = "<script>" + MARK.format("script") + "</script>"
IMG = '<img src=x onerror="' + MARK.format("img") + '">'
LINK = "[click](javascript:" + MARK.format("link") + ")"
SVG = "<svg onload=\"" + MARK.format("svg") + "\"></svg>"
PAYLOADS = {"plan": SCRIPT, "region": IMG, "channel": LINK, "segment": SVG}
CONTACT_CHANNELS = {"email": IMG, "chat": SCRIPT, "phone": LINK}


@pytest.fixture(scope="module")
def reports(tmp_path_factory, sample):
    """The start-here and CLV reports of a folder whose names carry markup (built once)."""
    data = tmp_path_factory.mktemp("payload_data")
    keep = set(sample["customers"]["customer_id"].iloc[::2])
    tables = {name: sample[name][sample[name]["customer_id"].isin(keep)].copy()
              for name in ["customers", "transactions", "surveys", "contacts"]}
    customers = tables["customers"]
    first_of = {col: customers[col].iloc[0] for col in ["plan", "region", "channel"]}
    for col in ["plan", "region", "channel"]:
        customers[col] = customers[col].where(customers[col] != first_of[col], PAYLOADS[col])
    customers["segment"] = ["Gold" if i % 3 else SVG for i in range(len(customers))]
    tables["contacts"]["channel"] = tables["contacts"]["channel"].replace(CONTACT_CHANNELS)
    for name, df in tables.items():
        df.to_csv(data / f"{name}.csv", index=False)
    out = tmp_path_factory.mktemp("payload_reports")
    results = run_reports(data, out, notebooks=["00", "03"],
                          parameters={"segment_columns": ["plan", "region", "channel", "segment"]})
    assert [(r.name, r.status) for r in results] == [("00_cx_metrics_and_gap", "ran"),
                                                     ("03_clv_segmentation", "ran")], [str(r) for r in results]
    return {r.name: r.files[0] for r in results}


class _Page(HTMLParser):
    """What a browser would build from the page: script bodies, handlers, links, text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts, self.handlers, self.links, self.text = [], [], [], []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.handlers += [(tag, name, value) for name, value in attrs if name.startswith("on")]
        if tag == "a":
            self.links += [value or "" for name, value in attrs if name == "href"]
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


@pytest.mark.parametrize("name", ["00_cx_metrics_and_gap", "03_clv_segmentation"])
def test_no_payload_becomes_markup_in_the_report(reports, name):
    page = _Page()
    page.feed(reports[name].read_text(encoding="utf-8"))
    assert not [s for s in page.scripts if "pw'+'ned" in s]
    assert not page.handlers
    assert not [href for href in page.links if href.strip().lower().startswith("javascript:")]
    assert "What to tell the board" in " ".join(page.text)


def test_board_sentences_show_the_names_as_written(reports):
    """The channel names reach the board summary (a Markdown sentence) as plain, readable text."""
    page = _Page()
    page.feed(reports["00_cx_metrics_and_gap"].read_text(encoding="utf-8"))
    sentence = next(t for t in page.text if "First-contact resolution" in t and "ranges from" in t)
    assert sum(payload in sentence for payload in CONTACT_CHANNELS.values()) == 2, sentence
    assert "&#" not in sentence and "&lt;" not in sentence


@pytest.mark.parametrize("name", ["00_cx_metrics_and_gap", "03_clv_segmentation"])
def test_no_payload_runs_in_a_browser(reports, name, tmp_path):
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
    if browser is None:
        pytest.skip("Chromium is not installed (apt-get install chromium): the report was checked as parsed "
                    "HTML only")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path}",
         "--virtual-time-budget=3000", "--dump-dom", reports[name].resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert "What to tell the board" in dom
    assert "data-pwned" not in dom
