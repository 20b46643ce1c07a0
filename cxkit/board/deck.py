"""The board report as an editable PowerPoint deck: one slide per headline finding, then the actions.

The board reads the report as a document; the analyst who must restyle it in the company
template needs it as a deck whose text is real text. Each :class:`Slide` holds one
:class:`~cxkit.findings.Finding` and its chart: the slide's title is the finding's
sentence as plain text, the chart sits under it as a picture, a sentence on what it means
under the chart, and the footer states the interval, the base, the period and the test
(written as the reports write them, with :mod:`cxkit.narrative`'s phrasing). A title
slide opens the deck, a slide of recommended actions closes it, and optional appendix
slides list the methods and assumptions.

The slides use the default template's layouts ("Title Slide", "Title Only", "Title and
Content") on a 16:9 page, so that applying the company template restyles them. Every text
given to the deck is Markdown as the reports write it (data escaped with
:func:`cxkit.narrative.escape`); :func:`plain_text` turns it into the text a slide shows.

Example
-------
>>> from cxkit.findings import Finding
>>> nps = Finding(theme="metrics", key="nps", what="NPS", estimate=31.0, low=27.5, high=34.4, unit="points",
...               period="the 12 months to 31 Dec 2025", base={"answers": 2890},
...               sentence="NPS is **31.0** (95% interval 27.5 to 34.4).")
>>> plain_text(nps.sentence)
'NPS is 31.0 (95% interval 27.5 to 34.4).'
>>> footer_text(nps)
'95% interval 27.5 to 34.4 points · base: 2,890 answers · the 12 months to 31 Dec 2025'
"""
from __future__ import annotations

import html
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib.figure
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from cxkit.display import format_money
from cxkit.errors import argument_error
from cxkit.findings import Finding
from cxkit.narrative import p_text

__all__ = ["Slide", "plain_text", "footer_text", "write_deck"]

#: The page: 16:9 at PowerPoint's default widescreen size.
SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12_192_000), Emu(6_858_000)    # 13.333 x 7.5 inches
#: Charts are drawn into the deck at this resolution: sharp on a projector, small in the file.
CHART_DPI = 150
#: Layout names of the default template (and of most company templates).
TITLE_LAYOUT, TITLE_ONLY_LAYOUT, CONTENT_LAYOUT = "Title Slide", "Title Only", "Title and Content"
#: The most bullets on one actions or appendix slide; more continue on the next slide.
MAX_BULLETS = 7

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_TITLE_SIZES = (36, 32, 28, 26, 24, 22, 20, 18, 16, 14, 12)
_BULLET_SIZES = (28, 24, 22, 20, 18, 16, 14, 12)
_MEANING_SIZES = (20, 18, 16, 14, 12)
_FOOTER_SIZES = (12, 11, 10, 9, 8)
_FOOTER_COLOUR = RGBColor(0x59, 0x59, 0x59)
_GAP = Inches(0.15)
_FOOTER_HEIGHT = Inches(0.5)
_MEANING_HEIGHT = Inches(0.8)
_INSET_X, _INSET_Y = Inches(0.1), Inches(0.05)     # a text frame's default margins
_BULLET_INDENT = Inches(0.4)

# Markdown a board sentence uses: a backslash escape (kept as its character), emphasis
# markers (asterisks anywhere: data is escaped, so a raw one is markup; underscores at a
# word's edge, as "snake_case" inside a word is not emphasis) and code-span backticks.
_MARKUP = re.compile(r"\\([!-/:-@\[-`{-~])|\*+|(?<![\w\\])_+(?=\S)|(?<=\S)_+(?!\w)|`+")


