"""Remove per-cell execution timestamps that nbconvert records, so re-running a lesson gives a clean diff.

Usage: python tools/strip_timing.py lessons/*.ipynb
"""

import sys

import nbformat

for name in sys.argv[1:]:
    nb = nbformat.read(name, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.metadata.pop("execution", None) is not None:
            changed = True
    if changed:
        nbformat.write(nb, name)
        print(f"stripped timing from {name}")
