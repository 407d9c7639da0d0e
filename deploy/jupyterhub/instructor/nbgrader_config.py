"""nbgrader for an instructor's server on the course's JupyterHub: the course folder's own nbgrader_config.py
(found through JUPYTER_CONFIG_PATH) holds everything else; this only points it at the shared exchange."""

import os

c = get_config()
c.Exchange.root = os.environ.get("BB_EXCHANGE", "/srv/nbgrader/exchange")
