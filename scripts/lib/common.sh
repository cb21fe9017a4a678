# Shared helpers for scripts/run, scripts/stop, scripts/test (sourced, bash).
# Everything here is idempotent: calling a start twice or a stop on nothing is fine.

MK_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck disable=SC2034  # used by the scripts that source this file
MK_LIB="$MK_ROOT/scripts/lib"

# Debian packages the build, the stack and the tests need.
# pkg-config: SwiftPM asks it for the C libraries' include and link flags.
# poppler-utils (pdftotext, pdftoppm), tesseract-ocr and its English data: the text of
# lab report PDFs (POST /lab-results/{id}/ocr-parse); the tests make their PDFs with
# them too. libcurl4-openssl-dev: outbound HTTP(S) to a user's Paperless-ngx or Papra and
# to SSO identity providers (Sources/Core/Outbound).
MK_PACKAGES=(pkg-config libfcgi-dev libmariadb-dev libssl-dev libargon2-dev mariadb-server nginx wrk curl python3
    poppler-utils tesseract-ocr tesseract-ocr-eng libcurl4-openssl-dev)

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

# How long apt-get waits for another apt or dpkg to finish (seconds): on a machine
# just booted, apt-daily and unattended-upgrades may hold their locks for minutes.
MK_APT_LOCK_TIMEOUT=600

# mk_missing_packages NAME...: prints each NAME that dpkg does not list as
# installed (one dpkg-query for all; a package removed but not purged, or half
# installed, is missing too).
mk_missing_packages() {
    local status p
    status="$(dpkg-query --show --showformat='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null || true)"
    for p in "$@"; do
        grep -qxF "installed $p" <<<"$status" || printf '%s\n' "$p"
    done
}

# _mk_apt_get ARGS...: apt-get ARGS, waiting up to MK_APT_LOCK_TIMEOUT seconds in all
# for a lock another process holds. DPkg::Lock::Timeout makes apt-get wait for the
# dpkg lock itself, but not for the lists lock (apt-get update) or the archives lock
# (downloads), so a run that fails on a lock is tried again until the time is up.
# Any other failure returns at once.
_mk_apt_get() {
    local deadline=$((SECONDS + MK_APT_LOCK_TIMEOUT)) err rc
    err="$(mktemp)"
    while :; do
        rc=0
        LC_ALL=C apt-get -o "DPkg::Lock::Timeout=$((deadline - SECONDS))" "$@" 2>"$err" || rc=$?
        if [ "$rc" -ne 0 ] && grep -q '^E: Could not get lock' "$err" && [ "$SECONDS" -lt "$deadline" ]; then
            mk_log "waiting (up to $((deadline - SECONDS)) s) for another apt or dpkg: $(grep -m1 '^E: Could not get lock' "$err" | cut -c4-)"
            sleep 5
            continue
        fi
        cat "$err" >&2
        rm -f "$err"
        return "$rc"
    done
}

# mk_ensure_packages [NAME...]: installs whatever of MK_PACKAGES and NAME... is
# missing. When nothing is, apt is not run at all (no lock, no network).
mk_ensure_packages() {
    local missing
    mapfile -t missing < <(mk_missing_packages "${MK_PACKAGES[@]}" "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    [ "$(id -u)" -eq 0 ] || mk_die "missing packages (run as root or install them): ${missing[*]}"
    mk_log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    _mk_apt_get update -q || mk_die "apt-get update failed (see above)"
    _mk_apt_get install -y -q --no-install-recommends "${missing[@]}" ||
        mk_die "apt-get install ${missing[*]} failed (see above)"
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
