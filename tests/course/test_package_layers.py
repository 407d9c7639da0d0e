"""The package's layers, read from its imports: core/ imports no Jupyter library and no other layer; student/ and
nbgrader_steps/ use core/ only; instructor/ may use all. And pyproject.toml declares every library imported."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement
from sample_course import REPO

PACKAGE = REPO / "src" / "border_bargains"
LAYERS = ("core", "student", "nbgrader_steps", "instructor")
MAY_USE = {"core": set(), "student": {"core"}, "nbgrader_steps": {"core"}, "instructor": set(LAYERS),
           "top": {"student"}}
JUPYTER = {"IPython", "ipywidgets", "anywidget", "nbgrader", "nbformat", "nbconvert", "jupyter_client", "traitlets",
           "jupyter_server", "ipykernel", "tornado"}


def imports(path: Path) -> set[str]:
    """Every module ``path`` imports, anywhere in it (function-level imports included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; the course's code imports border_bargains.<layer>")
    return found


def layer_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else "top"


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_imports_run_one_way():
    wrong = []
    for path in modules():
        layer = layer_of(path)
        for name in imports(path):
            parts = name.split(".")
            if parts[0] == "border_bargains" and len(parts) > 1 and parts[1] in LAYERS:
                if parts[1] != layer and parts[1] not in MAY_USE[layer]:
                    wrong.append(f"{path.relative_to(PACKAGE)} ({layer}) imports {name}")
            if layer == "core" and parts[0] in JUPYTER:
                wrong.append(f"{path.relative_to(PACKAGE)} (core) imports {name}, a Jupyter library")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_every_layer_is_a_folder_of_the_tree():
    assert [p.name for p in sorted(PACKAGE.iterdir()) if (p / "__init__.py").exists()] == sorted(LAYERS)


def test_pyproject_declares_every_library_the_package_imports():
    declared = {Requirement(d).name.lower().replace("_", "-") for d in
                tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]}
    distributions = packages_distributions()
    needed = {}
    for path in modules():
        for name in imports(path):
            top = name.split(".")[0]
            if top == "border_bargains" or top in sys.stdlib_module_names or top == "__future__":
                continue
            for dist in distributions.get(top, [top]):
                needed.setdefault(dist.lower().replace("_", "-"), []).append(str(path.relative_to(PACKAGE)))
    missing = {d: where[:3] for d, where in needed.items() if d not in declared}
    assert not missing, f"imported but not in pyproject.toml's dependencies: {missing}"
