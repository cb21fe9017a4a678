# Helpers for scripts/bench (sourced; needs common.sh, mariadb.sh, nginx.sh, stack.sh).

# bench_sql VAR DB SQL [mariadb options...]: runs SQL in database DB as root.
bench_sql() {
    local var="$1" db="$2" sql="$3"; shift 3
    mariadb --no-defaults --socket="$(mk_db_sock "$var")" -uroot "$@" "$db" -e "$sql"
}

# bench_stack_up VAR DB BIN PORT FACTOR: the bench's stack under VAR (MariaDB with a fresh
# DB, the pool from BIN, nginx on PORT with rate limits x FACTOR), the floor beside it with
# the pool's shape, and the dataset: bench_seed.py through the API (ids in VAR/state.json)
# plus the large tables inserted with SQL. Sets BENCH_WORKERS and BENCH_THREADS.
bench_stack_up() {
    local var="$1" db="$2" bin="$3" port="$4" factor="$5" state="$1/state.json" floor_path
    local base="http://127.0.0.1:$port"
    mk_db_init "$var"
    mk_db_start "$var"
    mk_db_create "$var" "$db" fresh
    # 32 parallel logins of one account each count as a failure until their password is
    # verified (the lockout's rule against parallel guessing), so the bench, which measures
    # CPU and not the lockout, raises the limit.
    mk_stack_write_config "$var" "$db" "$var/log/app.log" login_max_failures=100000
    mk_stack_start "$var" "$bin" "$port" "$factor" 65s "$var/log/app.log"
    # The pool's defaults (Config.swift: workers = CPUs, threads = 4), which the floor copies.
    BENCH_WORKERS="${MEDIKEEP_WORKERS:-$(nproc)}"
    BENCH_THREADS="${MEDIKEEP_THREADS:-4}"
    bench_floor_start "$var" "$BENCH_WORKERS" "$BENCH_THREADS"
    floor_path="$(cd "$MK_ROOT/scripts/bench.d" && python3 -B -c 'import endpoints; print(endpoints.FLOOR_PATH)')"
    bench_nginx_floor "$var/nginx" "$(bench_floor_socket "$var")" "$floor_path"
    mk_wait_http "$base$floor_path" 10 || mk_die "the floor does not answer at $base$floor_path"

    mk_log "seeding the dataset"
    python3 "$MK_ROOT/scripts/lib/bench_seed.py" "$base" "$state"
    mk_log "100 and 100,000 vitals readings inserted with SQL"
    bench_insert_vitals "$var" "$db" "$(bench_state "$state" vitals_patient_id)" 100
    bench_insert_vitals "$var" "$db" "$(bench_state "$state" vitals_big_patient_id)" 100000
    bench_sql "$var" "$db" "ANALYZE TABLE vitals" >/dev/null
    mk_log "10,000 symptom occurrences inserted with SQL"
    bench_insert_occurrences "$var" "$db" "$(bench_state "$state" symptom_id)" 10000
    bench_sql "$var" "$db" "ANALYZE TABLE symptom_occurrences" >/dev/null
    mk_log "5,000 lab results with 100,000 components inserted with SQL"
    bench_insert_lab_results "$var" "$db" "$(bench_state "$state" labs_patient_id)" 5000
    bench_sql "$var" "$db" "ANALYZE TABLE lab_results, lab_test_components" >/dev/null
}

# bench_state FILE KEY: one value from the JSON state bench_seed.py wrote.
bench_state() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# bench_insert_medications VAR DB PATIENT COUNT PRACTITIONER PHARMACY: COUNT medications
# for PATIENT in one statement, from MariaDB's SEQUENCE engine (seq_1_to_N), varied
# like real data (statuses, tags, every 2nd with a practitioner, every 3rd a pharmacy).
bench_insert_medications() {
    local var="$1" db="$2" patient="$3" count="$4" practitioner="$5" pharmacy="$6"
    bench_sql "$var" "$db" "
        INSERT INTO medications (patient_id, medication_name, medication_type, dosage, frequency,
            route, indication, effective_period_start, status, practitioner_id, pharmacy_id,
            notes, tags, reminder_enabled)
        SELECT $patient, CONCAT('Growth medication ', seq), 'prescription',
            CONCAT(seq % 50 + 1, ' mg'), 'once daily', 'oral', 'Long-term treatment',
            DATE '2015-01-01' + INTERVAL (seq % 3000) DAY,
            ELT(seq % 4 + 1, 'active', 'active', 'stopped', 'completed'),
            IF(seq % 2 = 0, $practitioner, NULL), IF(seq % 3 = 0, $pharmacy, NULL),
            IF(seq % 5 = 0, 'Reviewed at the yearly check-up.', NULL),
            JSON_ARRAY('growth', CONCAT('group-', seq % 10)), 0
        FROM seq_1_to_$count;"
}

