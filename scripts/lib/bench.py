#!/usr/bin/env python3
"""Runs the wrk loads, attributes CPU from /proc, counts database statements, prints the
tables and checks the budgets as ratios to the floor (scripts/bench).

    bench.py endpoints --state STATE.json --base URL --seconds S --floor-seconds F
                       --out RESULTS.jsonl PROCESSES
        every endpoint of scripts/bench.d/endpoints.py, in order, each between two runs
        of the floor: floor, endpoint 1, floor, endpoint 2, ..., floor; every ratio is
        to the median of the floor's runs
    bench.py measure --name NAME --url URL --seconds S --out RESULTS.jsonl PROCESSES
                     [--label TEXT] [--method POST] [--body TEXT] [--content-type TYPE]
                     [--token TOKEN]
        one run against the pool (the growth check)
    bench.py report RESULTS.jsonl      the tables, the ratios, the budgets (exit 1 on FAIL)
    bench.py growth RESULTS.jsonl      100 vs 100,000 rows (exit 1 when not flat)

PROCESSES: --pool-pidfile F --floor-pidfile F --nginx-pidfile F --db-pidfile F --db-socket S
           --access-log F (nginx's access log)

Requests served: the lines nginx's access log gained during the run. That is wrk's
completed requests plus the few (at most one per connection) that wrk abandoned when it
stopped, which nginx logs as 499 but the application still answered, with their
statements and CPU. CPU and statements are divided by it; req/s is wrk's.

CPU per request: each process group (pool, floor, nginx, MariaDB) is a root pid from its
pid file plus the root's live children. Its CPU time is the root's utime+stime+cutime+
cstime plus each child's utime+stime (/proc/<pid>/stat, clock ticks): a worker that exits
and is reaped during the run moves into the root's cutime/cstime, so recycled workers are
counted without having to see them. The delta over the run divided by the requests
served is the CPU per request. The run ends when wrk has stopped and the processes
have settled (no CPU moving; at least 0.3 s, at most 3 s), so requests in flight are
charged to it.

Statements per request: the delta of MariaDB's global `Questions` over the run (every
statement a client sends, prepared executions included; not prepares, closes or pings),
less what reading the counters adds, divided by the requests served. The bench's
MariaDB serves only the bench, so that is what the pool sent.

Peak RSS per worker is the largest VmHWM of any worker of the answering group seen while
polling during the run (the marks are reset at its start). Standard library only.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

BENCH_D = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench.d")
sys.path.insert(0, BENCH_D)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import endpoints as catalog  # noqa: E402  (scripts/bench.d/endpoints.py)

WRK_SCRIPT = os.path.join(BENCH_D, "request.lua")
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")
GROUPS = ("pool", "floor", "nginx", "db")
CONNECTIONS, THREADS = 32, 2
# The tail-latency run: fewer connections than the pool has threads, so p99 shows the
# pool's own hiccups (locks, recycling, reconnects) rather than queueing.
TAIL_CONNECTIONS = 8
# Issue 10's goal: an upload never passes through a worker's memory whole.
UPLOAD_RSS_BUDGET_KIB = 50 * 1024
# Questions: statements sent by clients. The others explain them: prepared executions
# (the pool's queries), prepares (a new connection's cache filling), connections (workers
# replaced after max_requests connect anew).
COUNTERS = ("Questions", "Com_stmt_execute", "Com_stmt_prepare", "Connections")
# The floor's CPU per request should be the same in each of its runs; a larger spread
# means other load came and went during the run (the ratios use the runs' median).
FLOOR_SPREAD_WARNING = 1.3


def read_pid(path):
    try:
        with open(path) as f:
            pid = int("".join(c for c in f.read() if c.isdigit()))
        os.kill(pid, 0)
        return pid
    except (OSError, ValueError):
        raise SystemExit(f"bench.py: no live process in {path}")


def stat(pid):
    """(ppid, own ticks, reaped children's ticks) of PID, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()  # after "pid (comm) "; fields[0] is field 3
    return int(fields[1]), int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def children(root):
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            info = stat(int(name))
            if info and info[0] == root:
                found.append(int(name))
    return found


def group_ticks(root):
    """The CPU ticks of ROOT, everything it reaped, and its live children."""
    own = stat(root)
    if own is None:
        raise SystemExit(f"bench.py: process {root} exited during the run")
    total = own[1] + own[2]
    for pid in children(root):
        info = stat(pid)
        if info:
            total += info[1]
    return total


def ticks(roots):
    return {group: group_ticks(roots[group]) for group in GROUPS}


def settle(roots):
    """Waits for the requests still in flight when wrk stopped: at least 0.3 s, then until
    no group used more than one tick in 0.2 s, at most 3 s. Returns the ticks then."""
    time.sleep(0.3)
    last = ticks(roots)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        time.sleep(0.2)
        now = ticks(roots)
        moved = sum(now.values()) - sum(last.values())
        last = now
        if moved <= 1:
            break
    return last


def db_status(socket):
    """MariaDB's global COUNTERS, through the bench stack's socket."""
    names = ", ".join(f"'{name}'" for name in COUNTERS)
    done = subprocess.run(
        ["mariadb", "--no-defaults", f"--socket={socket}", "-uroot", "-N", "-B",
         "-e", f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})"],
        capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"bench.py: cannot read MariaDB's status counters: {done.stderr.strip()}")
    values = dict(line.split("\t") for line in done.stdout.splitlines())
    return {name: int(values[name]) for name in COUNTERS}


