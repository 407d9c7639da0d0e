#!/bin/sh
# Debian packages the tests use, installed with apt-get when this machine allows it:
#   chromium   - the real browser for the JupyterLab tests (Playwright drives it)
#   bubblewrap - the OS sandbox for grading kernels (tests/nbgrader_steps/test_sandbox.py, test_grading_integrity.py)
#   postgresql - a real PostgreSQL server that tests/instructor/test_pool.py starts for itself (initdb, pg_ctl)
#   npm        - only if missing: installs JupyterHub's proxy (configurable-http-proxy) for tests/course/test_hub.py
# Never fails by itself: a test that needs a missing package skips and says why, except under CI=true,
# where it fails (see tests/conftest.py, `require`).
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's$missing for the tests (apt-get)..."
  if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/tmp/border-bargains-apt.log 2>&1; then
    echo "installed:$missing"
  else
    echo "Could not install$missing (see /tmp/border-bargains-apt.log); the tests that need them will say so."
  fi
else
  echo "Not installed:$missing; this user cannot apt-get install them, so the tests that need them will say so."
  echo "To run them: sudo apt-get install$missing"
fi
exit 0
