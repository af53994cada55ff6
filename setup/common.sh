# shellcheck shell=bash
# shellcheck disable=SC2034  # the variables below are used by the sourcing scripts
# Shared settings and helpers for the scripts in setup/. Source it, do not run it.
#
# After sourcing: REPO_ROOT, LOCAL_DIR, LOG_DIR, PG_STATE_DIR, ODOO_CONF,
# RETAIL_ADDONS and an exported, checked ODOO_PYTHON are set.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
LOCAL_DIR="$REPO_ROOT/.local"   # runtime state, git-ignored
LOG_DIR="$LOCAL_DIR/log"
PG_STATE_DIR="$LOCAL_DIR/pg"
ODOO_CONF="$LOCAL_DIR/odoo.conf"
SECRET_KEY_FILE="$LOCAL_DIR/secret.key"
DATA_DIR="$LOCAL_DIR/data"
PG_MIN_MAJOR=15

# The addons of the suite, in dependency order.
RETAIL_ADDONS=(
    retail_connector_base
    retail_connector_shopify
    retail_connector_pos
    retail_connector_accounting
    retail_sync_monitor
)

say() { printf 'setup: %s\n' "$*"; }
die() {
    printf 'setup: error: %s\n' "$*" >&2
    exit 1
}

# --- Odoo 18.0 ---------------------------------------------------------------

if [[ -z "${ODOO_PYTHON:-}" ]]; then
    if [[ -x /opt/odoo-venv/bin/python ]]; then
        ODOO_PYTHON=/opt/odoo-venv/bin/python
    else
        ODOO_PYTHON=python3
    fi
fi
export ODOO_PYTHON

# Stops with a clear message unless ODOO_PYTHON imports Odoo 18.0. Done on
# sourcing, except for scripts that set RETAIL_SETUP_WITHOUT_ODOO=1 first.
require_odoo() {
    "$ODOO_PYTHON" -c "import odoo, sys; sys.exit(odoo.release.version_info[:2] != (18, 0))" \
        >/dev/null 2>&1 && return
    die "Odoo 18.0 is a prerequisite and cannot be imported by the interpreter
  '$ODOO_PYTHON'. Install Odoo 18.0 (Community) into a Python environment, then
  point the scripts at that environment's interpreter, for example:
      export ODOO_PYTHON=/path/to/venv/bin/python
  and check with: \"\$ODOO_PYTHON\" -c 'import odoo; print(odoo.release.version)'
  See 'Prerequisites' in README.rst."
}
[[ "${RETAIL_SETUP_WITHOUT_ODOO:-0}" == 1 ]] || require_odoo

# --- PostgreSQL server binaries ------------------------------------------------

# Major version of the PostgreSQL binaries in directory $1 (empty if unknown).
pg_major_of() {
    "$1/initdb" --version 2>/dev/null | sed -n 's/^[^0-9]*\([0-9][0-9]*\).*/\1/p'
}

# Sets PG_BIN to a directory holding initdb, pg_ctl and psql of PostgreSQL 15+:
# $PG_BIN if set, else pg_config's, else the newest in /usr/lib/postgresql.
find_pg_bin() {
    local candidate major
    if [[ -n "${PG_BIN:-}" ]]; then
        [[ -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] ||
            die "PG_BIN=$PG_BIN does not contain the PostgreSQL server binaries (initdb, pg_ctl)."
        major="$(pg_major_of "$PG_BIN")"
        [[ -n "$major" && "$major" -ge "$PG_MIN_MAJOR" ]] ||
            die "PostgreSQL in PG_BIN=$PG_BIN is version ${major:-unknown}; $PG_MIN_MAJOR or newer is needed."
        export PG_BIN
        return
    fi
    while read -r candidate; do
        [[ -n "$candidate" && -x "$candidate/initdb" && -x "$candidate/pg_ctl" ]] || continue
        major="$(pg_major_of "$candidate")"
        if [[ -n "$major" && "$major" -ge "$PG_MIN_MAJOR" ]]; then
            export PG_BIN="$candidate"
            return
        fi
    done < <(
        pg_config --bindir 2>/dev/null || true
        find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -rV
    )
    die "PostgreSQL $PG_MIN_MAJOR+ server binaries (initdb, pg_ctl) not found.
  Install them (Debian/Ubuntu: apt install postgresql) or set PG_BIN to their
  directory, e.g. export PG_BIN=/usr/lib/postgresql/16/bin. See README.rst."
}

# --- Small utilities -------------------------------------------------------------

# Any Python 3 will do for the small helpers below.
helper_python() {
    if "$ODOO_PYTHON" -c '' >/dev/null 2>&1; then
        "$ODOO_PYTHON" "$@"
    else
        python3 "$@"
    fi
}

# Prints a TCP port that is free on 127.0.0.1 right now.
free_port() {
    helper_python - <<'EOF'
import socket

with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1])
EOF
}

# Succeeds when nothing listens on 127.0.0.1:$1.
port_is_free() {
    helper_python - "$1" <<'EOF'
import socket
import sys

with socket.socket() as sock:
    try:
        sock.bind(("127.0.0.1", int(sys.argv[1])))
    except OSError:
        sys.exit(1)
EOF
}

# Port of the running private cluster; fails when it is not running.
pg_port() {
    local lines
    lines="$("$REPO_ROOT/setup/pg" env 2>/dev/null)" || return 1
    sed -n 's/^PGPORT=//p' <<<"$lines"
}

# psql against the private cluster as the odoo role, quiet and strict.
run_psql() {
    local port
    port="$(pg_port)" || die "the private PostgreSQL cluster is not running (setup/pg start)."
    find_pg_bin
    "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U odoo "$@"
}

# Succeeds when database $1 exists in the private cluster.
database_exists() {
    [[ "$(run_psql -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$1'")" == 1 ]]
}

# Prints the names, among the comma-separated list $2, of modules not installed
# in database $1.
modules_missing() {
    local db="$1" modules="$2" installed module
    installed=",$(run_psql -d "$db" -Atc \
        "SELECT string_agg(name, ',') FROM ir_module_module WHERE state = 'installed'" \
        2>/dev/null || true),"
    for module in ${modules//,/ }; do
        [[ "$installed" == *",$module,"* ]] || printf '%s\n' "$module"
    done
}

mkdir -p "$LOCAL_DIR" "$LOG_DIR"
