"""The board report as a board receives it: a PDF of two to four pages plus the appendix, and a deck.

The board notebook is run once on the sample, with a company name that carries markup and
a deck asked for; then the document is read as a browser prints it (PDF, through Debian's
Chromium, read back with ``pdftotext``) and the deck as PowerPoint opens it (python-pptx):
each headline number of the summary must be found in both, and no payload may become markup.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile

import pytest
from pptx import Presentation
from test_escaping import IMG, SCRIPT, _Page

from cxkit.report import export_html, export_pdf, resolve_notebook, run_notebook

COMPANY = f"Harbour {SCRIPT} Lane {IMG}"
HAS_PDF = shutil.which("chromium") is not None and shutil.which("pdftotext") is not None


@pytest.fixture(scope="module")
def board(tmp_path_factory, sample_dir):
    """The board notebook run once on the sample: executed notebook, HTML, deck, and the PDF where Chromium is."""
    out = tmp_path_factory.mktemp("board")
    deck = out / "board_report.pptx"
    executed = run_notebook(resolve_notebook("04"), out / "04_board_report.ipynb",
                            {"data_dir": str(sample_dir.resolve()), "company": COMPANY, "deck_path": str(deck)})
    html = export_html(executed, out / "board_report.html")
    pdf = export_pdf(html, out / "board_report.pdf") if HAS_PDF else None
    return {"executed": executed, "html": html, "deck": deck, "pdf": pdf}


def _summary_numbers(executed) -> list[str]:
    """The headline numbers of the summary: the bold figures of the numbered findings."""
    nb = json.loads(executed.read_text(encoding="utf-8"))
    lines = [" ".join(o["data"]["text/markdown"]) if isinstance(o["data"]["text/markdown"], list)
             else o["data"]["text/markdown"]
             for c in nb["cells"] if "summary" in c["metadata"].get("tags", []) for o in c.get("outputs", [])
             if "text/markdown" in o.get("data", {})]
    findings = [line for line in lines if re.match(r"^\d+\. ", line)]
    assert 5 <= len(findings) <= 7, lines
    numbers = [m for line in findings for m in re.findall(r"\*\*([^*]*\d[^*]*)\*\*", line)]
    assert len(numbers) >= 5, findings
    return [n.replace("\\", "") for n in numbers]


def test_the_deck_has_a_slide_per_finding_with_its_headline_number(board):
    deck = Presentation(str(board["deck"]))
    titles = [s.shapes.title.text for s in deck.slides if s.shapes.title is not None]
    text = "\n".join(sh.text_frame.text for s in deck.slides for sh in s.shapes if sh.has_text_frame)
    for number in _summary_numbers(board["executed"]):
        assert any(number in t for t in titles), (number, titles)
    assert "Actions" in titles and "95% interval" in text
    assert sum(any(sh.shape_type == 13 for sh in s.shapes) for s in deck.slides) >= 3   # charts as pictures


def test_markup_in_the_company_name_stays_text_in_the_deck_and_the_report(board):
    with zipfile.ZipFile(board["deck"]) as z:
        xml = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("ppt/slides/slide"))
    assert "&lt;script&gt;" in xml and "<script" not in xml
    page = _Page()
    page.feed(board["html"].read_text(encoding="utf-8"))
    assert not [s for s in page.scripts if "pw'+'ned" in s] and not page.handlers
    assert any("<script>" in t for t in page.text)       # shown as written


@pytest.mark.skipif(not HAS_PDF, reason="needs Debian's chromium and poppler-utils (apt-get install chromium "
                                        "poppler-utils)")
def test_the_pdf_is_two_to_four_pages_plus_the_appendix_with_the_headline_numbers(board):
    pages = subprocess.run(["pdftotext", "-layout", str(board["pdf"]), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    appendix = next(i for i, p in enumerate(pages) if "Appendix" in p)
    assert 2 <= appendix <= 4, f"{appendix} pages before the appendix"
    assert len(pages) - appendix <= 3, f"{len(pages) - appendix} pages of appendix"
    text = " ".join(" ".join(pages).split())
    for number in _summary_numbers(board["executed"]):
        assert number in text, number
    assert "Recommended actions" in " ".join(pages[:appendix])
