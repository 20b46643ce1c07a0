"""The floors of cxkit: every import points down, and none hides inside a function.

From the ground up: foundations (errors and warnings, units, exclusions, parsing, files,
periods, findings), ``data/`` (the data contract), ``engines/`` (a large log summarised
where it lives), the themes, and the facade ``cxkit.folder`` that joins them. A module
may import its own floor and the floors below it; an import inside a function to dodge
a cycle means something sits on the wrong floor.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "cxkit"

#: The modules of the ground floor (``cxkit/<name>.py``).
FOUNDATIONS = frozenset({"errors", "units", "exclusions", "parsing", "files", "periods", "findings"})
#: The themes (modules or packages directly under ``cxkit/``).
THEMES = frozenset({"metrics", "value", "drivers", "spend", "experience", "survival", "clv"})


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _target(module: str, name: str | None = None) -> str:
    """The cxkit module an import names: ``from cxkit import files`` is ``cxkit.files``."""
    if name is not None and f"{module}.{name}" in MODULES:
        return f"{module}.{name}"
    return module


def _imports(path: Path, *, in_functions: bool = False) -> list[tuple[int, str]]:
    """(line, cxkit module) of each import of a cxkit module: at any depth, or only inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = ([n for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
              for n in ast.walk(f)] if in_functions else list(ast.walk(tree)))
    found: set[tuple[int, str]] = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            found.update((node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "cxkit")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "cxkit":
            found.update((node.lineno, _target(node.module, a.name)) for a in node.names)
    return sorted(found)


def _floor(module: str) -> str:
    """"foundation", "data", "engines", "theme" or "other" for a module name such as ``cxkit.data.folder``."""
    top = module.split(".")[1] if "." in module else ""
    if top in FOUNDATIONS:
        return "foundation"
    if top in ("data", "engines"):
        return top
    if top in THEMES:
        return "theme"
    return "other"


def _broken(floor: str, allowed: set[str]) -> list[str]:
    """``path:line imports module`` for every import of a module on ``floor`` that lands outside ``allowed``."""
    return [f"{path.relative_to(ROOT)}:{line} imports {target}"
            for name, path in MODULES.items() if _floor(name) == floor
            for line, target in _imports(path) if _floor(target) not in allowed]


def test_the_floors_are_where_the_house_style_puts_them():
    assert FOUNDATIONS | {"data", "engines"} <= {m.split(".")[1] for m in MODULES if "." in m}
    assert (PACKAGE / "folder.py").is_file(), "the facade cxkit/folder.py joins data, engines and the themes"


def test_no_cxkit_import_inside_a_function():
    hidden = [f"{path.relative_to(ROOT)}:{line} imports {target}"
              for path in MODULES.values() for line, target in _imports(path, in_functions=True)]
    assert not hidden, "imports inside functions (a cycle: a module on the wrong floor):\n" + "\n".join(hidden)


def test_foundations_import_only_foundations():
    assert not (bad := _broken("foundation", {"foundation"})), "\n".join(bad)


def test_data_imports_no_engine_and_no_theme():
    assert not (bad := _broken("data", {"foundation", "data"})), "\n".join(bad)


def test_engines_import_only_foundations_and_data():
    assert not (bad := _broken("engines", {"foundation", "data", "engines"})), "\n".join(bad)


@pytest.mark.parametrize("code, module, floor", [
    ("from cxkit import files", "cxkit.files", "foundation"),
    ("import cxkit.clv.summary", "cxkit.clv.summary", "theme"),
    ("from cxkit.engines.sql import find_files", "cxkit.engines.sql", "engines"),
    ("from cxkit import DataError", "cxkit", "other"),
])
def test_the_check_reads_every_form_of_import(tmp_path, code, module, floor):
    path = tmp_path / "m.py"
    path.write_text(f"def f():\n    {code}\n")
    assert _imports(path, in_functions=True) == [(2, module)] and _floor(module) == floor


#: The shared presentation floor: sentences, tables in words, column words, the house style.
PRESENTATION = frozenset({"cxkit.narrative", "cxkit.display", "cxkit.labels", "cxkit.plots"})
#: A theme's own presentation sits beside it in modules of these names, and may use the shared floor
#: (``survival.tables`` builds survival tables: core; ``clv.tables`` shows CLV tables in words).
THEME_PRESENTATION = frozenset({"sentences", "plots", "findings"})


def _presents(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in THEME_PRESENTATION or name == "cxkit.clv.tables"


def test_a_themes_core_imports_no_presentation():
    """A theme computes; its sentences, charts and findings sit beside it and are imported explicitly."""
    core = {name: path for name, path in MODULES.items()
            if _floor(name) == "theme" and not _presents(name)}
    bad = [f"{path.relative_to(ROOT)}:{line} imports {target}" for name, path in core.items()
           for line, target in _imports(path)
           if target in PRESENTATION or _presents(target)]
    assert not bad, "\n".join(bad)
    assert "cxkit.survival" in core and "cxkit.clv.summary" in core       # the check sees the themes
