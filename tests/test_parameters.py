"""Every parameter a notebook takes is settable by the runner and documented in the README."""
from __future__ import annotations

import re

import papermill as pm
import pytest

from conftest import ROOT
from cxkit.report import find_notebooks

#: Parameters every notebook takes, documented once above the README's table.
COMMON = {"data_dir", "columns", "files", "as_of", "load_options"}


def _readme_rows() -> dict[str, set[str]]:
    rows = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| (\d\d) \| (.*)\|$", line)
        if match:
            # parameter names are the backticked identifiers; quoted values ("12M") are not names
            rows[match.group(1)] = set(re.findall(r"`([a-z][a-z0-9_]*)`", match.group(2))) - {"as_of"}
    return rows


@pytest.mark.parametrize("notebook", find_notebooks(), ids=lambda p: p.stem)
def test_every_parameter_is_visible_to_the_runner_and_documented(notebook):
    declared = set(pm.inspect_notebook(str(notebook)))
    documented = _readme_rows()[notebook.name[:2]]
    assert declared >= COMMON
    assert documented <= declared, f"documented but not a parameter: {sorted(documented - declared)}"
    assert declared - COMMON <= documented, f"not in the README: {sorted(declared - COMMON - documented)}"


@pytest.mark.parametrize("notebook", find_notebooks(), ids=lambda p: p.stem)
def test_parameters_are_assigned_one_per_line(notebook):
    import json

    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "".join(next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))["source"])
    pairs = [line for line in source.splitlines() if re.match(r"^\s*[A-Za-z_]\w*\s*,\s*[A-Za-z_]\w*.*=", line)]
    assert not pairs, pairs
