"""Code-free reports from executed notebooks: HTML ready to print, and PDF through a system Chromium.

A report is an executed notebook with its code hidden: :func:`export_html` leaves out the
code, the prompts and the cells tagged ``remove``, opens with the cells tagged ``summary``
and lays the pages out for paper (A4 or Letter, numbered, headings kept with what follows);
:func:`export_pdf` prints that HTML with headless Chromium (Debian's ``chromium``).

Example
-------
>>> from cxkit.notebooks import resolve_notebook
>>> html = export_html(resolve_notebook("00"), "reports/00_cx_metrics_and_gap.html")  # doctest: +SKIP
"""
from __future__ import annotations

import datetime as _dt
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

__all__ = ["PAPER_SIZES", "paper_size", "report_title", "report_cells", "export_html", "find_chromium",
           "export_pdf", "PDF_HOW_TO"]

PAPER_SIZES = {"a4": "A4", "letter": "letter"}

# Reports are read on paper too: A4 (or Letter) pages numbered in the footer, headings
# kept with the chart or table under them, tables wrapped at the page edge, and no
# type under 8 pt. Chromium draws the @page margin boxes (header and footer of its own
# are turned off in export_pdf).
_REPORT_CSS = """<style>
@page {
  size: %(size)s;
  margin: 14mm 12mm 16mm;
  @bottom-left { content: "%(footer)s"; font-family: sans-serif; font-size: 8pt; color: #55606b; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: sans-serif;
                  font-size: 8pt; color: #55606b; }
}
.jp-RenderedHTMLCommon table { font-size: 12px; table-layout: auto; max-width: 100%%; }
.jp-RenderedHTMLCommon td { white-space: normal; overflow-wrap: break-word; word-wrap: break-word; }
/* A header breaks between words only, never inside one ("respon-dents"). */
.jp-RenderedHTMLCommon th { white-space: normal; overflow-wrap: normal; word-wrap: normal; word-break: keep-all;
  hyphens: manual; }
.jp-OutputArea-output { overflow-x: auto; }
@media print {
  body, .jp-Notebook { margin: 0; padding: 0; }
  /* JupyterLab draws text cells as clipped table cells, which a printer cannot split:
     plain blocks let a long text break between paragraphs instead of moving whole. */
  .jp-InputArea, .jp-MarkdownOutput { display: block; overflow: visible !important; }
  .jp-RenderedHTMLCommon table { font-size: 9pt; }
  .jp-RenderedHTMLCommon table.dataframe th, .jp-RenderedHTMLCommon table.dataframe td { padding: 0.2em 0.4em; }
  .jp-OutputArea-output { overflow: visible !important; max-width: 100%%; }
  .jp-OutputArea-output img { max-width: 100%%; height: auto; break-inside: avoid; page-break-inside: avoid; }
  .jp-RenderedHTMLCommon h1, .jp-RenderedHTMLCommon h2, .jp-RenderedHTMLCommon h3,
  .jp-RenderedHTMLCommon h4 { break-after: avoid; page-break-after: avoid; }
  .jp-MarkdownCell:has(.celltag_cx-keep-with-next) { break-after: avoid; page-break-after: avoid; }
  .celltag_cx-keep-together { break-inside: avoid; page-break-inside: avoid; }
  .jp-OutputArea-child { break-inside: avoid; page-break-inside: avoid; }
  .jp-RenderedHTMLCommon tr, .jp-RenderedHTMLCommon li { break-inside: avoid; page-break-inside: avoid; }
}
</style>
"""

# A text cell up to this many lines (a heading and its lead) moves whole with the chart
# or table under it; a longer one may break between paragraphs.
_SHORT_TEXT_LINES = 12
_KEEP_TOGETHER = "cx-keep-together"
_KEEP_WITH_NEXT = "cx-keep-with-next"

