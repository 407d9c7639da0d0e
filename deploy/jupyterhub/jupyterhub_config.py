"""JupyterHub for one Border Bargains class on one server, with system users (the way The Littlest JupyterHub runs).

Every setting a deployment changes is an environment variable read below; deploy/README.md walks through them.
The tests run this very file (tests/course/test_hub.py) with a throw-away instructor and three students.

* Each user gets their own single-user server, run as their Unix account from the course's environment
  (`jupyterhub-singleuser` beside this Python).
* Instructors (BB_INSTRUCTORS) get the course folder (BB_COURSE_ROOT) as their Jupyter root and its
  nbgrader_config.py (formgrader, the gradebook, the course's grading steps).
* Students get their home folder, the Assignments tab for this course only, and no instructor tools:
  deploy/jupyterhub/student/ (the exchange and the course id) and config/student/ (no Formgrader, Create
  Assignment or course list: the same student view as `make lab`).
* The exchange (BB_EXCHANGE) is one shared folder; nbgrader's permissions keep students' submissions apart, and the
  course's collect (border_bargains/exchange/) trusts only each submission's owner and change time.
* Private by default: every home is made private before its server starts (students 0700; instructors' homes keep
  their instructors group, no access for others); students' servers write with umask 077, instructors' with 027
  (the instructors group shares the course folder); the hub's own files (database, cookie secret) are root's only.
"""

import os
import pwd
import stat
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # the course's environment (make install)
STUDENT_VIEW = HERE.parent.parent / "config" / "student"  # what `make lab` uses too: no instructor tools

COURSE_ROOT = Path(os.environ.get("BB_COURSE_ROOT", "/home/instructor/border-bargains"))
EXCHANGE = os.environ.get("BB_EXCHANGE", "/srv/nbgrader/exchange")
COURSE_ID = os.environ.get("BB_COURSE_ID", "border-bargains")
INSTRUCTORS = {u for u in os.environ.get("BB_INSTRUCTORS", "instructor").split(",") if u}
STATE = Path(os.environ.get("BB_HUB_STATE", "/srv/jupyterhub"))

c = get_config()  # noqa: F821

c.JupyterHub.bind_url = os.environ.get("BB_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("BB_HUB_PORT", "8081"))
c.ConfigurableHTTPProxy.command = [str(HERE / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.api_url = os.environ.get("BB_PROXY_API_URL", "http://127.0.0.1:8001")
# The hub's state is root's alone: the database (users, server ports, token hashes), the cookie secret, the proxy's pid.
os.umask(0o077)
STATE.mkdir(parents=True, exist_ok=True, mode=0o700)
STATE.chmod(0o700)
for existing in STATE.iterdir():
    if existing.is_file() and not existing.is_symlink():
        existing.chmod(0o600)
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# Who may log in: system users (PAM) by default. BB_AUTHENTICATOR=dummy is for tests only (any user, one
# shared password from BB_DUMMY_PASSWORD): never on a real server.
if os.environ.get("BB_AUTHENTICATOR") == "dummy":
    c.JupyterHub.authenticator_class = "dummy"
    c.DummyAuthenticator.password = os.environ["BB_DUMMY_PASSWORD"]
students = {u for u in os.environ.get("BB_STUDENTS", "").split(",") if u}
if students:
    c.Authenticator.allowed_users = students | INSTRUCTORS
else:
    c.Authenticator.allow_all = True  # every system user of this server may log in
c.Authenticator.admin_users = INSTRUCTORS
c.JupyterHub.load_groups = {"instructors": {"users": sorted(INSTRUCTORS)}}

# An API token for automation (the tests), only when one is given.
if os.environ.get("BB_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "course-automation", "api_token": os.environ["BB_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{"name": "course-automation", "services": ["course-automation"],
                                "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}]

c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def private_server(umask: int) -> list[str]:
    """The single-user server, started with a private umask (a shell sets it, then becomes the server)."""
    return ["/bin/sh", "-c", f'umask {umask:03o} && exec "$0" "$@"', str(BIN / "jupyterhub-singleuser")]


def make_home_private(login: str, instructor: bool) -> None:
    """Students' homes 0700; an instructor's keeps its group (the instructors may reach the course), others out."""
    home = Path(pwd.getpwnam(login).pw_dir)
    st = home.lstat()
    if not stat.S_ISDIR(st.st_mode) or st.st_uid != pwd.getpwnam(login).pw_uid:
        return  # not the user's own folder: leave it to the administrator
    mode = stat.S_IMODE(st.st_mode)
    wanted = mode & 0o750 if instructor else 0o700
    if mode != wanted:
        home.chmod(wanted)


def pre_spawn_hook(spawner):
    """Instructors: the course folder and its nbgrader config. Students: home, this course's exchange only."""
    env = spawner.environment
    env["BORDER_BARGAINS_EXCHANGE"] = EXCHANGE
    env["BB_EXCHANGE"] = EXCHANGE
    env["BB_COURSE_ID"] = COURSE_ID
    env["PATH"] = os.pathsep.join([str(BIN), os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin")])
    instructor = spawner.user.name in INSTRUCTORS
    make_home_private(spawner.user.name, instructor)
    if instructor:
        spawner.notebook_dir = str(COURSE_ROOT)
        spawner.cmd = private_server(0o027)
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(COURSE_ROOT), str(HERE / "instructor")])
    else:
        spawner.notebook_dir = "~"
        spawner.cmd = private_server(0o077)
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(HERE / "student"), str(STUDENT_VIEW)])


c.Spawner.pre_spawn_hook = pre_spawn_hook


# ---- Limits for a class (issue 19): each user's memory and CPU in a cgroup of their own, idle servers culled.
# Settings are environment variables (BB_MEM_LIMIT, BB_CPU_LIMIT, BB_CULL_TIMEOUT...): see limits.py and
# deploy/README.md, "Sizing and limits". BB_LIMITS=off leaves them all out (the benchmark's baseline).
if os.environ.get("BB_LIMITS", "on") != "off":
    import importlib.util

    _spec = importlib.util.spec_from_file_location("border_bargains_hub_limits", HERE / "limits.py")
    _limits = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = _limits
    _spec.loader.exec_module(_limits)
    _limits.apply(c)
