"""nbgrader's release_feedback, with the released pages readable by their student whatever the instructor's umask.

nbgrader copies each feedback page into the exchange with the mode it has in ``feedback/``; an instructor whose
server writes with a private umask (027, as the course's JupyterHub sets) would release pages no student can read.
The exchange's feedback folder is not listable (0711) and each page's name is a secret hash, so 0644 is what
nbgrader intends there.
"""

from __future__ import annotations

import os
import stat

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback

PAGE_MODE = 0o644


class ReadableReleaseFeedback(ExchangeReleaseFeedback):
    def copy_files(self):
        super().copy_files()
        me = os.getuid()
        for entry in os.scandir(self.dest_path):
            st = entry.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and st.st_uid == me and stat.S_IMODE(st.st_mode) != PAGE_MODE:
                os.chmod(entry.path, PAGE_MODE)
