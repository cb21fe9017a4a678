# Building and running the medikeep-fcgi pool (sourced; needs common.sh).

# mk_build debug|release: builds the package; prints the directory of the binaries.
mk_build() {
    local mode="$1"
    mk_log "building ($mode)"
    (cd "$MK_ROOT" && swift build -c "$mode" >&2) || mk_die "swift build -c $mode failed"
    (cd "$MK_ROOT" && swift build -c "$mode" --show-bin-path)
}

# mk_pool_write_config FILE KEY=VALUE...: writes a pool configuration file.
mk_pool_write_config() {
    local file="$1" kv; shift
    {
        printf '# Written by scripts/ on each start; edit scripts/ or use MEDIKEEP_<KEY> instead.\n'
        printf '# Every key: config/medikeep-fcgi.conf.example and docs/configuration.md.\n'
        for kv in "$@"; do printf '%s = %s\n' "${kv%%=*}" "${kv#*=}"; done
    } >"$file"
}

# mk_pool_env_unset: sets MK_POOL_ENV_UNSET to `env` arguments that drop the
# scripts' own MEDIKEEP_ variables, which are not configuration keys, from the
# pool's environment (MEDIKEEP_<KEY> overrides of real keys pass through).
mk_pool_env_unset() {
    local name
    MK_POOL_ENV_UNSET=()
    for name in $(compgen -e); do
        case "$name" in
            MEDIKEEP_HTTP_PORT | MEDIKEEP_RATE_LIMIT_FACTOR | MEDIKEEP_BUILD | MEDIKEEP_TEST_* | MEDIKEEP_E2E_*)
                MK_POOL_ENV_UNSET+=(-u "$name") ;;
        esac
    done
}

# mk_pool_start BIN CONFIG PIDFILE [LOGFILE]: starts `medikeep-fcgi serve` in its
# own session (so a Ctrl-C meant for the script does not reach it) unless it runs.
# Its stderr goes to LOGFILE, or stays on the terminal when none is given.
mk_pool_start() {
    local bin="$1" config="$2" pidfile="$3" log="${4:-}" pid i
    mk_pid_of "$pidfile" >/dev/null && return 0
    mk_log "starting medikeep-fcgi ($config)"
    mk_pool_env_unset
    if [ -n "$log" ]; then
        env "${MK_POOL_ENV_UNSET[@]}" setsid "$bin/medikeep-fcgi" serve --config "$config" \
            </dev/null >>"$log" 2>&1 9>&- &
    else
        env "${MK_POOL_ENV_UNSET[@]}" setsid "$bin/medikeep-fcgi" serve --config "$config" </dev/null 9>&- &
    fi
    pid=$!
    # The pool writes its own pid file once it listens; until then keep ours.
    for ((i = 0; i < 100; i++)); do
        [ -s "$pidfile" ] && mk_pid_of "$pidfile" >/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || { wait "$pid" || true; return 1; }
        sleep 0.1
    done
    printf '%s\n' "$pid" >"$pidfile"
}

# mk_pool_stop PIDFILE [TIMEOUT]: graceful stop (SIGTERM), killed after TIMEOUT s.
mk_pool_stop() {
    mk_stop_pidfile "$1" medikeep-fcgi "${2:-40}" TERM
}