def status_overhead(socket):
    """What one reading of the counters adds to them (its connection and its SHOW):
    the smallest delta between consecutive readings with nothing else running."""
    readings = [db_status(socket) for _ in range(3)]
    return {name: min(b[name] - a[name] for a, b in zip(readings, readings[1:])) for name in COUNTERS}


def log_size(path):
    return os.path.getsize(path)


def lines_since(path, offset):
    """Lines appended to PATH after byte OFFSET (nginx's access log: one per request)."""
    count = 0
    with open(path, "rb") as f:
        f.seek(offset)
        while chunk := f.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def peak_rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss(pid):
    """Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def task_switches(pid):
    """{tid: voluntary + involuntary context switches} of every thread of PID."""
    found = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        total = 0
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[1])
        except OSError:
            continue
        found[int(tid)] = total
    return found


class SwitchCounter:
    """Context switches of a group's workers over a run. /proc keeps them per thread only
    while the thread lives, so the threads are read at the start, polled during the run
    and read at the end; a thread that ends (a recycled worker) keeps its last reading,
    and a thread that starts during the run counts from zero."""

    def __init__(self, root):
        self.root = root
        self.start = {}
        for pid in children(root):
            self.start.update(task_switches(pid))
        self.last = dict(self.start)

    def poll(self):
        for pid in children(self.root):
            self.last.update(task_switches(pid))

    def total(self):
        self.poll()
        return sum(count - self.start.get(tid, 0) for tid, count in self.last.items())


def run_wrk(load, app_root, switches=None, connections=None):
    """Runs wrk; meanwhile polls the answering group's workers' VmHWM (and context
    switches). Returns (wrk JSON, peaks by pid)."""
    env = dict(os.environ, BENCH_METHOD=load["method"], BENCH_BODY=load.get("body") or "",
               BENCH_CONTENT_TYPE=load["content_type"], BENCH_TOKEN=load.get("token") or "")
    command = ["wrk", f"-t{THREADS}", f"-c{connections or CONNECTIONS}", f"-d{load['seconds']}s", "--latency",
               "--timeout", "10s", "-s", WRK_SCRIPT, load["url"]]
    peaks = {}
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    while True:
        for pid in children(app_root) if app_root else []:
            kib = peak_rss_kib(pid)
            if kib is not None:
                peaks[pid] = max(kib, peaks.get(pid, 0))
        if switches:
            switches.poll()
        if wrk.poll() is not None:
            break
        time.sleep(0.25)
    output = wrk.stdout.read()
    lines = [line for line in output.splitlines() if line.startswith("BENCH_JSON ")]
    if wrk.returncode != 0 or not lines:
        raise SystemExit(f"bench.py: wrk failed ({wrk.returncode}):\n{output}")
    return json.loads(lines[-1][len("BENCH_JSON "):]), peaks


def run_load(load, roots, socket, overhead, access_log):
    """One wrk run described by LOAD (name, label, kind, app, url, seconds, method, body,
    content_type, token); returns its result with CPU and statements per request."""
    app = load["app"]
    for pid in children(roots[app]):
        reset_peak_rss(pid)
    # The counters are read outside the CPU window, so reading them costs the run nothing.
    status_before = db_status(socket)
    log_offset = log_size(access_log)
    switches = SwitchCounter(roots[app])
    before = ticks(roots)
    result, peaks = run_wrk(load, roots[app], switches)
    after = settle(roots)
    switched = switches.total()
    status_after = db_status(socket)
    served = lines_since(access_log, log_offset)
    if served < result["requests"]:
        raise SystemExit(f"bench.py: nginx logged {served} requests, wrk completed {result['requests']}")
    requests = max(served, 1)
    result.update(served=served,
        name=load["name"], label=load["label"], kind=load["kind"], app=app, seconds=load["seconds"],
        method=load["method"],
        rps=result["requests"] / (result["duration_us"] / 1e6),
        workers_seen=len(peaks), peak_rss_kib=max(peaks.values(), default=0))
    for group in GROUPS:
        result[f"{group}_ms"] = (after[group] - before[group]) * TICK_MS / requests
    result["app_ms"] = result[f"{app}_ms"]
    result["switches"] = switched / requests
    # Everything a request costs on the server side: the floor touches no database.
    result["stack_ms"] = result["app_ms"] + result["nginx_ms"] + (result["db_ms"] if app == "pool" else 0)
    delta = {name: status_after[name] - status_before[name] - overhead[name] for name in COUNTERS}
    result["statements"] = delta["Questions"] / requests
    result["executes"] = delta["Com_stmt_execute"] / requests
    result["prepares"] = delta["Com_stmt_prepare"] / requests
    result["db_connections"] = delta["Connections"]
    print(f"    {result['label']}: {result['rps']:.0f} req/s, p99 {result['p99_us'] / 1000:.2f} ms, "
          f"{app} {result['app_ms']:.3f} ms/req, {result['statements']:.2f} statements/req, "
          f"{result['switches']:.2f} switches/req, "
          f"non-2xx {result['non2xx']}", file=sys.stderr)
    return result


def perf_available():
    """Whether `perf stat` can count system calls here (Debian's linux-perf, tracepoints
    readable)."""
    try:
        done = subprocess.run(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "--", "true"],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and "raw_syscalls" in done.stderr and "<not" not in done.stderr


def count_syscalls(load, roots, access_log, window=2.0):
    """System calls per request of the answering group's workers: a separate run (perf's
    counting slows each call, so it stays out of the CPU run), perf attached for WINDOW
    seconds in its middle; requests in the window from nginx's access log."""
    pids = children(roots[load["app"]])
    if not pids:
        return None
    run = dict(load, seconds=int(window + 2))
    wrk = subprocess.Popen(["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{run['seconds']}s", "-s", WRK_SCRIPT,
                            run["url"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=dict(os.environ, BENCH_METHOD=run["method"], BENCH_BODY=run.get("body") or "",
                                    BENCH_CONTENT_TYPE=run["content_type"], BENCH_TOKEN=run.get("token") or ""))
    time.sleep(1)
    offset, started = log_size(access_log), time.monotonic()
    done = subprocess.run(["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-p", ",".join(map(str, pids)),
                           "--", "sleep", str(window)], capture_output=True, text=True)
    served, elapsed = lines_since(access_log, offset), time.monotonic() - started
    wrk.wait()
    counted = [line.split(",") for line in done.stderr.splitlines() if "raw_syscalls" in line]
    if done.returncode != 0 or not counted or not counted[0][0].isdigit() or served == 0:
        return None
    # perf's own start and stop fall inside the log window: scale the requests to WINDOW.
    return int(counted[0][0]) / (served * min(1.0, window / elapsed))


def tail_latency(load, runs=1):
    """p50 and p99 at 8 connections (no more than the pool's threads: no request waits
    for a thread), from one 3 s run or, with `runs`, the medians of that many 2 s runs:
    one burst of other load decides the p99 of a single short run."""
    results = [run_wrk(dict(load, seconds=3 if runs == 1 else 2), None, connections=TAIL_CONNECTIONS)[0]
               for _ in range(runs)]
    return {"p50_us_8": statistics.median(r["p50_us"] for r in results),
            "p99_us_8": statistics.median(r["p99_us"] for r in results),
            "non2xx_8": sum(r["non2xx"] for r in results)}


def roots_of(args):
    if not os.path.isfile(args.access_log):
        raise SystemExit(f"bench.py: no access log at {args.access_log}")
    return {"pool": read_pid(args.pool_pidfile), "floor": read_pid(args.floor_pidfile),
            "nginx": read_pid(args.nginx_pidfile), "db": read_pid(args.db_pidfile)}


def fill(template, state):
    """Replaces {key} in TEMPLATE with the state file's value of key."""
    def value(match):
        if match.group(1) not in state:
            raise SystemExit(f"bench.py: {template!r} names {match.group(0)}, which the state file lacks")
        return str(state[match.group(1)])
    return re.sub(r"\{([a-z_][a-z0-9_]*)\}", value, template) if template else template


def reference(floors):
    """The floor every endpoint is compared with: the median of the floor's runs, taken
    before the first endpoint and after each one. On a shared machine other load comes
    in bursts; the median of runs spread over the whole sequence resists a burst that
    hits one run better than the runs next to an endpoint do."""
    keys = ("app_ms", "stack_ms", "nginx_ms", "db_ms", "rps", "p50_us", "p99_us", "statements")
    tails = [f["p99_us_8"] / f["p50_us_8"] for f in floors if f.get("p50_us_8")]
    return ({key: statistics.median(f[key] for f in floors) for key in keys} | {"runs": len(floors)}
            | {"tail_8": statistics.median(tails) if tails else None})


def ratios(result, floor):
    def ratio(a, b):
        return a / b if b > 0 else float("inf")
    return {"cpu": ratio(result["app_ms"], floor["app_ms"]), "stack_cpu": ratio(result["stack_ms"], floor["stack_ms"]),
            "rps": ratio(result["rps"], floor["rps"]), "p50": ratio(result["p50_us"], floor["p50_us"]),
            "p99": ratio(result["p99_us"], floor["p99_us"])}


def endpoints(args):
    with open(args.state) as f:
        state = json.load(f)
    roots = roots_of(args)
    overhead = status_overhead(args.db_socket)
    base = args.base.rstrip("/")
    floor_load = dict(name="floor", label="floor (C libfcgi)", kind="floor", app="floor",
                      url=base + catalog.FLOOR_PATH, seconds=args.floor_seconds, method="GET",
                      content_type="application/json")

    def run(load):
        return run_load(load, roots, args.db_socket, overhead, args.access_log)

    def details(load):
        """Syscalls per request and the tail at 8 connections (the medians of three runs;
        the floor's reference is the median of its fourteen), after the CPU run."""
        extra = tail_latency(load, runs=3)
        extra["syscalls"] = count_syscalls(load, roots, args.access_log) if with_perf else None
        return extra

    with_perf = perf_available()
    if not with_perf:
        print("    (perf cannot count system calls here: that column stays empty)", file=sys.stderr)
    # floor, endpoint 1, floor, endpoint 2, ..., floor
    results = [run(floor_load)]
    results[0].update(details(floor_load))
    # Every floor run gets its tail too: on 2 cores 8 connections keep every core busy,
    # and the machine's own hiccups set p99 as much as the responder does.
    for endpoint in catalog.ENDPOINTS:
        load = dict(name=endpoint.name, label=endpoint.label, kind="endpoint", app="pool",
                    url=base + fill(endpoint.path, state), seconds=args.seconds, method=endpoint.method,
                    body=fill(endpoint.body, state), content_type=endpoint.content_type,
                    token=state["token"] if endpoint.auth else None)
        result = run(load) | {"budget": endpoint.budget, "nginx_budget": endpoint.nginx_budget}
        results.append(result | details(load))
        results.append(run(floor_load) | tail_latency(floor_load))
    floor = reference([r for r in results if r["kind"] == "floor"])
    with open(args.out, "a") as out:
        for result in results:
            if result["kind"] == "endpoint":
                result.update(floor=floor, ratios=ratios(result, floor))
            out.write(json.dumps(result) + "\n")
    return 0


def measure(args):
    roots = roots_of(args)
    load = dict(name=args.name, label=args.label or f"{args.method} {args.url.split('/', 3)[-1]}",
                kind="single", app="pool", url=args.url, seconds=args.seconds, method=args.method,
                body=args.body, content_type=args.content_type, token=args.token)
    result = run_load(load, roots, args.db_socket, status_overhead(args.db_socket), args.access_log)
    with open(args.out, "a") as out:
        out.write(json.dumps(result) + "\n")
    return 0


def uploads(args):
    """Uploads through nginx: one 1 GiB file (time against the disk's own write speed,
    the workers' peak RSS) and 100 concurrent 1 MiB uploads (time, pool CPU per upload,
    peak RSS). Every file is deleted again afterwards."""
    import concurrent.futures
    import http.client
    import threading
    import urllib.parse

    with open(args.state) as f:
        state = json.load(f)
    roots = roots_of(args)
    target = urllib.parse.urlsplit(args.base)
    path = f"/api/v1/entity-files/lab-result/{state['scan_lab_id']}/files"
    boundary = "benchuploadboundary"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.dcm"\r\n'
            f"Content-Type: application/dicom\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def post(body_parts, length):
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=600)
        connection.putrequest("POST", path)
        connection.putheader("Authorization", f"Bearer {state['token']}")
        connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        connection.putheader("Content-Length", str(length))
        connection.endheaders()
        for part in body_parts():
            connection.send(part)
        answer = connection.getresponse()
        data = answer.read()
        connection.close()
        return answer.status, (json.loads(data).get("id") if answer.status in (200, 201) else None)

    def delete(file_id):
        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
        connection.request("DELETE", f"/api/v1/entity-files/files/{file_id}",
                           headers={"Authorization": f"Bearer {state['token']}"})
        connection.getresponse().read()
        connection.close()

    def watch_rss(stop, peaks):
        for pid in children(roots["pool"]):
            reset_peak_rss(pid)
        while not stop.is_set():
            for pid in children(roots["pool"]):
                kib = peak_rss_kib(pid)
                if kib is not None:
                    peaks.append(kib)
            time.sleep(0.1)

    def measured(action):
        stop, peaks = threading.Event(), []
        watcher = threading.Thread(target=watch_rss, args=(stop, peaks))
        watcher.start()
        before, started = group_ticks(roots["pool"]), time.monotonic()
        outcome = action()
        elapsed = time.monotonic() - started
        after = group_ticks(roots["pool"])
        stop.set()
        watcher.join()
        return outcome, elapsed, (after - before) * TICK_MS, max(peaks, default=0)

    # The disk's own speed: 1 GiB written and synced by dd, in the same directory.
    scratch = os.path.join(args.work, "dd-test")
    started = time.monotonic()
    subprocess.run(["dd", "if=/dev/zero", f"of={scratch}", "bs=1M", "count=1024", "conv=fdatasync"],
                   check=True, capture_output=True)
    disk_seconds = time.monotonic() - started
    os.unlink(scratch)

    size = 1 << 30
    preamble = b"\0" * 128 + b"DICM"

    def gigabyte():
        yield head + preamble
        zeros = bytes(1 << 20)
        left = size - len(preamble)
        while left > 0:
            yield zeros[:min(left, len(zeros))]
            left -= len(zeros)
        yield tail

    (status, big_id), big_seconds, big_cpu, big_rss = measured(
        lambda: post(gigabyte, len(head) + size + len(tail)))
    if big_id:
        delete(big_id)

    small = head + preamble + os.urandom((1 << 20) - len(preamble)) + tail

    def hundred():
        with concurrent.futures.ThreadPoolExecutor(max_workers=100) as pool:
            return list(pool.map(lambda _: post(lambda: [small], len(small)), range(100)))

    answers, many_seconds, many_cpu, many_rss = measured(hundred)
    for _, file_id in answers:
        if file_id:
            delete(file_id)
    failed = sum(1 for code, _ in answers if code not in (200, 201))
    result = {"disk_seconds": disk_seconds, "big_status": status, "big_seconds": big_seconds,
              "big_pool_cpu_ms": big_cpu, "big_peak_rss_kib": big_rss, "many_seconds": many_seconds,
              "many_failed": failed, "many_pool_cpu_ms_per_upload": many_cpu / 100, "many_peak_rss_kib": many_rss}
    with open(args.out, "w") as out:
        out.write(json.dumps(result) + "\n")

    print(f"Disk (dd, 1 GiB, fdatasync): {disk_seconds:.2f} s = {1024 / disk_seconds:.0f} MiB/s")
    print(f"1 GiB upload through nginx: status {status}, {big_seconds:.2f} s = {1024 / big_seconds:.0f} MiB/s "
          f"({big_seconds / disk_seconds:.2f} x dd; nginx spools the body to disk and the worker writes it again), "
          f"pool CPU {big_cpu / 1000:.2f} s, peak RSS per worker {big_rss / 1024:.1f} MiB")
    print(f"100 concurrent 1 MiB uploads: {many_seconds:.2f} s ({100 / many_seconds:.0f} uploads/s), "
          f"failed {failed}, pool CPU {many_cpu / 100:.2f} ms per upload, peak RSS per worker {many_rss / 1024:.1f} MiB")
    checks = [
        (status in (200, 201), "the 1 GiB upload is stored"),
        (big_rss < UPLOAD_RSS_BUDGET_KIB, f"peak RSS per worker during the 1 GiB upload {big_rss / 1024:.1f} MiB < "
                                          f"{UPLOAD_RSS_BUDGET_KIB // 1024} MiB"),
        (failed == 0, "every one of the 100 concurrent uploads is stored"),
        (many_rss < UPLOAD_RSS_BUDGET_KIB, f"peak RSS per worker during them {many_rss / 1024:.1f} MiB < "
                                           f"{UPLOAD_RSS_BUDGET_KIB // 1024} MiB"),
    ]
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for ok, _ in checks) else 1


