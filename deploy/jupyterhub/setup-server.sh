#!/bin/sh
# Set up one Border Bargains class on this server, private by default (deploy/README.md, "One server, step by step").
# Run as root, from anywhere, after the instructor's account and course folder exist. Safe to run again.
#
#   BB_COURSE_ROOT=/home/instructor/border-bargains BB_INSTRUCTORS=instructor \
#     sh /home/instructor/border-bargains/deploy/jupyterhub/setup-server.sh
#
# What it does:
#   1. an `instructors` group (BB_INSTRUCTORS_GROUP) holding BB_INSTRUCTORS;
#   2. the shared environment in BB_PREFIX (default /opt/border-bargains): a virtualenv with the course's pinned
#      packages and the course package (not its folder: no keys, no gradebook), the hub's settings and its proxy;
#      owned by root, readable and runnable by everyone;
#   3. the course folder readable and writable by the instructors group only (o-rwx; new files keep the group);
#   4. the exchange (BB_EXCHANGE) and the course's folders in it, owned by the first instructor, with nbgrader's modes
#      (border_bargains.exchange.setup), so no student can take them first;
#   5. the hub's state folder (BB_HUB_STATE) private to root.
set -eu

COURSE=${BB_COURSE_ROOT:?set BB_COURSE_ROOT to the course folder}
INSTRUCTORS=${BB_INSTRUCTORS:?set BB_INSTRUCTORS to the instructors logins, comma-separated}
EXCHANGE=${BB_EXCHANGE:-/srv/nbgrader/exchange}
PREFIX=${BB_PREFIX:-/opt/border-bargains}
STATE=${BB_HUB_STATE:-/srv/jupyterhub}
COURSE_ID=${BB_COURSE_ID:-border-bargains}
GROUP=${BB_INSTRUCTORS_GROUP:-instructors}
PYTHON=${PYTHON:-python3}
SRC=$(cd "$(dirname "$0")/../.." && pwd)  # the course repository this script belongs to
say() { echo "setup-server: $*"; }
die() { echo "setup-server: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "run this as root"
[ -f "$COURSE/nbgrader_config.py" ] || die "$COURSE is not a course folder (no nbgrader_config.py)"
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null || die "$PYTHON is not Python 3.11+ (set PYTHON=)"
OWNER=${INSTRUCTORS%%,*}
for login in $(echo "$INSTRUCTORS" | tr ',' ' '); do id "$login" >/dev/null 2>&1 || die "no account $login"; done

# 1. The instructors group.
getent group "$GROUP" >/dev/null || groupadd "$GROUP"
for login in $(echo "$INSTRUCTORS" | tr ',' ' '); do usermod -a -G "$GROUP" "$login"; done
say "group $GROUP: $INSTRUCTORS"

# 2. The shared environment: root's, readable by all, no course data in it.
install -d -m 0755 -o root -g root "$PREFIX"
[ -x "$PREFIX/venv/bin/python" ] || "$PYTHON" -m venv "$PREFIX/venv"
VPY="$PREFIX/venv/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check uv==0.13.9
"$PREFIX/venv/bin/uv" pip install --quiet --python "$VPY" -r "$SRC/requirements.txt"
BUILD=$(mktemp -d)  # build the package from a copy: nothing is written into the course folder
cp -R "$SRC/pyproject.toml" "$SRC/README.md" "$SRC/src" "$BUILD/"
"$PREFIX/venv/bin/uv" pip install --quiet --python "$VPY" --no-deps --reinstall-package border-bargains "$BUILD"
rm -rf "$BUILD"
PATH="$PREFIX/venv/bin:$PATH" "$PREFIX/venv/bin/jupyter" server extension enable --sys-prefix \
  nbgrader.server_extensions.formgrader nbgrader.server_extensions.validate_assignment \
  nbgrader.server_extensions.assignment_list nbgrader.server_extensions.course_list >/dev/null 2>&1
PATH="$PREFIX/venv/bin:$PATH" "$PREFIX/venv/bin/jupyter" labextension enable --level=sys_prefix \
  @jupyter/nbgrader @jupyter-widgets/jupyterlab-manager >/dev/null 2>&1
rm -rf "$PREFIX/deploy" "$PREFIX/config"
mkdir -p "$PREFIX/deploy" "$PREFIX/config"
(cd "$SRC/deploy" && tar --exclude=node_modules -cf - jupyterhub) | (cd "$PREFIX/deploy" && tar -xf -)
(cd "$SRC/config" && tar -cf - student) | (cd "$PREFIX/config" && tar -xf -)
(cd "$PREFIX/deploy/jupyterhub" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
# Compile every module once: students cannot write root's __pycache__, so otherwise each student's server
# compiles at every start what it imports (measured: most of a server start's CPU; deploy/README.md, sizing).
"$VPY" -m compileall -q -j 0 "$PREFIX/venv/lib" >/dev/null 2>&1 || true
chown -R root:root "$PREFIX"
chmod -R a+rX,go-w "$PREFIX"
runuser -u nobody -- "$VPY" -c 'import border_bargains' 2>/dev/null \
  || die "other users cannot run $VPY (its Python lives in a private folder?): build it with a system Python, PYTHON=/usr/bin/python3"
say "shared environment: $PREFIX/venv (hub settings in $PREFIX/deploy/jupyterhub)"

# 3. The course folder: instructors only. Its parent folders must let instructors through, nobody else needs them.
chgrp -R "$GROUP" "$COURSE"
chmod -R g+rwX,o-rwx "$COURSE"
find "$COURSE" -type d -exec chmod g+s {} +
OWNER_HOME=$(getent passwd "$OWNER" | cut -d: -f6)
case "$COURSE" in "$OWNER_HOME"/*)  # the instructor's home above the course: instructors may pass, others not
  chgrp "$GROUP" "$OWNER_HOME" && chmod 0750 "$OWNER_HOME";;
esac
say "course folder $COURSE: group $GROUP, no access for others"

# 4. The exchange, its course folders made now and owned by the instructor.
"$VPY" -m border_bargains.exchange.setup --exchange "$EXCHANGE" --course-id "$COURSE_ID" --owner "$OWNER" \
  --group "$GROUP" | sed 's/^/setup-server: /'

# 5. The hub's state (database, cookie secret, proxy pid): root's only.
install -d -m 0700 -o root -g root "$STATE"
say "hub state $STATE (0700)"
say "done. Start the hub with $PREFIX/venv/bin/jupyterhub -f $PREFIX/deploy/jupyterhub/jupyterhub_config.py"
