"""Run the whole test suite (what `make test` and CI call) and print how long it took.

Extra arguments go to pytest, e.g. `python tools/run_tests.py -k answers`.
"""

import subprocess
import sys
import time

start = time.monotonic()
# Two workers: most of the time goes to starting kernels and nbgrader, which overlaps well.
# Each test file runs on one worker (--dist loadfile): a module-scoped fixture (a hub, a graded class) is
# built once. (pytest-xdist 3.8 with pytest 9 ignores xdist_group marks, so --dist loadgroup does not group.)
code = subprocess.call([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadfile", *sys.argv[1:]])
print(f"Test suite took {time.monotonic() - start:.0f} s (budget: 15 minutes, 900 s, on 2 cores).")
if code == 5:
    print("pytest collected no tests: treating that as a failure.")
    code = 1
sys.exit(code)