def load_results(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def ms(us):
    return us / 1000.0


def errors(r):
    return r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]


def report(args):
    rows = load_results(args.results)
    floors = [r for r in rows if r["kind"] == "floor"]
    measured = [r for r in rows if r["kind"] == "endpoint"]
    if not floors or not measured:
        raise SystemExit("bench.py report: no floor or no endpoint in the results")

    cpu = [f["app_ms"] for f in floors]
    floor = measured[0]["floor"]
    print(f"Floor: GET {catalog.FLOOR_PATH} answered by scripts/bench.d/floor.c, {len(floors)} runs of "
          f"{floors[0]['seconds']} s (before the first endpoint and after each one).\n"
          f"Its CPU per request: median {floor['app_ms']:.4f} ms (the reference of every ratio), "
          f"min {min(cpu):.4f}, max {max(cpu):.4f}.")
    if min(cpu) > 0 and max(cpu) / min(cpu) > FLOOR_SPREAD_WARNING:
        print(f"  note: the floor's runs differ by {max(cpu) / min(cpu):.2f}x: other load came and went "
              f"during the run, and the ratios are less certain than usual.")

    header = (f"{'endpoint':<30} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'app ms/req':>10} "
              f"{'nginx ms/req':>12} {'db ms/req':>9} {'stmts/req':>9} {'non-2xx':>7} {'peak RSS/worker':>15}")
    print(f"\nThis machine, this run (absolute; not budgeted):\n{header}\n{'-' * len(header)}")
    floor_row = dict(label=f"floor (median of {len(floors)})", non2xx=sum(f["non2xx"] for f in floors),
                     peak_rss_kib=max(f["peak_rss_kib"] for f in floors),
                     **{k: floor[k] for k in ("rps", "p50_us", "p99_us", "app_ms", "nginx_ms", "db_ms", "statements")})
    for r in [floor_row] + measured:
        print(f"{r['label']:<30} {r['rps']:>7.0f} {ms(r['p50_us']):>7.2f} {ms(r['p99_us']):>7.2f} "
              f"{r['app_ms']:>10.3f} {r['nginx_ms']:>12.3f} {r['db_ms']:>9.3f} {r['statements']:>9.2f} "
              f"{r['non2xx']:>7} {r['peak_rss_kib'] / 1024:>11.1f} MiB")
    failed = ", ".join(f"{r['name']} {errors(r)}" for r in rows if errors(r)) or "none"
    seen = ", ".join(f"{r['name']} {r['workers_seen']}" for r in measured)
    print(f"\n{CONNECTIONS} connections, {THREADS} wrk threads, {measured[0]['seconds']} s per endpoint; CPU in ms "
          f"per request served (app: the pool, or the floor's responder).\nSocket errors: {failed}. "
          f"Worker processes seen (more than the pool's size = recycled during the run): {seen}.")

    header = (f"{'endpoint':<30} {'CPU x':>7} {'budget':>7} {'stack CPU x':>11} {'req/s x':>8} "
              f"{'p50 x':>6} {'p99 x':>6} {'stmts/req':>9} {'executes':>8} {'prepares':>8}")
    print(f"\nRatios to the floor (same run, its median; CPU x = pool CPU per request / the floor responder's;\n"
          f"stack CPU x = pool + nginx + MariaDB / floor + nginx; req/s x below 1 = slower):\n"
          f"{header}\n{'-' * len(header)}")
    for r in measured:
        x = r["ratios"]
        budget = f"<= {r['budget']:g}" if r["budget"] is not None else "-"
        print(f"{r['label']:<30} {x['cpu']:>7.2f} {budget:>7} {x['stack_cpu']:>11.2f} {x['rps']:>8.3f} "
              f"{x['p50']:>6.2f} {x['p99']:>6.2f} {r['statements']:>9.2f} {r['executes']:>8.2f} {r['prepares']:>8.3f}")
    print("stmts/req: MariaDB's Questions per request (statements the pool sent: prepared executions and "
          f"text queries);\nexecutes: of which prepared; prepares: statements prepared (new connections). "
          f"The floor: {floor['statements']:.2f}.")

    header = (f"{'endpoint':<30} {'syscalls':>8} {'switches':>8} {'stmts':>6} {'pool/nginx':>10} {'budget':>7} "
              f"{'p50@8 ms':>8} {'p99@8 ms':>8} {'p99/p50':>7}")
    print(f"\nPer request (syscalls: perf over {2:g} s of a separate run; switches: voluntary + involuntary\n"
          f"context switches of the workers' threads, from /proc, in the CPU run; pool/nginx: the pool's CPU per\n"
          f"request over nginx's; p50/p99 at {TAIL_CONNECTIONS} connections: medians of three separate 2 s runs):\n"
          f"{header}\n{'-' * len(header)}")
    first_floor = floors[0]
    for r in [dict(first_floor, label="floor (first run)", nginx_budget=None)] + measured:
        syscalls = f"{r['syscalls']:.1f}" if r.get("syscalls") is not None else "-"
        nginx_x = r["app_ms"] / r["nginx_ms"] if r["nginx_ms"] > 0 else float("inf")
        budget = f"<= {r['nginx_budget']:g}" if r.get("nginx_budget") is not None else "-"
        tail = r["p99_us_8"] / r["p50_us_8"] if r.get("p50_us_8") else float("nan")
        print(f"{r['label']:<30} {syscalls:>8} {r['switches']:>8.2f} {r['statements']:>6.2f} {nginx_x:>10.2f} "
              f"{budget:>7} {ms(r['p50_us_8']):>8.2f} {ms(r['p99_us_8']):>8.2f} {tail:>7.2f}")
    tails = [f["p99_us_8"] / f["p50_us_8"] for f in floors if f.get("p50_us_8")]
    if tails:
        print(f"The floor's p99/p50 at {TAIL_CONNECTIONS} connections over its {len(tails)} runs: median "
              f"{statistics.median(tails):.2f}, min {min(tails):.2f}, max {max(tails):.2f}.")

    checks = []
    for r in measured:
        reads = r["method"] == "GET" if "method" in r else True
        if r.get("nginx_budget") is not None:
            x = r["app_ms"] / r["nginx_ms"]
            checks.append((x <= r["nginx_budget"], f"{r['label']}: pool CPU {x:.2f} x nginx's <= {r['nginx_budget']:g}"))
        if r["budget"] is not None and reads:
            checks.append((r["switches"] <= catalog.SWITCHES_BUDGET,
                           f"{r['label']}: {r['switches']:.2f} context switches per request "
                           f"<= {catalog.SWITCHES_BUDGET:g}"))
            # The floor's own tail, from the same run, is the bar when the machine sets it
            # higher than the budget: the pool may not add a tail of its own.
            tail = r["p99_us_8"] / r["p50_us_8"]
            floor_tail = r["floor"].get("tail_8") or 0
            bar = max(catalog.TAIL_BUDGET, floor_tail)
            checks.append((tail <= bar,
                           f"{r['label']}: p99 {tail:.2f} x p50 at {TAIL_CONNECTIONS} connections "
                           f"<= {bar:.2f} (the larger of {catalog.TAIL_BUDGET:g} and the floor's "
                           f"{floor_tail:.2f} in this run)"))
    for r in measured:
        if r["budget"] is not None:
            checks.append((r["ratios"]["cpu"] <= r["budget"],
                           f"{r['label']}: pool CPU {r['ratios']['cpu']:.2f} x the floor's "
                           f"({r['app_ms']:.3f} vs {r['floor']['app_ms']:.4f} ms/req) <= {r['budget']:g}"))
    bad = [r["name"] for r in rows if r["non2xx"] or r.get("non2xx_8") or errors(r)]
    checks.append((not bad, "no non-2xx answers and no socket errors, floor included"
                   + (f" (failed: {', '.join(sorted(set(bad)))})" if bad else "")))
    print("\nBudgets")
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for ok, _ in checks) else 1


