# shellcheck shell=bash
# Sourced by .ci/run: makes sure the tests have a real PostgreSQL 15 in DATABASE_URL.
# When DATABASE_URL is already set, nothing happens. Otherwise this installs the Debian package if
# it is missing, creates a throwaway cluster in a temporary directory (initdb + pg_ctl, loopback
# only, a random free port, trust auth), creates the `candor` database, exports DATABASE_URL, and
# registers an EXIT trap that stops the cluster and removes the directory.

candor_pg_start() {
  if [ -n "${DATABASE_URL:-}" ]; then
    echo "== postgres: using the DATABASE_URL already set"
    return 0
  fi

  local sudo=""
  if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi

  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "== postgres: installing the Debian package"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
    bindir="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi

  # initdb refuses to run as root: run the cluster as the `postgres` user the package creates.
  local as=()
  if [ "$(id -u)" -eq 0 ]; then
    id -u postgres >/dev/null 2>&1 || useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres
    as=(runuser -u postgres --)
  fi

  CANDOR_PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/candor-pg.XXXXXX")"
  chmod 755 "$CANDOR_PG_DIR"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$CANDOR_PG_DIR"; fi

  local port
  port="$(node -e "const s=require('node:net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"

  "${as[@]}" "$bindir/initdb" -D "$CANDOR_PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 >"$CANDOR_PG_DIR/initdb.log" 2>&1 ||
    { cat "$CANDOR_PG_DIR/initdb.log"; return 1; }
  "${as[@]}" "$bindir/pg_ctl" -D "$CANDOR_PG_DIR/data" -l "$CANDOR_PG_DIR/server.log" -w \
    -o "-h 127.0.0.1 -p $port -k $CANDOR_PG_DIR -c max_connections=200" start >/dev/null ||
    { cat "$CANDOR_PG_DIR/server.log"; return 1; }
  CANDOR_PG_CTL=("${as[@]}" "$bindir/pg_ctl" -D "$CANDOR_PG_DIR/data")
  trap candor_pg_stop EXIT

  "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres candor
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/candor"
  echo "== postgres: $("$bindir/postgres" --version) on 127.0.0.1:$port (throwaway cluster)"
}

candor_pg_stop() {
  local status=$?
  if [ -n "${CANDOR_PG_DIR:-}" ] && [ -d "$CANDOR_PG_DIR" ]; then
    "${CANDOR_PG_CTL[@]}" stop -m fast -w >/dev/null 2>&1 || true
    rm -rf "$CANDOR_PG_DIR" || true
  fi
  return "$status"
}

candor_pg_start