# bench_insert_vitals VAR DB PATIENT COUNT: COUNT readings for PATIENT, one every 15
# minutes back from now, in one statement (the triggers keep vitals_totals as they go).
bench_insert_vitals() {
    local var="$1" db="$2" patient="$3" count="$4"
    bench_sql "$var" "$db" "
        INSERT INTO vitals (patient_id, recorded_date, systolic_bp, diastolic_bp, heart_rate, temperature,
            weight, oxygen_saturation, blood_glucose, glucose_context, device_used)
        SELECT $patient, UTC_TIMESTAMP() - INTERVAL (seq * 15) MINUTE, 110 + seq % 40, 70 + seq % 15,
            60 + seq % 30, IF(seq % 4 = 0, 97.5 + (seq % 20) / 10, NULL), IF(seq % 10 = 0, 150 + seq % 7, NULL),
            IF(seq % 3 = 0, 95 + seq % 5, NULL), IF(seq % 6 = 0, 85 + seq % 40, NULL),
            IF(seq % 6 = 0, ELT(seq % 4 + 1, 'fasting', 'before_meal', 'after_meal', 'random'), NULL),
            'Bench cuff'
        FROM seq_1_to_$count;"
}

# bench_insert_occurrences VAR DB SYMPTOM COUNT: COUNT occurrences of SYMPTOM, one every
# 10 minutes back from now (about 70 days for 10,000), varied in severity and pain.
bench_insert_occurrences() {
    local var="$1" db="$2" symptom="$3" count="$4"
    bench_sql "$var" "$db" "
        INSERT INTO symptom_occurrences (symptom_id, occurred_at, severity, pain_scale, duration_minutes)
        SELECT $symptom, UTC_TIMESTAMP() - INTERVAL (seq * 10) MINUTE,
            ELT(seq % 4 + 1, 'mild', 'moderate', 'severe', 'mild'), seq % 11, 10 + seq % 50
        FROM seq_1_to_$count;"
}

# bench_insert_lab_results VAR DB PATIENT COUNT: COUNT lab results for PATIENT, one a day
# back from today in five kinds (test codes LIPID, CBC, BMP, A1C, TSH), each with 20
# components; the first, LDL, printed as "LDL Cholesterol" or, every other result, as
# "LDL-C" with its canonical name, so a trend matches it both ways.
bench_insert_lab_results() {
    local var="$1" db="$2" patient="$3" count="$4"
    bench_sql "$var" "$db" "
        INSERT INTO lab_results (patient_id, test_name, test_code, test_category, status, labs_result,
            ordered_date, completed_date)
        SELECT $patient, ELT(seq % 5 + 1, 'Lipid panel', 'Complete blood count', 'Basic metabolic panel',
                'Hemoglobin A1c', 'Thyroid panel'),
            ELT(seq % 5 + 1, 'LIPID', 'CBC', 'BMP', 'A1C', 'TSH'), 'chemistry', 'completed',
            ELT(seq % 3 + 1, 'normal', 'high', 'normal'),
            UTC_DATE() - INTERVAL seq + 1 DAY, UTC_DATE() - INTERVAL seq DAY
        FROM seq_1_to_$count;
        INSERT INTO lab_test_components (lab_result_id, test_name, test_code, value, unit, ref_range_min,
            ref_range_max, status, category, result_type, display_order, canonical_test_name)
        SELECT r.id, IF(s.seq = 1, IF(r.id % 2 = 0, 'LDL-C', 'LDL Cholesterol'), CONCAT('Bench analyte ', s.seq)),
            IF(s.seq = 1, '13457-7', CONCAT('BENCH-', s.seq)), 80 + (r.id * 7 + s.seq) % 90, 'mg/dL', 0, 130,
            IF((r.id * 7 + s.seq) % 90 > 50, 'high', 'normal'), 'lipids', 'quantitative', s.seq,
            IF(s.seq = 1 AND r.id % 2 = 0, 'LDL Cholesterol', NULL)
        FROM lab_results r JOIN seq_1_to_20 s WHERE r.patient_id = $patient;"
}

# bench_capture_list_sql VAR DB URL TOKEN VALUE...: the SELECT the pool runs for one GET
# of URL, taken from MariaDB's general log so EXPLAIN sees exactly the application's
# query. A statement prepared while the log was off is logged with its `?` markers,
# so they are replaced with VALUE... in order (the values the request binds).
bench_capture_list_sql() {
    local var="$1" db="$2" url="$3" token="$4" sql; shift 4
    bench_sql "$var" mysql "TRUNCATE general_log; SET GLOBAL log_output = 'TABLE'; SET GLOBAL general_log = ON;"
    curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url" || mk_die "GET $url failed"
    sql="$(bench_sql "$var" mysql "SET GLOBAL general_log = OFF;
        SELECT REPLACE(REPLACE(CONVERT(argument USING utf8mb4), '\n', ' '), '\t', ' ') FROM general_log
        WHERE command_type = 'Execute'
            AND argument LIKE 'SELECT % FROM medications r %ORDER BY r.id DESC LIMIT%'
        ORDER BY event_time DESC LIMIT 1; TRUNCATE general_log;" -N -B -r)"
    [ -n "$sql" ] || mk_die "the list query did not appear in MariaDB's general log"
    if [[ "$sql" == *'?'* ]]; then
        sql="$(BENCH_VALUES="$*" perl -e '
            my @v = split / /, $ENV{BENCH_VALUES}; my $q = <STDIN>; chomp $q;
            my $n = () = $q =~ /\?/g;
            die "the list query has $n markers, expected " . scalar(@v) . "\n" if $n != @v;
            $q =~ s/\?/shift @v/ge; print $q' <<<"$sql")" || mk_die "cannot fill in the list query"
    fi
    printf '%s\n' "$sql"
}

