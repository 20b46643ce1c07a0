"""The board deck: one editable slide per finding, its chart and footer, the actions, and escaped data as text."""
from __future__ import annotations

import io
import zipfile

import matplotlib.pyplot as plt
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Emu

from cxkit.board.deck import Slide, footer_text, plain_text, write_deck
from cxkit.errors import ArgumentError
from cxkit.findings import Finding
from cxkit.narrative import escape, money_text, p_text

SCRIPT, IMG = "<script>alert(1)</script>", "<img src=x onerror=alert(1)>"

NPS = Finding(theme="metrics", key="nps", what="NPS", sentence="NPS is **31.0** (95% interval 27.5 to 34.4).",
              estimate=31.0, low=27.5, high=34.4, unit="points", period="the 12 months to 31 Dec 2025",
              base={"answers": 2890, "customers": 1200}, test="Welch t-test", p_value=0.0031, direction="higher")
CLV = Finding(theme="clv", key="forecast:clv_total", what="CLV", estimate=1.2e6, low=1.1e6, high=1.3e6, currency="£",
              sentence=f"Today's customers are worth **{money_text(1.2e6, '£')}**, about *£1.2m*, over the next "
                       "12 months.", period="the next 12 months", base={"customers": 5000})
HOSTILE = Finding(theme="drivers", key="segment", what="a segment named by the data",
                  sentence=f"The segment {escape(SCRIPT)} and the channel {escape(IMG)} lead on **42%**.",
                  estimate=42.0, unit="%", base={"answers": 812})
LONG = Finding(theme="spend", key="long", what="a long sentence",
               sentence="Dissatisfied customers and satisfied ones differ in the typical customer but not clearly on "
                        "average: the mean is 112 against 66 (a difference of +46, 95% interval -7 to +99; p = 0.090) "
                        "while the median 16 against 25 (p = 0.040); the five largest customers hold 50% of the "
                        "dissatisfied customers' value (79 customers).")
ACTIONS = ["Call back every **unresolved** contact within a day.", "Fix the *billing* letter first.",
           f"Ask {escape('Club & Co')} why they leave."]
APPENDIX = ["Intervals are 95% bootstrap intervals.", "CLV is discounted at 10% a year."]


