"""The learner's copies of the training notebooks: no answers, no hidden tests, and they run.

First on a small notebook built here; then on every ``notebooks/training/T*.ipynb`` present,
each copy written once (one module-scoped folder) and run once, top to bottom, from the
folder it is written to.
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE_DIR
from cxkit.errors import ArgumentError, DataError
from cxkit.report import main
from cxkit.runner import QUIET_KERNEL
from cxkit.training.student import student_copies, student_copy, student_notebook

TRAINING = ROOT / "notebooks" / "training"
NOTEBOOKS = sorted(TRAINING.glob("T*.ipynb"))
#: One parameter per notebook present; a single skipped one while the folder has none.
EACH_NOTEBOOK = [pytest.param(p.name, id=p.stem) for p in NOTEBOOKS] or [
    pytest.param(None, marks=pytest.mark.skip(reason="no training notebooks in notebooks/training yet"))]


def _code(source: str, *, outputs: bool = True, **metadata) -> dict:
    stored = [{"output_type": "stream", "name": "stdout", "text": ["stored output\n"]}] if outputs else []
    return {"cell_type": "code", "execution_count": 7, "id": hashlib.md5(source.encode()).hexdigest()[:8],
            "metadata": metadata, "outputs": stored, "source": source.splitlines(keepends=True)}


ANSWER = ('answer = None   # your answer here\n### BEGIN SOLUTION\nsecret_step = 6 * 7\nanswer = secret_step\n'
          '### END SOLUTION\ncheck("T9.answer", answer)')
HIDDEN = '### BEGIN HIDDEN TESTS\nassert check("T9.answer", answer).right\n### END HIDDEN TESTS'
GRADED = {"nbgrader": {"grade": False, "grade_id": "T9-answer", "locked": False, "schema_version": 3,
                       "solution": True}}


def _demo_notebook() -> dict:
    """A small training notebook in the house's shape: parameters, an exercise, its hidden test, completion."""
    cells = [
        {"cell_type": "markdown", "id": "m1", "metadata": {},
         "source": ["# T9 · demo\n", "The answer cell below holds `### BEGIN SOLUTION` in its code."]},
        _code('data_dir = "../../data/sample"\nrandom_state = 0', outputs=False, tags=["parameters"]),
        _code("from pathlib import Path\n\nfrom cxkit.training import check, completion, exercise\n"
              "assert (Path(data_dir) / \"README.md\").is_file()\n"
              "exercise(\"T9.answer\", \"What is six times seven?\")(lambda: 42)"),
        _code(ANSWER, nbgrader=GRADED["nbgrader"]),
        _code(HIDDEN, nbgrader={**GRADED["nbgrader"], "grade": True, "grade_id": "T9-answer-test", "points": 1},
              tags=["remove"]),
        _code('visible = 1\n### BEGIN HIDDEN TESTS\nassert answer == 42\n### END HIDDEN TESTS\nvisible'),
        _code('from cxkit.display import table\n\ntable(completion("T9"), caption="Your answers in this session")'),
    ]
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                        "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture()
def demo(tmp_path) -> Path:
    """The demo notebook at ``project/notebooks/training/T9_demo.ipynb``, two floors above a data folder."""
    folder = tmp_path / "project" / "notebooks" / "training"
    folder.mkdir(parents=True)
    (tmp_path / "project" / "data" / "sample").mkdir(parents=True)
    path = folder / "T9_demo.ipynb"
    path.write_text(json.dumps(_demo_notebook(), indent=1) + "\n", encoding="utf-8")
    return path


def _source(cell: dict) -> str:
    return "".join(cell["source"])


def _regions(notebook: dict) -> tuple[set[str], set[str]]:
    """(lines inside marked regions, lines outside them) of a notebook's code cells, read here independently."""
    inside, outside = set(), set()
    for cell in notebook["cells"]:
        if cell["cell_type"] != "code":
            continue
        depth = 0
        for line in _source(cell).splitlines():
            if re.match(r"\s*### BEGIN (SOLUTION|HIDDEN TESTS)", line):
                depth += 1
            elif re.match(r"\s*### END (SOLUTION|HIDDEN TESTS)", line):
                depth -= 1
            elif line.strip():
                (inside if depth else outside).add(line.strip())
    return inside, outside


