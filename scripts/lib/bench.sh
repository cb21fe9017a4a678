# Helpers for scripts/bench (sourced; needs common.sh, mariadb.sh, stack.sh).

# bench_sql VAR DB SQL [mariadb options...]: runs SQL in database DB as root.
bench_sql() {
    local var="$1" db="$2" sql="$3"; shift 3
    mariadb --no-defaults --socket="$(mk_db_sock "$var")" -uroot "$@" "$db" -e "$sql"
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
