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

# gixy-ng, the nginx configuration analyser scripts/test runs. Pinned: a release
# with new checks is taken on purpose, not by surprise.
MK_GIXY_VERSION=0.2.59

# mk_gixy_install VENV: a Python venv at VENV with gixy-ng from PyPI, kept between
# runs and made again when it lacks the pinned version. Dies when it cannot be had:
# the check is part of the tests, never skipped.
mk_gixy_install() {
    local venv="$1" have
    have="$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("gixy-ng"))' 2>/dev/null)" || true
    [ "$have" = "$MK_GIXY_VERSION" ] && return 0
    mk_log "installing gixy-ng $MK_GIXY_VERSION from PyPI into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || mk_die "python3 -m venv $venv failed"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "gixy-ng==$MK_GIXY_VERSION" ||
        { rm -rf "$venv"; mk_die "cannot install gixy-ng $MK_GIXY_VERSION from PyPI (scripts/test checks the nginx configuration with it)"; }
    "$venv/bin/gixy" --version >/dev/null || mk_die "gixy-ng is installed in $venv but does not run"
}

# mk_nginx_site_for_lint DIR: the production site as /etc/nginx would hold it, under
# DIR: medikeep/*.conf, sites-enabled/medikeep and an nginx.conf around them with
# Debian's main context and the worker_rlimit_nofile docs/operations.md asks for.
# For gixy only; nginx is never started on it.
mk_nginx_site_for_lint() {
    local dir="$1"
    rm -rf "$dir"
    mkdir -p "$dir/medikeep" "$dir/sites-enabled"
    cp "$MK_ROOT"/nginx/medikeep-{http,ratelimits,locations,security-headers}.conf "$dir/medikeep/"
    cp "$MK_ROOT/nginx/medikeep-site.conf" "$dir/sites-enabled/medikeep"
    cat >"$dir/nginx.conf" <<'CONF'
user www-data;
worker_processes auto;
worker_rlimit_nofile 2048;
pid /run/nginx.pid;
events {
    worker_connections 768;
}
http {
    include sites-enabled/*;
}
CONF
}

# mk_nginx_lint VENV CONF...: gixy over each nginx.conf; false when it reports anything.
mk_nginx_lint() {
    local venv="$1" conf rc=0; shift
    for conf in "$@"; do
        mk_log "gixy $conf"
        "$venv/bin/gixy" "$conf" || rc=1
    done
    return "$rc"
}
