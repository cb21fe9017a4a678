# The whole stack under one var directory: MariaDB, the pool, nginx (sourced;
# needs common.sh, mariadb.sh, nginx.sh, pool.sh). scripts/run uses var/,
# scripts/test uses var/test/; neither touches the other's files.
#
# Layout under VAR:
#   medikeep-fcgi.conf          the pool's configuration (rewritten on each start)
#   mariadb/                    MariaDB's data directory
#   data/                       the pool's data directory (secrets, stored files)
#   initial-admin-password      the generated first admin password (if any)
#   run/                        sockets and pid files
#   log/                        app.log, mariadb.log
#   nginx/                      nginx prefix: conf/, logs/, tmp/

mk_stack_pidfile() { printf '%s\n' "$1/run/medikeep-fcgi.pid"; }
mk_stack_socket() { printf '%s\n' "$1/run/medikeep-fcgi.sock"; }

# mk_stack_running VAR: true when pool and nginx both run.
mk_stack_running() {
    mk_pid_of "$(mk_stack_pidfile "$1")" >/dev/null && mk_pid_of "$1/nginx/logs/nginx.pid" >/dev/null
}

# mk_stack_write_config VAR DBNAME LOGFILE [KEY=VALUE...]: the pool's configuration
# for this var directory; LOGFILE empty = log to stderr.
mk_stack_write_config() {
    local var="$1" db="$2" log="$3"; shift 3
    mkdir -p "$var/data" "$var/run" "$var/log"
    chmod 0700 "$var/data"
    mk_pool_write_config "$var/medikeep-fcgi.conf" \
        "listen=unix:$(mk_stack_socket "$var")" \
        "pid_file=$(mk_stack_pidfile "$var")" \
        "log_file=$log" \
        "data_dir=$var/data" \
        "sql_dir=$MK_ROOT/sql" \
        "initial_admin_password_file=$var/initial-admin-password" \
        "db_socket=$(mk_db_sock "$var")" \
        "db_user=root" \
        "db_name=$db" \
        "$@"
}

# mk_stack_start VAR BINDIR PORT FACTOR READ_TIMEOUT [POOL_LOG]: starts the
# pool (MariaDB must run) and nginx on 127.0.0.1:PORT, then waits for health.
mk_stack_start() {
    local var="$1" bin="$2" port="$3" factor="$4" read_timeout="$5" log="${6:-}"
    if ! mk_pid_of "$var/nginx/logs/nginx.pid" >/dev/null && ! mk_port_free "$port"; then
        mk_die "port $port on 127.0.0.1 is taken by another program (choose another port)"
    fi
    if ! mk_pool_start "$bin" "$var/medikeep-fcgi.conf" "$(mk_stack_pidfile "$var")" "$log"; then
        [ -z "$log" ] || mk_tail_logs "$log"
        mk_die "medikeep-fcgi exited at start (see above)"
    fi
    mk_nginx_render "$var/nginx" "127.0.0.1:$port" "unix:$(mk_stack_socket "$var")" "$factor" \
        "$read_timeout" "$var/data/files"
    mk_nginx_start "$var/nginx"
    mk_log "waiting for http://127.0.0.1:$port/api/v1/system/health"
    if ! mk_wait_http "http://127.0.0.1:$port/api/v1/system/health" 60; then
        mk_tail_logs "$var/log/app.log" "$var/nginx/logs/error.log" "$var/log/mariadb.log"
        mk_die "the stack did not become healthy within 60 s (GET /api/v1/system/health answers $(mk_http_status "http://127.0.0.1:$port/api/v1/system/health")); logs above"
    fi
}

# mk_scheduler_start VAR BINDIR: runs the jobs of systemd/medikeep-jobs-*.timer on
# their schedule (scripts/lib/scheduler.py, in the background; its log and the jobs'
# JSON lines in VAR/log/jobs.log). A timer file it cannot read stops the start.
mk_scheduler_start() {
    local var="$1" bin="$2" pidfile="$1/run/scheduler.pid"
    ! mk_pid_of "$pidfile" >/dev/null || return 0
    python3 "$MK_LIB/scheduler.py" --timers "$MK_ROOT/systemd" --print >/dev/null ||
        mk_die "the timer definitions in systemd/ cannot be scheduled (see above)"
    mkdir -p "$var/log" "$var/run"
    # Its own lines and a crash's traceback both end in jobs.log (appends, not a pipe).
    # shellcheck disable=SC2094
    setsid python3 "$MK_LIB/scheduler.py" --timers "$MK_ROOT/systemd" --jobs "$bin/medikeep-jobs" \
        --config "$var/medikeep-fcgi.conf" --log "$var/log/jobs.log" --pid-file "$pidfile" \
        </dev/null >>"$var/log/jobs.log" 2>&1 &
    local i
    for ((i = 0; i < 50; i++)); do
        mk_pid_of "$pidfile" >/dev/null && { mk_log "job scheduler started (log: $var/log/jobs.log)"; return 0; }
        sleep 0.1
    done
    mk_die "the job scheduler did not start; see $var/log/jobs.log"
}

# mk_scheduler_stop VAR: stops the job scheduler (running jobs get 20 s to finish).
mk_scheduler_stop() {
    mk_stop_pidfile "$1/run/scheduler.pid" "job scheduler" 25
}

# mk_stack_stop VAR: stops the job scheduler, nginx, the pool and MariaDB, in that
# order, if they run.
mk_stack_stop() {
    mk_scheduler_stop "$1"
    mk_nginx_stop "$1/nginx"
    mk_pool_stop "$(mk_stack_pidfile "$1")"
    mk_db_stop "$1"
}

# mk_show_admin_password VAR: prints the generated first-admin password once.
mk_show_admin_password() {
    local file="$1/initial-admin-password"
    [ -s "$file" ] && [ ! -e "$file.shown" ] || return 0
    printf '\n  First start: the administrator is "admin" with the password\n\n      %s\n\n' "$(cat "$file")"
    printf '  (kept in %s; change it after logging in)\n\n' "$file"
    : >"$file.shown"
}