# --- a small notebook ---------------------------------------------------------------------------


def test_the_copy_loses_solutions_and_hidden_tests_and_keeps_the_first_line(demo, tmp_path):
    original = json.loads(demo.read_text())
    copy = json.loads(student_copy(demo, tmp_path / "handouts").read_text())
    code = [_source(c) for c in copy["cells"] if c["cell_type"] == "code"]
    assert len(copy["cells"]) == len(original["cells"]) - 1                    # the hidden-test cell is dropped
    answer = next(c for c in copy["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "T9-answer")
    assert _source(answer) == 'answer = None   # your answer here\ncheck("T9.answer", answer)'
    assert answer["metadata"] == original["cells"][3]["metadata"]               # nbgrader's metadata kept
    assert "visible = 1\nvisible" in code
    text = "\n".join(code)
    assert "secret_step" not in text and "assert check(" not in text and "answer == 42" not in text
    assert "BEGIN" not in text and "END" not in text
    assert copy["cells"][0] == original["cells"][0]                             # Markdown untouched


def test_the_copy_has_no_outputs_and_no_execution_counts(demo, tmp_path):
    copy = json.loads(student_copy(demo, tmp_path / "handouts").read_text())
    code = [c for c in copy["cells"] if c["cell_type"] == "code"]
    assert code and all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert any(c["outputs"] for c in json.loads(demo.read_text())["cells"] if c["cell_type"] == "code")


def test_the_copy_reads_the_originals_data_by_its_absolute_path(demo, tmp_path):
    copy = json.loads(student_copy(demo, tmp_path / "elsewhere" / "T9_copy.ipynb").read_text())
    parameters = _source(copy["cells"][1])
    expected = (demo.parent / "../../data/sample").resolve()
    assert parameters == f"data_dir = {json.dumps(str(expected))}\nrandom_state = 0"
    chosen = json.loads(student_copy(demo, tmp_path / "own", data_dir=tmp_path / "acme").read_text())
    assert json.dumps(str((tmp_path / "acme").resolve())) in _source(chosen["cells"][1])


@pytest.mark.parametrize("source, problem", [
    ("x = None\n### BEGIN SOLUTION\nx = 1\ncheck('T9.answer', x)", "line 2 has no '### END SOLUTION'"),
    ("### BEGIN HIDDEN TESTS\nassert x\n", "has no '### END HIDDEN TESTS'"),
    ("x = 1\n### END SOLUTION\n", "'### END SOLUTION' on line 2 has no '### BEGIN SOLUTION'"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS\n### END SOLUTION", "opens inside"),
    ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS", "no '### BEGIN HIDDEN TESTS'"),
])
def test_a_marker_without_its_end_names_the_notebook_and_the_cell(source, problem):
    notebook = _demo_notebook()
    notebook["cells"][3] = _code(source, nbgrader=GRADED["nbgrader"])
    with pytest.raises(DataError, match=re.escape(problem)) as err:
        student_notebook(notebook, name="T9_demo.ipynb")
    assert str(err.value).startswith("T9_demo.ipynb, cell 4") and "grade_id T9-answer" in str(err.value)


def test_the_original_is_never_overwritten_and_an_empty_folder_is_refused(demo, tmp_path):
    with pytest.raises(ArgumentError, match="overwrite"):
        student_copy(demo, demo.parent)
    with pytest.raises(ArgumentError, match="no training notebooks"):
        student_copies(tmp_path / "empty", out_dir=tmp_path / "handouts")
    with pytest.raises(DataError, match="not a Jupyter notebook"):
        student_notebook({"cells": "none"}, name="broken.ipynb")


def test_the_command_writes_one_copy_per_notebook_and_says_so(demo, tmp_path, capsys):
    (demo.parent / "T8_other.ipynb").write_text(demo.read_text())
    (demo.parent / "notes.ipynb").write_text(demo.read_text())                 # not a session: left alone
    out = tmp_path / "handouts"
    assert main(["training", "student", str(out), "--source", str(demo.parent)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(p.name for p in out.iterdir()) == ["T8_other.ipynb", "T9_demo.ipynb"]
    assert len(lines) == 2 and lines[0].startswith(str(out / "T8_other.ipynb"))
    assert main(["training", "student", str(out), "--source", str(tmp_path / "nothing")]) == 2
    assert "no training notebooks" in capsys.readouterr().err


def _run(path: Path) -> dict:
    """Run a notebook top to bottom with the python3 kernel from its own folder; the executed notebook."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, kernel_name="python3", timeout=300, extra_arguments=QUIET_KERNEL,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def _texts(cell: dict) -> str:
    return "\n".join(str(value) for out in cell.get("outputs", [])
                     for value in [out.get("text", ""), *out.get("data", {}).values()])


@pytest.mark.skipif(bool(NOTEBOOKS), reason="the copies of the training notebooks are run below")
def test_the_copy_of_a_small_notebook_runs_from_where_it_is_written(demo, tmp_path):
    (demo.parents[2] / "data" / "sample").rmdir()
    (demo.parents[2] / "data" / "sample").symlink_to(SAMPLE_DIR)
    ran = _run(student_copy(demo, tmp_path / "far" / "away"))
    assert "Not answered yet" in _texts(ran.cells[3]) and "not answered" in _texts(ran.cells[-1])


# --- the training notebooks -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def copies(tmp_path_factory) -> dict[str, Path]:
    """The learner's copy of every training notebook, written once, by name."""
    if not NOTEBOOKS:
        return {}
    out = tmp_path_factory.mktemp("handouts")
    return {path.name: path for path in student_copies(TRAINING, out_dir=out)}


@pytest.fixture(scope="module")
def executed(copies):
    """``executed(name)``: the copy run once, top to bottom, from its folder (cached for the module)."""
    done: dict[str, dict] = {}

    def run(name: str) -> dict:
        if name not in done:
            done[name] = _run(copies[name])
        return done[name]

    return run


@pytest.mark.parametrize("name", EACH_NOTEBOOK)
def test_the_copy_holds_no_answer_and_no_hidden_test(name, copies):
    inside, outside = _regions(json.loads((TRAINING / name).read_text(encoding="utf-8")))
    assert inside, f"{name} marks no solution"
    copy = copies[name].read_text(encoding="utf-8")
    code = "\n".join(_source(c) for c in json.loads(copy)["cells"] if c["cell_type"] == "code")
    lines = {line.strip() for line in code.splitlines()}
    assert not (leaked := sorted((inside - outside) & lines)), f"{name}: solution lines left in the copy: {leaked}"
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS"):
        assert marker not in code, f"{name}: {marker} left in the copy"


def _statuses(html: str) -> list[str]:
    """The last cell of each body row of a completion table's HTML."""
    body = html.split("<tbody>", 1)[-1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1].strip()
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize("name", EACH_NOTEBOOK)
def test_the_copy_runs_top_to_bottom_with_nothing_answered(name, executed):
    ran = executed(name)
    code = [c for c in ran.cells if c.cell_type == "code"]
    answers = [c for c in code if re.search(r"^check\(", c.source, re.M)]
    assert answers, f"{name}: no answer cell calls check"
    for cell in answers:
        assert "Not answered yet" in _texts(cell), f"{name}: {cell.source.splitlines()[0]}"
    last = next(c for c in reversed(code) if "completion(" in c.source)
    html = next(o["data"]["text/html"] for o in last.outputs if "text/html" in o.get("data", {}))
    statuses = _statuses(html)
    assert len(statuses) >= len(answers) and set(statuses) == {"not answered"}, statuses