_TH_TEXT = re.compile(r"(<th\b[^>]*>)([^<]*_[^<]*)(</th>)")
_START_HERE = re.compile(r"\s*(?:[—–-]+\s*start here|\(start here\))\s*$", re.IGNORECASE)
_NUMBER_PREFIX = re.compile(r"^\d+\s*[·.:\-—–]\s*")

def paper_size(paper: str) -> str:
    """The page size Chromium is given for ``paper`` ("A4" or "Letter", any case); a ``ValueError`` otherwise.

    Example
    -------
    >>> paper_size("letter")
    'letter'
    """
    size = PAPER_SIZES.get(str(paper).strip().lower())
    if size is None:
        raise ValueError(f"paper must be A4 or Letter, got {paper!r}")
    return size


def _tags(cell: Any) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def report_title(notebook: Any) -> str:
    """The title of a notebook's report: its first ``#`` heading, in plain words.

    A suffix such as " — start here" and a leading notebook number ("00 · ") are
    notebook navigation, not part of a report's title; Markdown emphasis is removed.

    Example
    -------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 00 · CX metrics — start here")])
    >>> report_title(nb)
    'CX metrics'
    """
    headings = []
    for cell in notebook.cells:
        if cell.get("cell_type") != "markdown":
            continue
        for line in str(cell.get("source", "")).splitlines():
            match = re.match(r"^(#{1,6})\s+(.+?)\s*#*\s*$", line)
            if match:
                headings.append((len(match.group(1)), match.group(2)))
    if not headings:
        return ""
    top = min(level for level, _ in headings)
    text = next(t for level, t in headings if level == top)
    text = re.sub(r"[*_`]+", "", text)
    text = _START_HERE.sub("", text)
    return _NUMBER_PREFIX.sub("", text).strip()


def report_cells(cells: Sequence[Any]) -> list[Any]:
    """The cells of a notebook in the order a report shows them.

    Cells tagged ``remove`` (internal checks) are left out, as are code cells that
    show nothing once the code is hidden. A section (from a Markdown cell tagged
    ``section`` up to the next cell tagged ``section``, ``summary`` or ``remove``) whose
    code cells all show nothing is left out whole, its text with it: a notebook with
    sections for different data (notebook 03: purchases or subscriptions) reports only
    those that ran. Cells tagged ``summary`` move to just after the first cell (the
    title): the report opens with its headline although the notebook computes it last.
    Otherwise the order is kept.

    Example
    -------
    >>> import nbformat
    >>> md = nbformat.v4.new_markdown_cell
    >>> cells = [md("# Title"), md("## Details"), md("## Summary", metadata={"tags": ["summary"]})]
    >>> [c.source for c in report_cells(cells)]
    ['# Title', '## Summary', '## Details']
    >>> empty = [md("## Not run", metadata={"tags": ["section"]}), nbformat.v4.new_code_cell("x = 1")]
    >>> [c.source for c in report_cells(cells[:2] + empty)]
    ['# Title', '## Details']
    """
    cells = _without_empty_sections(cells)
    kept = [c for c in cells if "remove" not in _tags(c)
            and not (c.get("cell_type") == "code" and not c.get("outputs"))]
    if not kept:
        return []
    first, rest = kept[0], kept[1:]
    return [first] + [c for c in rest if "summary" in _tags(c)] + [c for c in rest if "summary" not in _tags(c)]


def _without_empty_sections(cells: Sequence[Any]) -> list[Any]:
    """The cells without the sections (see :func:`report_cells`) whose code cells show nothing."""
    out: list[Any] = []
    section: list[Any] | None = None
    for cell in [*cells, None]:
        tags = [] if cell is None else _tags(cell)
        if section is not None and (cell is None or {"section", "summary", "remove"} & set(tags)):
            if any(c.get("cell_type") == "code" and c.get("outputs") for c in section):
                out.extend(section)
            section = None
        if cell is None:
            break
        if "section" in tags and cell.get("cell_type") == "markdown":
            section = [cell]
        elif section is not None:
            section.append(cell)
        else:
            out.append(cell)
    return out