# bench_explain VAR DB SQL: prints EXPLAIN of SQL and checks the plan walks the patient
# index (ix_medications_patient*) without a filesort and reads only the page's rows.
bench_explain() {
    local var="$1" db="$2" sql="$3" key extra rows
    printf '  %s\n' "SELECT r.id, r.patient_id, ... FROM medications r ${sql#* FROM medications r }"
    bench_sql "$var" "$db" "EXPLAIN $sql" -t
    key="$(bench_sql "$var" "$db" "EXPLAIN $sql" -N -B | awk -F'\t' '$3 == "r" { print $6 }')"
    extra="$(bench_sql "$var" "$db" "EXPLAIN $sql" -N -B | awk -F'\t' '$3 == "r" { print $10 }')"
    # ANALYZE runs the query: r_rows is what was actually read from medications.
    rows="$(bench_sql "$var" "$db" "ANALYZE $sql" -N -B | awk -F'\t' '$3 == "r" { print $10 }')"
    local ok=PASS
    [[ "$key" == ix_medications_patient* && "$extra" != *filesort* ]] || ok=FAIL
    printf '  %s  medications read through key %s (%s), rows actually read (ANALYZE r_rows): %s\n' \
        "$ok" "${key:-none}" "${extra:-no extra}" "${rows:-?}"
    [ "$ok" = PASS ]
}

# The floor: scripts/bench.d/floor.c, a minimal C libfcgi responder that answers a fixed
# small JSON body. It is built in VAR/floor/ and has its own socket and pid file under
# VAR/run/; nginx reaches it through a location that only the bench's nginx.conf has
# (bench_nginx_floor).
bench_floor_socket() { printf '%s\n' "$1/run/bench-floor.sock"; }
bench_floor_pidfile() { printf '%s\n' "$1/run/bench-floor.pid"; }

# bench_floor_start VAR PROCESSES THREADS: compiles the floor with cc against Debian's
# libfcgi-dev and starts it with the pool's shape (PROCESSES x THREADS) in its own
# session; returns once it listens.
bench_floor_start() {
    local var="$1" processes="$2" threads="$3" socket pidfile i
    socket="$(bench_floor_socket "$var")"
    pidfile="$(bench_floor_pidfile "$var")"
    mkdir -p "$var/floor" "$var/run" "$var/log"
    cc -O2 -Wall -Wextra -o "$var/floor/floor" "$MK_ROOT/scripts/bench.d/floor.c" -lfcgi -lpthread ||
        mk_die "cannot compile scripts/bench.d/floor.c"
    rm -f "$socket" "$pidfile"
    mk_log "starting the floor ($processes processes x $threads threads, $socket)"
    setsid "$var/floor/floor" "$socket" "$processes" "$threads" "$pidfile" \
        </dev/null >>"$var/log/floor.log" 2>&1 9>&- &
    for ((i = 0; i < 50; i++)); do
        mk_pid_of "$pidfile" >/dev/null && [ -S "$socket" ] && return 0
        kill -0 "$!" 2>/dev/null || { mk_tail_logs "$var/log/floor.log"; mk_die "the floor exited at start"; }
        sleep 0.1
    done
    mk_die "the floor wrote no pid file within 5 s"
}

# bench_floor_stop VAR: stops the floor, if it runs.
bench_floor_stop() {
    mk_stop_pidfile "$(bench_floor_pidfile "$1")" "the floor" 5
}

# bench_nginx_floor PREFIX SOCKET PATH: routes PATH to the floor's SOCKET in the nginx.conf
# that mk_stack_start rendered under PREFIX, and reloads nginx. The location sits in the
# same server as the pool's locations, under /api/v1/, so nginx does the same work for
# the floor as for an endpoint of the pool: same rate-limit class and zones, the same
# FastCGI params (inherited from the server level), the same access log. Only the bench's
# copy gains it; nginx/ and the configurations of scripts/run and scripts/test do not.
bench_nginx_floor() {
    local prefix="$1" socket="$2" path="$3"
    cat >"$prefix/conf/bench-floor.conf" <<CONF
# Written by scripts/bench (scripts/lib/bench.sh): the floor, scripts/bench.d/floor.c.
location = $path {
    fastcgi_pass unix:$socket;
}
CONF
    grep -q 'include bench-floor.conf;' "$prefix/conf/nginx.conf" ||
        perl -0pi -e 's{^([ \t]*)(include medikeep/medikeep-locations\.conf;)}{$1include bench-floor.conf;\n$1$2}m
            or die "no include of medikeep-locations.conf in nginx.conf\n"' "$prefix/conf/nginx.conf" ||
        mk_die "cannot add the floor's location to $prefix/conf/nginx.conf"
    mk_nginx_start "$prefix"
}
