#!/usr/bin/env bash
# Install the Debian packages the Python dependencies need (mysqlclient builds against the
# MariaDB client headers; the `mariadb` CLI is used by tests), only when they are missing.
# As root it installs them; otherwise it prints the exact command and fails.
set -euo pipefail

# libsqlite3-dev: the headers and link name lite's native SQL functions compile against (matrixone_lite/native).
PACKAGES=(pkg-config default-libmysqlclient-dev build-essential mariadb-client libsqlite3-dev)
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# The interpreter the Makefile builds the venv with (PYTHON=... make setup).
PY="${PYTHON:-python3}"
# A Debian python3 without venv/ensurepip needs python3-venv (pyenv or python.org builds have it).
if ! "$PY" -c "import venv, ensurepip" >/dev/null 2>&1; then
    missing+=(python3-venv)
fi
# mysqlclient has no Linux wheel: it compiles against Python.h, which Debian ships in python3-dev.
if ! "$PY" -c "import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()['include'], 'Python.h')))" >/dev/null 2>&1; then
    missing+=(python3-dev)
fi

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

cmd="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "setup: missing system packages: ${missing[*]}" >&2
    echo "setup: run as root:  $cmd" >&2
    exit 1
fi