def _short_text(source: str) -> bool:
    """Whether a Markdown cell is short enough to move to the next page whole (no table, few lines)."""
    lines = [line for line in str(source).splitlines() if line.strip()]
    if any(line.lstrip().startswith("|") for line in lines):
        return False
    return sum(1 + len(line) // 100 for line in lines) <= _SHORT_TEXT_LINES


def _css_string(text: str) -> str:
    """``text`` as the inside of a double-quoted CSS string that cannot end the <style> block."""
    out = " ".join(str(text).split()).replace("\\", "\\\\").replace('"', '\\"')
    return out.replace("<", "\\3c ").replace(">", "\\3e ")


def export_html(
    notebook: str | Path,
    output: str | Path,
    *,
    paper: str = "A4",
    date: _dt.date | None = None,
) -> Path:
    """Write a notebook as a code-free HTML report, ready to print.

    Code cells and prompts are hidden; cells tagged ``remove`` are left out and cells
    tagged ``summary`` come first, after the title (see :func:`report_cells`). The page
    title is the notebook's first heading (:func:`report_title`). Printed (or through
    :func:`export_pdf`), pages are ``paper`` size ("A4" or "Letter") with the title, the
    report date and "Page n of N" in the footer; headings stay with the chart or table
    under them.

    Parameters
    ----------
    notebook : an executed notebook.
    output : the HTML file to write.
    paper : "A4" (default) or "Letter".
    date : the report date in the footer (default: today).
    """
    import nbformat
    from nbconvert import HTMLExporter

    size = paper_size(paper)
    nb = nbformat.read(Path(notebook), as_version=4)
    title = report_title(nb) or Path(notebook).stem.replace("_", " ")
    nb.cells = report_cells(nb.cells)
    # Text that leads into a chart or table stays on its page: kept with the output
    # that follows and, when short (a heading and its lead), not split itself.
    for cell, after in pairwise(nb.cells):
        if cell.cell_type == "markdown" and after.cell_type == "code":
            extra = [_KEEP_WITH_NEXT] + ([_KEEP_TOGETHER] if _short_text(cell.source) else [])
            cell.metadata["tags"] = _tags(cell) + extra
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    day = date or _dt.date.today()
    footer = f"{title} · {day.day} {day:%B %Y}"
    css = _REPORT_CSS % {"size": size, "footer": _css_string(footer)}
    body = body.replace("</head>", css + "</head>", 1)
    # Reports hold no formulas and no widgets: leave out the maths typesetter (it would fetch
    # a script from the network and read money such as "$120 ... $80" as a formula) and the
    # widget loader, so a report opens offline as it prints.
    body = _MATHJAX.sub("", body)
    # Raw frames have one-word headers (mean_time_since_last): let them wrap at their
    # underscores, so a wide table fits the page instead of running off its edge.
    body = _TH_TEXT.sub(lambda m: m.group(1) + m.group(2).replace("_", "_<wbr>") + m.group(3), body)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(body, encoding="utf-8")
    return output


_MATHJAX = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->"
                      r"|<script src=\"https://[^\"]*require(?:\.min)?\.js\">\s*</script>", re.S)


#: How to get Chromium, for PDF reports (said when it is missing).
PDF_HOW_TO = "PDF export needs Chromium: install it (`apt-get install chromium` on Debian/Ubuntu) or use the HTML"


def find_chromium() -> str | None:
    """The path of a system Chromium (or Chrome), or None: what :func:`export_pdf` prints with."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def export_pdf(html: str | Path, output: str | Path) -> Path:
    """Print an HTML report to PDF with headless Chromium (Debian package ``chromium``).

    nbconvert's own PDF routes need LaTeX or a browser download; a system Chromium is
    the light way. Raises ``RuntimeError`` when no Chromium is installed.
    """
    browser = find_chromium()
    if browser is None:
        raise RuntimeError(PDF_HOW_TO)
    output = Path(output).resolve()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={profile}", f"--print-to-pdf={output}",
             Path(html).resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return output

