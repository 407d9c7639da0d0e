"""nbgrader for a student's server on the course's JupyterHub (deploy/jupyterhub/jupyterhub_config.py sets these)."""

import os

c = get_config()
c.Exchange.root = os.environ.get("BB_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = os.environ.get("BB_COURSE_ID", "border-bargains")