def growth(args):
    rows = load_results(args.results)
    if len(rows) != 2:
        raise SystemExit("bench.py growth: expected two runs (small, big)")
    small, big = rows
    print(f"{'patient':<28} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'pool ms/req':>11} {'db ms/req':>9} "
          f"{'stmts/req':>9} {'non-2xx':>7}")
    for r in rows:
        print(f"{r['label']:<28} {r['rps']:>8.0f} {ms(r['p50_us']):>7.2f} {ms(r['p99_us']):>7.2f} "
              f"{r['pool_ms']:>11.3f} {r['db_ms']:>9.3f} {r['statements']:>9.2f} {r['non2xx']:>7}")
    # Flat: the big patient costs at most half as much again (plus noise slack) as the small one.
    p50_ok = ms(big["p50_us"]) <= 1.5 * ms(small["p50_us"]) + 0.5
    db_ok = big["db_ms"] <= 1.5 * small["db_ms"] + 0.05
    clean = not (small["non2xx"] or big["non2xx"] or errors(small) or errors(big))
    checks = [
        (p50_ok, f"p50 {ms(big['p50_us']):.2f} ms (100,000) vs {ms(small['p50_us']):.2f} ms (100): flat"),
        (db_ok, f"MariaDB CPU {big['db_ms']:.3f} vs {small['db_ms']:.3f} ms/req: flat"),
        (clean, "no non-2xx answers and no socket errors"),
    ]
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for ok, _ in checks) else 1


