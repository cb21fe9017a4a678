# A private MariaDB server under a var directory (sourced; needs common.sh).
# No system service and no network: one unix socket, root without a password
# (only the owner of the var directory can reach the socket's directory).
#
# Layout under VAR: mariadb/ (datadir), run/mariadb.sock, run/mariadb.pid,
# log/mariadb.log.

mk_db_sock() { printf '%s\n' "$1/run/mariadb.sock"; }

# mariadbd refuses to run as root unless told to; as anyone else it needs nothing.
_mk_db_user_opt() { if [ "$(id -u)" -eq 0 ]; then printf '%s\n' --user=root; fi; }

# mk_db_init VAR: creates the data directory on first use.
mk_db_init() {
    local var="$1"
    [ -d "$var/mariadb/mysql" ] && return 0
    mk_log "initialising MariaDB in $var/mariadb"
    mkdir -p "$var/mariadb" "$var/run" "$var/log"
    chmod 0700 "$var/run"
    # --force only skips the host-name lookup, which fails on hosts without /etc/hosts
    # (minimal images, chroots); this server never listens on the network anyway.
    # shellcheck disable=SC2046
    mariadb-install-db --no-defaults --datadir="$var/mariadb" $(_mk_db_user_opt) \
        --auth-root-authentication-method=normal --skip-test-db --force \
        >"$var/log/mariadb-install.log" 2>&1 ||
        { mk_tail_logs "$var/log/mariadb-install.log"; mk_die "mariadb-install-db failed"; }
}

# mk_db_ping VAR: true when the server answers on its socket.
mk_db_ping() {
    mariadb-admin --no-defaults --socket="$(mk_db_sock "$1")" -uroot \
        --connect-timeout=2 ping >/dev/null 2>&1
}

# mk_db_start VAR: starts the server unless it runs, and waits until it answers.
mk_db_start() {
    local var="$1" i
    if mk_pid_of "$var/run/mariadb.pid" >/dev/null && mk_db_ping "$var"; then return 0; fi
    mkdir -p "$var/run" "$var/log"
    mk_log "starting MariaDB ($var/run/mariadb.sock)"
    # The thread pool (pool-of-threads) runs about one statement per core at a time
    # instead of one thread per connection: with a connection per pool thread on a small
    # host, a thread preempted while it held an InnoDB latch stalled the others for a
    # scheduler tick (p99 at 8 connections 3-8 ms against a p50 of 0.9 ms for /users/me;
    # 1.6-1.7 ms with the pool, same throughput). See docs/operations.md.
    # shellcheck disable=SC2046
    setsid mariadbd --no-defaults --datadir="$var/mariadb" $(_mk_db_user_opt) \
        --socket="$(mk_db_sock "$var")" --skip-networking \
        --pid-file="$var/run/mariadb.pid" --log-error="$var/log/mariadb.log" \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
        --default-time-zone=+00:00 --thread-handling=pool-of-threads \
        </dev/null >/dev/null 2>&1 9>&- &
    for ((i = 0; i < 600; i++)); do
        mk_db_ping "$var" && return 0
        sleep 0.1
    done
    mk_tail_logs "$var/log/mariadb.log"
    mk_die "MariaDB did not start within 60 s"
}

# mk_db_stop VAR: stops the server if it runs.
mk_db_stop() {
    mk_stop_pidfile "$1/run/mariadb.pid" MariaDB 60
}

# mk_db_sql VAR SQL: runs SQL as root.
mk_db_sql() {
    mariadb --no-defaults --socket="$(mk_db_sock "$1")" -uroot -e "$2"
}

# mk_db_create VAR NAME [fresh]: creates database NAME (utf8mb4); "fresh" drops it first.
mk_db_create() {
    local sql=""
    [ "${3:-}" = fresh ] && sql="DROP DATABASE IF EXISTS \`$2\`; "
    mk_db_sql "$1" "${sql}CREATE DATABASE IF NOT EXISTS \`$2\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
}
