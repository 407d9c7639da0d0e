"""nbgrader's release_assignment, which never changes the modes of an exchange that exists.

nbgrader's own release makes the exchange root exactly 0777 when its mode is anything else: on a shared server
that removes the sticky bit of a 1777 exchange (after which a student can rename the instructor's folders), and
on a root-owned exchange it fails. The exchange's modes are set once, at set-up (border_bargains.exchange.setup);
a missing exchange (one laptop) is created 1777.
"""

from __future__ import annotations

import os

from nbgrader.exchange.default.release_assignment import ExchangeReleaseAssignment

from border_bargains.exchange.setup import ROOT_MODE


class KeepModesReleaseAssignment(ExchangeReleaseAssignment):
    def ensure_root(self):
        if os.path.isdir(self.root):
            return
        try:
            os.makedirs(self.root)
            os.chmod(self.root, ROOT_MODE)
        except PermissionError:
            self.fail(f"Could not create {self.root}, permission denied.")