@dataclass(frozen=True)
class Slide:
    """One headline finding on one slide: the finding, its chart and what it means.

    Parameters
    ----------
    finding : the :class:`~cxkit.findings.Finding`; its sentence is the slide's title, its
        interval, base, period and test the footer.
    chart : a matplotlib Figure (saved to PNG at :data:`CHART_DPI`, not closed), PNG bytes,
        or the path of a PNG file; ``None`` leaves the body to ``meaning``.
    meaning : one plain sentence on what the finding means for the business (Markdown
        allowed), shown under the chart.

    Example
    -------
    >>> from cxkit.findings import Finding
    >>> Slide(Finding(theme="clv", key="total", what="CLV", sentence="CLV is **£1.2m**.")).chart is None
    True
    """

    finding: Finding
    chart: matplotlib.figure.Figure | bytes | str | Path | None = None
    meaning: str = ""


def plain_text(markdown: str) -> str:
    """A Markdown sentence as the plain text a slide shows: markers removed, escapes undone.

    Board sentences are Markdown with the data escaped (:func:`cxkit.narrative.escape`):
    a slide shows text, not Markdown, so the bold and italic markers go, and the escaped
    data shows as it was written (``&lt;b&gt;`` becomes ``<b>`` as text, never markup).
    Line breaks become spaces.

    Parameters
    ----------
    markdown : a sentence as the reports write it.

    Returns
    -------
    str : the sentence in plain text.

    Example
    -------
    >>> plain_text("Club members are **less** satisfied: *51.4* against 79.3 &#40;CSAT&#41;.")
    'Club members are less satisfied: 51.4 against 79.3 (CSAT).'
    >>> plain_text(r"The &lt;b&gt;Gold&lt;/b&gt; plan \\*new\\* and a \\_flag\\_ in snake_case")
    'The <b>Gold</b> plan *new* and a _flag_ in snake_case'
    """
    text = _MARKUP.sub(lambda m: m.group(1) or "", str(markdown))
    return html.unescape(" ".join(text.split()))


