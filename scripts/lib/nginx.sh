# nginx under a prefix directory, from nginx/medikeep.conf.template (sourced;
# needs common.sh). Nothing outside the prefix is read or written.
#
# Layout under PREFIX: conf/nginx.conf, conf/medikeep/*.conf, logs/{error,access}.log,
# logs/nginx.pid, tmp/*.

# mk_nginx_render PREFIX LISTEN FCGI_SERVER FACTOR READ_TIMEOUT FILES_DIR
#   LISTEN        e.g. 127.0.0.1:8080
#   FCGI_SERVER   the upstream server: unix:/abs/path.sock or 127.0.0.1:9000
#   FACTOR        MEDIKEEP_RATE_LIMIT_FACTOR: every rate limit is multiplied by it
#   READ_TIMEOUT  fastcgi_read_timeout, e.g. 65s
#   FILES_DIR     the directory /_medikeep_files/ (X-Accel-Redirect) maps to
mk_nginx_render() {
    local prefix="$1" f
    [[ "$4" =~ ^[1-9][0-9]*$ ]] || mk_die "MEDIKEEP_RATE_LIMIT_FACTOR must be a positive integer, not '$4'"
    mkdir -p "$prefix/conf/medikeep" "$prefix/logs" "$prefix/tmp"
    for f in medikeep-http.conf medikeep-ratelimits.conf medikeep-locations.conf \
        medikeep-security-headers.conf; do
        MK_FACTOR="$4" perl -pe '
            my $f = $ENV{MK_FACTOR};
            s{\brate=(\d+)r/m}{"rate=" . ($1 * $f) . "r/m"}ge;
            s{\bburst=(\d+)}{"burst=" . (($1 + 1) * $f - 1)}ge;
            s{^(\s*\S+\s+)(\d+)(;\s*# scaled)}{$1 . ($2 * $f) . $3}e;
        ' "$MK_ROOT/nginx/$f" >"$prefix/conf/medikeep/$f"
    done
    local user_line=""
    # As root, nginx would run its workers as "nobody", who may not reach the
    # sockets under var/; this stack only listens on loopback.
    [ "$(id -u)" -eq 0 ] && user_line="user root root;"
    MK_T_PREFIX="$prefix" MK_T_LISTEN="$2" MK_T_FCGI_SERVER="$3" MK_T_READ_TIMEOUT="$5" \
    MK_T_FILES_DIR="$6" MK_T_NGINX_WORKERS=1 MK_T_USER_LINE="$user_line" \
        perl -pe 's{\@([A-Z_]+)\@}{exists $ENV{"MK_T_$1"} ? $ENV{"MK_T_$1"} : die "unknown placeholder \@$1\@\n"}ge' \
        "$MK_ROOT/nginx/medikeep.conf.template" >"$prefix/conf/nginx.conf"
}

_mk_nginx() {
    local prefix="$1"; shift
    nginx -p "$prefix/" -c "$prefix/conf/nginx.conf" -e "$prefix/logs/error.log" "$@"
}

# mk_nginx_test PREFIX: nginx -t on the rendered configuration.
mk_nginx_test() {
    _mk_nginx "$1" -t -q || mk_die "the nginx configuration in $1/conf is invalid"
}

# mk_nginx_start PREFIX: starts nginx, or makes a running one reload its configuration.
mk_nginx_start() {
    local prefix="$1" i
    mk_nginx_test "$prefix"
    if mk_pid_of "$prefix/logs/nginx.pid" >/dev/null; then
        _mk_nginx "$prefix" -s reload
        return 0
    fi
    mk_log "starting nginx ($prefix)"
    _mk_nginx "$prefix" </dev/null 9>&- ||
        { mk_tail_logs "$prefix/logs/error.log"; mk_die "nginx did not start"; }
    for ((i = 0; i < 50; i++)); do
        mk_pid_of "$prefix/logs/nginx.pid" >/dev/null && return 0
        sleep 0.1
    done
    mk_die "nginx wrote no pid file"
}

# mk_nginx_stop PREFIX: graceful stop (in-flight requests finish), if it runs.
mk_nginx_stop() {
    mk_stop_pidfile "$1/logs/nginx.pid" nginx 20 QUIT
}