def main():
    parser = argparse.ArgumentParser(description="scripts/bench helper")
    processes = argparse.ArgumentParser(add_help=False)
    for group in ("pool", "floor", "nginx", "db"):
        processes.add_argument(f"--{group}-pidfile", required=True)
    processes.add_argument("--db-socket", required=True)
    processes.add_argument("--access-log", required=True)
    sub = parser.add_subparsers(dest="command", required=True)
    e = sub.add_parser("endpoints", parents=[processes])
    e.add_argument("--state", required=True)
    e.add_argument("--base", required=True)
    e.add_argument("--seconds", type=int, required=True)
    e.add_argument("--floor-seconds", type=int, required=True)
    e.add_argument("--out", required=True)
    m = sub.add_parser("measure", parents=[processes])
    m.add_argument("--name", required=True)
    m.add_argument("--label")
    m.add_argument("--url", required=True)
    m.add_argument("--seconds", type=int, required=True)
    m.add_argument("--out", required=True)
    m.add_argument("--method", default="GET")
    m.add_argument("--body")
    m.add_argument("--content-type", default="application/json")
    m.add_argument("--token")
    u = sub.add_parser("uploads", parents=[processes])
    u.add_argument("--state", required=True)
    u.add_argument("--base", required=True)
    u.add_argument("--work", required=True)
    u.add_argument("--out", required=True)
    for name in ("report", "growth"):
        sub.add_parser(name).add_argument("results")
    args = parser.parse_args()
    return {"endpoints": endpoints, "measure": measure, "report": report, "growth": growth,
            "uploads": uploads}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
