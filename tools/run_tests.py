"""Run the whole test suite (what `make test` and CI call) and print how long it took.

Extra arguments go to pytest, e.g. `python tools/run_tests.py -k answers`.
"""

import subprocess
import sys
import time

start = time.monotonic()
# Two workers: most of the time goes to starting kernels and nbgrader, which overlaps well.
# Modules that share an expensive fixture are kept together (xdist_group marks, --dist loadgroup).
code = subprocess.call([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", *sys.argv[1:]])
print(f"Test suite took {time.monotonic() - start:.0f} s (budget: 600 s on 2 cores).")
if code == 5:
    print("pytest collected no tests: treating that as a failure.")
    code = 1
sys.exit(code)
