"""The project installs from its own files: pyproject and environment.yml agree."""
from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import ROOT


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    out = {}
    for line in reqs:
        req = Requirement(line)
        out[req.name.lower()] = str(req.specifier)
    return out


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            continue  # the pip: section installs cxkit itself
        name, spec = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep).groups()
        if name in {"python", "pip"}:
            continue
        out[name.lower()] = str(Requirement(f"{name}{spec.replace(' ', '')}").specifier)
    return out


def test_environment_yml_matches_pyproject():
    assert _conda_requirements() == _pyproject_requirements()


def test_core_pins_from_the_product_definition():
    reqs = _pyproject_requirements()
    assert Requirement("x" + reqs["lifelines"]).specifier == Requirement("x>=0.30.1,<0.31").specifier
    assert Requirement("x" + reqs["pandas"]).specifier == Requirement("x>=2.2,<3").specifier
    for name in ["jupyterlab", "seaborn", "scikit-learn", "nbval", "papermill", "nbconvert", "scipy"]:
        assert name in reqs


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    command = re.search(r"```(?:bash|sh)?\n(make test)\n```", readme)
    assert command, "README must show the test command in its own code block"
    assert command.group(1) in ci.splitlines()


def test_required_top_level():
    for name in ["notebooks", "cxkit", "data/sample", "tests", "environment.yml", "README.md"]:
        assert (ROOT / name).exists(), name


def test_notebooks_follow_conventions():
    import json

    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert notebooks
    for path in notebooks:
        nb = json.loads(path.read_text())
        assert nb["metadata"]["kernelspec"]["name"] == "python3", path.name
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert "parameters" in code[0]["metadata"].get("tags", []), path.name
        assert "data_dir" in "".join(code[0]["source"]), path.name
        counts = [c["execution_count"] for c in code]
        assert counts == list(range(1, len(code) + 1)), f"{path.name}: run all from a fresh kernel"
        assert any(re.search(r"^\s*assert\b", "".join(c["source"]), re.M) for c in code), path.name
        for cell in code:
            for out in cell.get("outputs", []):
                assert out.get("name") != "stderr", f"{path.name}: warning in stored output"
                assert "image/svg+xml" not in out.get("data", {}), f"{path.name}: use PNG figures"


def test_readme_lists_every_notebook_parameter():
    from cxkit.report import find_notebooks, notebook_parameters

    readme = (ROOT / "README.md").read_text()
    for path in find_notebooks(ROOT / "notebooks"):
        missing = [p for p in notebook_parameters(path) if f"`{p}`" not in readme]
        assert not missing, f"{path.name}: README does not list {missing}"


def test_notebook_cells_stay_short():
    """Notebooks tell the story and call cxkit: no code cell longer than about 15 lines.

    The parameters cell is a list of settings, one per line (papermill sees no other form), so
    it is held to one assignment per line instead (tests/test_parameters.py)."""
    import json

    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text())["cells"]):
            if cell["cell_type"] == "code" and "parameters" not in cell["metadata"].get("tags", []):
                n = len("".join(cell["source"]).splitlines())
                assert n <= 15, f"{path.name} cell {i}: {n} lines"


def test_the_version_is_written_once():
    import tomllib

    import cxkit

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cxkit.__version__ == project["version"]
    assert project["version"] not in (ROOT / "cxkit" / "__init__.py").read_text()   # read from the metadata