def _number_text(value: float) -> str:
    """A figure for the footer: whole numbers from 100, one decimal from 10, two below, two figures under 1."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 1 or size == 0:
        return f"{value:.2f}"
    decimals = 1
    while size < 10 ** (1 - decimals) and decimals < 12:   # two significant figures, never an exponent
        decimals += 1
    return f"{value:.{decimals}f}"


def _interval_part(finding: Finding) -> str | None:
    low, high = finding.low, finding.high
    if low is None or high is None:
        return None
    coverage = f"{finding.ci * 100:g}% interval"
    if finding.currency:
        decimals = 0 if max(abs(low), abs(high)) >= 10 else 2
        ends = f"{format_money(low, finding.currency, decimals=decimals)} to " \
               f"{format_money(high, finding.currency, decimals=decimals)}"
    else:
        ends = f"{_number_text(low)} to {_number_text(high)}"
    unit = finding.unit or ""
    if unit and not unit.startswith("%"):
        unit = " " + unit
    return f"{coverage} {ends}{unit}"


def _test_part(finding: Finding) -> str | None:
    parts = [finding.test] if finding.test else []
    if finding.p_value is not None:
        parts.append(p_text(finding.p_value))
    return ", ".join(parts) or None


def footer_text(finding: Finding) -> str:
    """The line under a finding's slide: its interval, base, period and test, in the reports' words.

    A board member asks "how sure are we, and of how many?": the footer answers it on
    every slide, as the reports do (intervals "27.5 to 34.4 points", money with its
    currency as :func:`cxkit.narrative.money_text` writes it, p-values as
    :func:`cxkit.narrative.p_text`). A part the finding has no data for is left out.

    Parameters
    ----------
    finding : the :class:`~cxkit.findings.Finding`.

    Returns
    -------
    str : the parts joined with " · " (plain text); "" when the finding has none.

    Example
    -------
    >>> from cxkit.findings import Finding
    >>> f = Finding(theme="metrics", key="top_vs_rest", what="NPS gap", sentence="...", estimate=31.0, low=27.5,
    ...             high=34.4, unit="points", period="the 12 months to 31 Dec 2025",
    ...             base={"answers": 2890, "customers": 1200}, test="Welch t-test", p_value=0.0031)
    >>> footer_text(f).split(" · ")  # doctest: +NORMALIZE_WHITESPACE
    ['95% interval 27.5 to 34.4 points', 'base: 2,890 answers, 1,200 customers',
     'the 12 months to 31 Dec 2025', 'Welch t-test, p = 0.003']
    >>> footer_text(Finding(theme="clv", key="total", what="CLV", sentence="...", estimate=1.2e6, low=1.1e6,
    ...                     high=1.3e6, currency="£", p_value=0.0002))
    '95% interval £1,100,000 to £1,300,000 · p < 0.001'
    """
    base = ", ".join(f"{int(n):,} {name}" for name, n in finding.base.items() if n is not None)
    parts = [_interval_part(finding), f"base: {base}" if base else None, finding.period or None, _test_part(finding)]
    return " · ".join(" ".join(str(p).split()) for p in parts if p)


# --------------------------------------------------------------------------- fitting text to a box


def _line_count(text: str, width: int, size: float) -> int:
    """Lines ``text`` takes at ``size`` points in a box ``width`` EMU wide (a generous estimate, word-wrapped)."""
    per_line = max(1, int(Emu(width).pt / (0.55 * size)))     # an average character is about half an em
    lines, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) <= per_line:
            used += 1 + len(word)
            continue
        if used:                                    # the word starts a new line
            lines += 1
        more, used = divmod(len(word) - 1, per_line)  # a word longer than a line breaks across lines
        lines, used = lines + more, used + 1
    return lines


def _fit_size(paragraphs: Sequence[str], width: int, height: int, sizes: Sequence[int]) -> int:
    """The largest of ``sizes`` (points) at which the paragraphs fit the box; the smallest when none does."""
    inner_w, inner_h = width - 2 * _INSET_X, Emu(height - 2 * _INSET_Y).pt
    for size in sizes:
        lines = sum(_line_count(p, inner_w, size) for p in paragraphs)
        gaps = 0.3 * size * max(0, len(paragraphs) - 1)
        if lines * 1.2 * size + gaps <= inner_h:
            return size
    return sizes[-1]


def _set_paragraphs(frame, paragraphs: Sequence[str], size: int, *, colour: RGBColor | None = None) -> None:
    """Write paragraphs into a text frame at one size, wrapped, shrinking on overflow when PowerPoint edits it."""
    frame.clear()
    frame.word_wrap = True
    for i, text in enumerate(paragraphs):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = text
        run.font.size = Pt(size)
        if colour is not None:
            run.font.color.rgb = colour
    frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE


# --------------------------------------------------------------------------- charts


def _slide_words(index: int, slide: Slide) -> str:
    words = plain_text(slide.finding.sentence)
    return f"finding slide {index + 1} ({slide.finding.key!r}: {words[:60]}{'...' if len(words) > 60 else ''})"


def _png(index: int, slide: Slide) -> bytes | None:
    """The slide's chart as PNG bytes, or None; anything else is an ArgumentError naming the slide."""
    chart, name = slide.chart, f"slides[{index}].chart"
    if chart is None:
        return None
    if isinstance(chart, matplotlib.figure.Figure):
        buffer = io.BytesIO()
        chart.savefig(buffer, format="png", dpi=CHART_DPI, bbox_inches="tight")
        return buffer.getvalue()
    if isinstance(chart, (bytes, bytearray)):
        data = bytes(chart)
    elif isinstance(chart, (str, Path)):
        path = Path(chart)
        if not path.is_file():
            raise argument_error(name, f"{_slide_words(index, slide)}: the chart file {str(path)!r} does not exist")
        data = path.read_bytes()
    else:
        raise argument_error(name, f"{_slide_words(index, slide)}: the chart must be a matplotlib Figure, PNG bytes "
                                   f"or a PNG file; got {type(chart).__name__}")
    if not data.startswith(_PNG_SIGNATURE) or len(data) < 24:
        raise argument_error(name, f"{_slide_words(index, slide)}: the chart is not a PNG image (a PNG starts "
                                   f"with {_PNG_SIGNATURE!r}; got {data[:8]!r})")
    return data


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _check_slides(slides: Iterable[Slide | Finding]) -> list[tuple[Slide, bytes | None]]:
    out = []
    for i, slide in enumerate(slides):
        if isinstance(slide, Finding):
            slide = Slide(slide)
        if not isinstance(slide, Slide):
            raise argument_error(f"slides[{i}]", f"slide {i + 1} must be a cxkit.board.deck.Slide (or a Finding); "
                                                 f"got {type(slide).__name__}")
        if not isinstance(slide.finding, Finding):
            raise argument_error(f"slides[{i}].finding", f"slide {i + 1}: the finding must be a "
                                                         f"cxkit.findings.Finding; got {type(slide.finding).__name__}")
        out.append((slide, _png(i, slide)))
    return out


