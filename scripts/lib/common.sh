# Shared helpers for scripts/run, scripts/stop, scripts/test (sourced, bash).
# Everything here is idempotent: calling a start twice or a stop on nothing is fine.

MK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034  # used by the scripts that source this file
MK_LIB="$MK_ROOT/scripts/lib"

# Debian packages the build, the stack and the tests need.
# pkg-config: SwiftPM asks it for the C libraries' include and link flags.
MK_PACKAGES=(pkg-config libfcgi-dev libmariadb-dev libssl-dev libargon2-dev mariadb-server nginx wrk curl python3)

mk_log() { printf '==> %s\n' "$*" >&2; }
mk_warn() { printf 'warning: %s\n' "$*" >&2; }
mk_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Swift lives in /opt/swift on the machines we set up; a toolchain on PATH wins.
mk_setup_path() {
    if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
        export PATH="/opt/swift/usr/bin:$PATH"
    fi
    command -v swift >/dev/null 2>&1 ||
        mk_die "no Swift toolchain: install Swift 6 to /opt/swift or put 'swift' on PATH"
    # Debian keeps nginx and mariadbd in sbin, which a non-login root shell may lack.
    case ":$PATH:" in *:/usr/sbin:*) ;; *) export PATH="$PATH:/usr/sbin:/sbin" ;; esac
}

# Installs the missing Debian packages (apt-get update once, only when needed).
mk_ensure_packages() {
    local missing=() p
    for p in "${MK_PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || mk_die "missing packages (run as root or install them): ${missing[*]}"
    mk_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# mk_pid_of FILE: prints the pid in FILE when that process is alive.
mk_pid_of() {
    local pid
    [ -s "$1" ] || return 1
    pid="$(tr -dc '0-9' <"$1")"
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    printf '%s\n' "$pid"
}

# mk_stop_pidfile FILE NAME TIMEOUT [SIGNAL]: signals the process in FILE, waits for
# it to exit, and after TIMEOUT seconds kills its whole process group.
mk_stop_pidfile() {
    local file="$1" name="$2" timeout="$3" sig="${4:-TERM}" pid i
    pid="$(mk_pid_of "$file")" || { rm -f "$file"; return 0; }
    mk_log "stopping $name (pid $pid)"
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
        sleep 0.1
    done
    mk_warn "$name did not stop within ${timeout}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    rm -f "$file"
}

# mk_http_status URL: the HTTP status of a GET (000 when nothing answers).
mk_http_status() {
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true
}

# mk_wait_http URL TIMEOUT: waits until URL answers 200.
mk_wait_http() {
    local url="$1" timeout="$2" start=$SECONDS
    while [ $((SECONDS - start)) -lt "$timeout" ]; do
        [ "$(mk_http_status "$url")" = 200 ] && return 0
        sleep 0.5
    done
    return 1
}

# mk_tail_logs FILE...: the end of each existing log, for a failure message.
mk_tail_logs() {
    local f
    for f in "$@"; do
        [ -s "$f" ] || continue
        printf -- '--- last lines of %s ---\n' "$f" >&2
        tail -n 25 "$f" >&2
    done
}

# mk_port_free PORT: true when nothing listens on 127.0.0.1:PORT.
mk_port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
