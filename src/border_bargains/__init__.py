"""Border Bargains: the course's helper package.

Every notebook imports this package (``import border_bargains as bb``) for
data (``bb.load``), widget exercises (``bb.assignment``, ``bb.practice``),
viewers and charts. Heavy libraries (pandas, ipywidgets, matplotlib) are
imported only when first used, so ``import border_bargains`` stays fast in
every kernel, including nbgrader's.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> (module, attribute)
_LAZY = {
    "load": ("student.datasets", "load"),
    "list_datasets": ("student.datasets", "list_datasets"),
    "series": ("student.datasets", "series"),
    "DatasetError": ("student.datasets", "DatasetError"),
    "assignment": ("student.course", "assignment"),
    "practice": ("student.course", "practice"),
    "Assignment": ("student.course", "Assignment"),
    "SideBySide": ("student.side_by_side", "SideBySide"),
    "SeriesExplorer": ("student.explorers", "SeriesExplorer"),
    "line_chart": ("student.plots", "line_chart"),
    "bar_chart": ("student.plots", "bar_chart"),
    "OKABE_ITO": ("student.plots", "OKABE_ITO"),
    "cite": ("student.side_by_side", "cite"),
    "guide_link": ("student.side_by_side", "guide_link"),
    "print_wrapped": ("student.tables", "print_wrapped"),
}

__all__ = sorted(_LAZY)

try:  # left-align the text columns of tables shown in a notebook (see tables.py); never stops an import
    from border_bargains.student.tables import register as _register_tables

    _register_tables()
except Exception:  # pragma: no cover
    pass


def __getattr__(name: str):
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'border_bargains' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attribute)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