# --------------------------------------------------------------------------- the deck


def _widen(prs) -> None:
    """Make the default 4:3 template 16:9, moving the master's and layouts' boxes with the page."""
    scale = SLIDE_WIDTH / prs.slide_width
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    for shapes in [prs.slide_master.shapes] + [layout.shapes for layout in prs.slide_layouts]:
        for shape in shapes:
            if getattr(shape._element, "xfrm", None) is not None:   # a box of its own, not inherited
                shape.left, shape.width = round(shape.left * scale), round(shape.width * scale)


def _layout(prs, name: str):
    for layout in prs.slide_layouts:
        if layout.name == name:
            return layout
    raise argument_error(None, f"the template has no layout named {name!r}")


def _title(slide, text: str, sizes: Sequence[int] = _TITLE_SIZES) -> None:
    title = slide.shapes.title
    _set_paragraphs(title.text_frame, [text], _fit_size([text], title.width, title.height, sizes))


def _drop_empty_placeholders(slide) -> None:
    for shape in list(slide.placeholders):
        if shape.has_text_frame and not shape.text_frame.text:
            shape._element.getparent().remove(shape._element)


def _title_slide(prs, title: str, subtitle: str, period: str) -> None:
    slide = prs.slides.add_slide(_layout(prs, TITLE_LAYOUT))
    _title(slide, plain_text(title))
    lines = [plain_text(t) for t in (subtitle, period) if t and plain_text(t)]
    if lines and len(slide.placeholders) > 1:
        box = slide.placeholders[1]
        _set_paragraphs(box.text_frame, lines, _fit_size(lines, box.width, box.height, _BULLET_SIZES))
    _drop_empty_placeholders(slide)


def _text_box(slide, left: int, top: int, width: int, height: int, text: str, sizes: Sequence[int],
              colour: RGBColor | None = None):
    box = slide.shapes.add_textbox(left, top, width, height)
    _set_paragraphs(box.text_frame, [text], _fit_size([text], width, height, sizes), colour=colour)
    return box