def _png(figsize=(4, 3)) -> bytes:
    fig, ax = plt.subplots(figsize=figsize)
    ax.bar(["a", "b"], [1, 2])
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    plt.close(fig)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One deck: a Figure chart, PNG bytes, a PNG file, and two slides without a chart."""
    folder = tmp_path_factory.mktemp("deck")
    png_file = folder / "clv.png"
    png_file.write_bytes(_png((3, 4)))
    fig, ax = plt.subplots(figsize=(5, 2.5))
    ax.plot([1, 2, 3], [3, 1, 2])
    slides = [Slide(NPS, fig, meaning="NPS is *above* the goal of 30."), Slide(CLV, png_file),
              Slide(HOSTILE, meaning=f"Say {escape(IMG)} as written."), Slide(LONG, _png())]
    path = write_deck(folder / "out" / "board.pptx", slides, title="Customer experience, 2025",
                      subtitle="Acme Retail · data to 31 Dec 2025", period="the 12 months to 31 Dec 2025",
                      actions=ACTIONS, appendix=APPENDIX)
    yield {"path": path, "folder": folder, "slides": slides, "figure": fig, "prs": Presentation(path)}
    plt.close(fig)


def _texts(slide) -> list[str]:
    return [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]


def _named(slide, name: str):
    found = [shape for shape in slide.shapes if shape.name == name]
    return found[0] if found else None


def _pictures(slide) -> list:
    return [shape for shape in slide.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]


def test_the_deck_is_16_9_with_a_title_slide_then_findings_actions_and_appendix(built):
    prs = built["prs"]
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=1e-3)
    names = [s.slide_layout.name for s in prs.slides]
    assert names == ["Title Slide"] + ["Title Only"] * 4 + ["Title and Content"] * 2
    first = prs.slides[0]
    assert first.shapes.title.text_frame.text == "Customer experience, 2025"
    assert "Acme Retail · data to 31 Dec 2025" in _texts(first)[1]
    assert "the 12 months to 31 Dec 2025" in _texts(first)[1]
    assert prs.slides[5].shapes.title.text_frame.text == "Actions"
    assert prs.slides[6].shapes.title.text_frame.text.startswith("Appendix")


def test_nothing_is_written_but_the_deck_and_its_folder(built):
    assert sorted(p.name for p in built["folder"].rglob("*")) == ["board.pptx", "clv.png", "out"]
    assert plt.fignum_exists(built["figure"].number), "the user's figure stays open"


@pytest.mark.parametrize("i, headline", [(0, "31.0"), (1, "£1.2m"), (1, "£1,200,000"), (2, "42%")])
def test_each_finding_slide_has_its_headline_in_the_title(built, i, headline):
    finding = built["slides"][i].finding
    assert headline in finding.sentence
    title = built["prs"].slides[i + 1].shapes.title.text_frame.text
    assert title == plain_text(finding.sentence) and headline in title
    assert "*" not in title


def test_the_footer_holds_the_interval_base_period_and_test(built):
    nps_slide, clv_slide, hostile_slide, long_slide = list(built["prs"].slides)[1:5]
    nps = _named(nps_slide, "Footer").text_frame.text
    assert nps == footer_text(NPS)
    for part in ("95% interval 27.5 to 34.4 points", "2,890 answers", "1,200 customers", NPS.period,
                 "Welch t-test", p_text(NPS.p_value)):
        assert part in nps
    clv = _named(clv_slide, "Footer").text_frame.text
    assert "£1,100,000 to £1,300,000" in clv and "5,000 customers" in clv
    assert _named(hostile_slide, "Footer").text_frame.text == "base: 812 answers"
    assert _named(long_slide, "Footer") is None        # nothing to say: no empty box


def test_a_picture_on_slides_with_a_chart_and_none_without(built):
    prs = built["prs"]
    for slide_spec, slide in zip(built["slides"], list(prs.slides)[1:5], strict=True):
        pictures = _pictures(slide)
        assert len(pictures) == (0 if slide_spec.chart is None else 1)
    for slide in (prs.slides[0], prs.slides[5], prs.slides[6]):
        assert not _pictures(slide)


def test_charts_keep_their_aspect_and_fit_between_title_and_footer(built):
    prs = built["prs"]
    for slide in list(prs.slides)[1:5]:
        for picture in _pictures(slide):
            px_w, px_h = picture.image.size
            assert picture.width / picture.height == pytest.approx(px_w / px_h, rel=0.01)
            title = slide.shapes.title
            assert picture.top >= title.top + title.height
            assert picture.left >= 0 and picture.left + picture.width <= prs.slide_width
            below = [s.top for s in slide.shapes if s.name in ("Footer", "Meaning")]
            assert all(picture.top + picture.height <= top for top in below)
    meaning = _named(prs.slides[1], "Meaning")
    assert meaning.text_frame.text == "NPS is above the goal of 30."


def test_a_figure_is_drawn_at_150_dpi(built):
    picture = _pictures(built["prs"].slides[1])[0]
    fig = built["figure"]
    px_w, _ = picture.image.size
    assert fig.get_figwidth() * 150 * 0.8 <= px_w <= fig.get_figwidth() * 150 * 1.1   # bbox "tight" trims the margin


def test_long_sentences_are_wrapped_and_sized_to_fit_the_title(built):
    prs = built["prs"]
    short, long = prs.slides[1].shapes.title, prs.slides[4].shapes.title
    size_short = short.text_frame.paragraphs[0].runs[0].font.size.pt
    size_long = long.text_frame.paragraphs[0].runs[0].font.size.pt
    assert size_long < size_short and size_long >= 12
    assert long.text_frame.word_wrap is True
    # a rough independent bound: characters half an em wide, lines 1.2 em apart
    text = long.text_frame.text
    lines = -(-len(text) * 0.5 * size_long // Emu(long.width).pt)
    assert lines * 1.2 * size_long <= Emu(long.height).pt


def test_each_action_is_a_bullet_in_plain_text(built):
    body = built["prs"].slides[5].placeholders[1].text_frame
    assert [p.text for p in body.paragraphs] == [plain_text(a) for a in ACTIONS]
    assert "Call back every unresolved contact within a day." in body.text
    assert "Ask Club & Co why they leave." in body.text
    appendix = built["prs"].slides[6].placeholders[1].text_frame
    assert [p.text for p in appendix.paragraphs] == APPENDIX


def test_escaped_data_shows_as_literal_text_never_as_markup(built):
    title = built["prs"].slides[3].shapes.title.text_frame.text
    assert SCRIPT in title and IMG in title
    assert IMG in _named(built["prs"].slides[3], "Meaning").text_frame.text
    with zipfile.ZipFile(built["path"]) as z:
        xml = z.read("ppt/slides/slide4.xml").decode("utf-8")
        every = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml and "&lt;img src=x onerror=alert(1)&gt;" in xml
    assert "<script" not in every and "<img" not in every


def test_many_bullets_continue_on_a_second_slide(tmp_path):
    path = write_deck(tmp_path / "d.pptx", [], title="T", actions=[f"Action {i}." for i in range(10)])
    slides = list(Presentation(path).slides)
    assert [s.shapes.title.text_frame.text for s in slides] == ["T", "Actions", "Actions (continued)"]
    bullets = [p.text for s in slides[1:] for p in s.placeholders[1].text_frame.paragraphs]
    assert bullets == [f"Action {i}." for i in range(10)]


def test_no_slides_gives_the_title_and_actions_and_a_bare_finding_is_a_slide(tmp_path):
    path = write_deck(tmp_path / "empty.pptx", [], title="Board", actions=["Act."])
    assert [s.slide_layout.name for s in Presentation(path).slides] == ["Title Slide", "Title and Content"]
    path = write_deck(tmp_path / "bare.pptx", [NPS], title="Board")
    slides = list(Presentation(path).slides)
    assert len(slides) == 2 and not _pictures(slides[1])
    assert slides[1].shapes.title.text_frame.text == plain_text(NPS.sentence)


@pytest.mark.parametrize("chart, words", [(b"GIF89a not a png", "not a PNG"), (object(), "got object"),
                                          ("no/such/chart.png", "does not exist"), (12, "got int")])
def test_a_chart_that_is_not_a_png_is_refused_naming_the_slide(tmp_path, chart, words):
    with pytest.raises(ArgumentError, match=words) as caught:
        write_deck(tmp_path / "bad" / "deck.pptx", [Slide(NPS), Slide(CLV, chart)], title="Board")
    assert "slides[1].chart" in str(caught.value) and "slide 2" in str(caught.value)
    assert "forecast:clv_total" in str(caught.value)
    assert not (tmp_path / "bad").exists()


def test_other_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ArgumentError, match=r"slides\[0\]"):
        write_deck(tmp_path / "d.pptx", ["NPS is 31."], title="Board")
    with pytest.raises(ArgumentError, match=r"slides\[1\]\.finding"):
        write_deck(tmp_path / "d.pptx", [NPS, Slide("NPS is 31.")], title="Board")
    with pytest.raises(ArgumentError, match="title"):
        write_deck(tmp_path / "d.pptx", [], title="  ")
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------- plain_text and footer_text


@pytest.mark.parametrize("markdown, plain", [
    ("NPS is **31.0**.", "NPS is 31.0."),
    ("*Club* members and __all__ the _rest_.", "Club members and all the rest."),
    ("a snake_case name and 2 * 3", "a snake_case name and 2 3"),
    (r"literal \*stars\* and \_under\_ and \\ back", "literal *stars* and _under_ and \\ back"),
    ("&lt;b&gt; &amp;lt; &#40;x&#41; &#x27;q&#x27;", "<b> &lt; (x) 'q'"),
    ("two\nlines  here ", "two lines here"),
])
def test_plain_text_removes_emphasis_and_undoes_escapes(markdown, plain):
    assert plain_text(markdown) == plain


@given(st.text(max_size=40))
def test_plain_text_shows_escaped_data_as_written(text):
    assert plain_text(escape(text)) == " ".join(text.split())


def _finding(**fields) -> Finding:
    return Finding(theme="t", key="k", what="w", sentence="A sentence.", **fields)


def test_footer_text_leaves_out_what_the_finding_does_not_have():
    assert footer_text(_finding()) == ""
    no_interval = footer_text(_finding(estimate=31.0, base={"answers": 2890}, period="2025"))
    assert no_interval == "base: 2,890 answers · 2025"
    no_base = footer_text(_finding(estimate=31.0, low=27.5, high=34.4, unit="points", test="z-test"))
    assert no_base == "95% interval 27.5 to 34.4 points · z-test"
    assert footer_text(_finding(estimate=0.5, low=0.25, high=0.75, ci=0.9)) == "90% interval 0.25 to 0.75"
    assert footer_text(_finding(estimate=77.1, low=75.6, high=78.5, unit="%")) == "95% interval 75.6 to 78.5%"


@pytest.mark.parametrize("currency, interval", [
    ("£", "£1,100,000 to £1,300,000"), ("GBP", "1,100,000 GBP to 1,300,000 GBP"),
    (None, "1,100,000 to 1,300,000"), ("$", "$4.50 to $7.25"),
])
def test_footer_text_writes_money_with_its_currency(currency, interval):
    low, high = (4.5, 7.25) if currency == "$" else (1.1e6, 1.3e6)
    text = footer_text(_finding(estimate=(low + high) / 2, low=low, high=high, currency=currency))
    assert text == f"95% interval {interval}"


def test_footer_text_writes_p_values_as_the_reports_do():
    assert footer_text(_finding(p_value=0.0004, test="Cox model, Wald test")) == "Cox model, Wald test, p < 0.001"
    assert footer_text(_finding(p_value=0.0312)) == "p = 0.031"