def _finding_slide(prs, slide_spec: Slide, png: bytes | None) -> None:
    slide = prs.slides.add_slide(_layout(prs, TITLE_ONLY_LAYOUT))
    _title(slide, plain_text(slide_spec.finding.sentence))
    title = slide.shapes.title
    left, width = title.left, title.width
    footer_top = SLIDE_HEIGHT - _FOOTER_HEIGHT - Inches(0.15)
    footer = footer_text(slide_spec.finding)
    if footer:
        box = _text_box(slide, left, footer_top, width, _FOOTER_HEIGHT, footer, _FOOTER_SIZES, colour=_FOOTER_COLOUR)
        box.name = "Footer"
    body_top = title.top + title.height + _GAP
    body_bottom = footer_top - _GAP
    meaning = plain_text(slide_spec.meaning) if slide_spec.meaning else ""
    if png is None:
        if meaning:
            _text_box(slide, left, body_top, width, body_bottom - body_top, meaning, _BULLET_SIZES).name = "Meaning"
        return
    if meaning:
        meaning_top = body_bottom - _MEANING_HEIGHT
        _text_box(slide, left, meaning_top, width, _MEANING_HEIGHT, meaning, _MEANING_SIZES).name = "Meaning"
        body_bottom = meaning_top - _GAP
    px_w, px_h = _png_size(png)
    area_w, area_h = width, body_bottom - body_top
    scale = min(area_w / px_w, area_h / px_h)
    pic_w, pic_h = round(px_w * scale), round(px_h * scale)
    picture = slide.shapes.add_picture(io.BytesIO(png), left + (area_w - pic_w) // 2,
                                       body_top + (area_h - pic_h) // 2, pic_w, pic_h)
    picture.name = "Chart"


def _bullet_slides(prs, title: str, lines: Sequence[str]) -> None:
    """Bullets in the body of "Title and Content" slides, at most MAX_BULLETS a slide."""
    chunks = [lines[i:i + MAX_BULLETS] for i in range(0, len(lines), MAX_BULLETS)]
    for n, chunk in enumerate(chunks):
        slide = prs.slides.add_slide(_layout(prs, CONTENT_LAYOUT))
        _title(slide, title if n == 0 else f"{title} (continued)")
        body = slide.placeholders[1]
        size = _fit_size(chunk, body.width - _BULLET_INDENT, body.height, _BULLET_SIZES)
        _set_paragraphs(body.text_frame, chunk, size)


def write_deck(path: str | Path, slides: Iterable[Slide | Finding], *, title: str, subtitle: str = "",
               actions: Iterable[str] = (), period: str = "", appendix: Iterable[str] = ()) -> Path:
    """Write the board report's findings as an editable 16:9 PowerPoint deck.

    The analyst restyles the deck in the company template and the board reads one finding
    a slide: its sentence as the title, its chart, what it means, and the interval and base
    in the footer; the actions close the deck. Text is real text (editable, searchable)
    and charts are pictures. Every text is Markdown as the reports write it and is shown
    as plain text (:func:`plain_text`). Nothing but ``path`` is written (its folder is
    created when missing), and nothing is written when an input is refused.

    Parameters
    ----------
    path : the ``.pptx`` file to write.
    slides : one :class:`Slide` per headline finding, in order (a bare
        :class:`~cxkit.findings.Finding` is a slide without a chart); may be empty.
    title : the deck's title, on its first slide.
    subtitle : under the title, e.g. the company and the data window.
    actions : the recommended actions, one bullet each, on the "Actions" slide (left out
        when there are none; more than :data:`MAX_BULLETS` continue on a second slide).
    period : the period the figures cover, on the title slide.
    appendix : lines on methods and assumptions, as bullets on appendix slides at the end.

    Returns
    -------
    Path : ``path``.

    Raises
    ------
    cxkit.errors.ArgumentError : a slide that is not a :class:`Slide`, or a chart that is
        not a Figure, PNG bytes or a PNG file (the message names the slide).

    Example
    -------
    >>> import tempfile
    >>> from cxkit.findings import Finding
    >>> nps = Finding(theme="metrics", key="nps", what="NPS", sentence="NPS is **31.0**.", estimate=31.0,
    ...               low=27.5, high=34.4, unit="points", base={"answers": 2890})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out = write_deck(Path(folder) / "board.pptx", [Slide(nps, meaning="Above the goal of 30.")],
    ...                      title="Customer experience, 2025", actions=["Call back every *unresolved* contact."])
    ...     print(out.name, len(Presentation(out).slides))
    board.pptx 3
    """
    if not isinstance(title, str) or not plain_text(title):
        raise argument_error("title", f"the deck needs a title; got {title!r}")
    checked = _check_slides(slides)
    actions = [text for text in (plain_text(a) for a in actions if a is not None) if text]
    appendix = [text for text in (plain_text(a) for a in appendix if a is not None) if text]
    prs = Presentation()
    _widen(prs)
    _title_slide(prs, title, subtitle, period)
    for slide, png in checked:
        _finding_slide(prs, slide, png)
    if actions:
        _bullet_slides(prs, "Actions", actions)
    if appendix:
        _bullet_slides(prs, "Appendix: methods and assumptions", appendix)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prs.save(path)
    return path
