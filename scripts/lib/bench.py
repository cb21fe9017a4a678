#!/usr/bin/env python3
"""Runs one wrk load and attributes CPU from /proc; prints the tables (scripts/bench).

    bench.py measure --name NAME --url URL --seconds S --out RESULTS.jsonl
                     --pool-pidfile F --nginx-pidfile F --db-pidfile F
                     [--method POST] [--body TEXT] [--content-type TYPE] [--token TOKEN]
    bench.py report RESULTS.jsonl      the endpoint table and the budgets (exit 1 on FAIL)
    bench.py growth RESULTS.jsonl      100 vs 100,000 rows (exit 1 when not flat)

CPU per request: each process group (pool, nginx, MariaDB) is a root pid from its pid
file plus the root's live children. Its CPU time is the root's utime+stime+cutime+cstime
plus each child's utime+stime (/proc/<pid>/stat, clock ticks): a worker that exits and
is reaped during the run moves into the root's cutime/cstime, so recycled workers are
counted without having to see them. The delta over the run divided by the requests wrk
completed is the CPU per request. Peak RSS per worker is the largest VmHWM of any pool
worker seen while polling during the run (the marks are reset at its start).
Standard library only.
"""
import argparse
import json
import os
import subprocess
import sys
import time

WRK_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench.d", "request.lua")
TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK")
GROUPS = ("pool", "nginx", "db")
CONNECTIONS, THREADS = 32, 2

# Pool CPU per request the design allows, in ms, by endpoint name (scripts/bench).
CPU_BUDGET_MS = {"health": 0.1, "users-me": 0.15, "list-20": 0.3}
# p99 budget for every endpoint but login, whose password hash is slow on purpose.
P99_BUDGET_MS = 10.0
P99_EXEMPT = {"login"}


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


def run_wrk(args, pool_root):
    """Runs wrk; meanwhile polls the pool's workers' VmHWM. Returns (wrk JSON, peaks by pid)."""
    env = dict(os.environ, BENCH_METHOD=args.method, BENCH_BODY=args.body or "",
               BENCH_CONTENT_TYPE=args.content_type, BENCH_TOKEN=args.token or "")
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{args.seconds}s", "--latency",
               "--timeout", "10s", "-s", WRK_SCRIPT, args.url]
    peaks = {}
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    while True:
        for pid in children(pool_root):
            kib = peak_rss_kib(pid)
            if kib is not None:
                peaks[pid] = max(kib, peaks.get(pid, 0))
        if wrk.poll() is not None:
            break
        time.sleep(0.25)
    output = wrk.stdout.read()
    lines = [line for line in output.splitlines() if line.startswith("BENCH_JSON ")]
    if wrk.returncode != 0 or not lines:
        raise SystemExit(f"bench.py: wrk failed ({wrk.returncode}):\n{output}")
    return json.loads(lines[-1][len("BENCH_JSON "):]), peaks


def measure(args):
    roots = {"pool": read_pid(args.pool_pidfile), "nginx": read_pid(args.nginx_pidfile),
             "db": read_pid(args.db_pidfile)}
    for pid in children(roots["pool"]):
        reset_peak_rss(pid)
    before = {group: group_ticks(roots[group]) for group in GROUPS}
    result, peaks = run_wrk(args, roots["pool"])
    time.sleep(0.3)  # requests in flight when wrk stopped finish and are charged here
    after = {group: group_ticks(roots[group]) for group in GROUPS}
    requests = max(result["requests"], 1)
    result.update(
        name=args.name, label=args.label or f"{args.method} {args.url.split('/', 3)[-1]}",
        seconds=args.seconds, rps=result["requests"] / (result["duration_us"] / 1e6),
        workers_seen=len(peaks), peak_rss_kib=max(peaks.values(), default=0))
    for group in GROUPS:
        result[f"{group}_ms"] = (after[group] - before[group]) * TICK_MS / requests
    with open(args.out, "a") as out:
        out.write(json.dumps(result) + "\n")
    print(f"    {result['label']}: {result['rps']:.0f} req/s, p99 {result['p99_us'] / 1000:.2f} ms, "
          f"pool {result['pool_ms']:.3f} ms/req, non-2xx {result['non2xx']}", file=sys.stderr)


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def ms(us):
    return us / 1000.0


def errors(r):
    return r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]


def report(args):
    rows = load(args.results)
    header = (f"{'endpoint':<34} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'pool ms/req':>11} "
              f"{'nginx ms/req':>12} {'db ms/req':>9} {'non-2xx':>7} {'peak RSS/worker':>15}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['label']:<34} {r['rps']:>8.0f} {ms(r['p50_us']):>7.2f} {ms(r['p99_us']):>7.2f} "
              f"{r['pool_ms']:>11.3f} {r['nginx_ms']:>12.3f} {r['db_ms']:>9.3f} {r['non2xx']:>7} "
              f"{r['peak_rss_kib'] / 1024:>11.1f} MiB")
    failed = ", ".join(f"{r['name']} {errors(r)}" for r in rows if errors(r)) or "none"
    seen = ", ".join(f"{r['name']} {r['workers_seen']}" for r in rows)
    seconds = rows[0]["seconds"] if rows else "?"
    print(f"\n{CONNECTIONS} connections, {THREADS} wrk threads, {seconds} s per endpoint; CPU in ms per "
          f"completed request.\nSocket errors: {failed}. Worker processes seen (more than the pool's "
          f"size = recycled during the run): {seen}.")
    checks = []
    for r in rows:
        if r["name"] in CPU_BUDGET_MS:
            limit = CPU_BUDGET_MS[r["name"]]
            checks.append((r["pool_ms"] <= limit, f"{r['label']}: pool CPU {r['pool_ms']:.3f} ms/req <= {limit} ms"))
    for r in rows:
        if r["name"] not in P99_EXEMPT:
            checks.append((ms(r["p99_us"]) < P99_BUDGET_MS, f"{r['label']}: p99 {ms(r['p99_us']):.2f} ms < {P99_BUDGET_MS:g} ms"))
    bad = [r["name"] for r in rows if r["non2xx"] or errors(r)]
    checks.append((not bad, "no non-2xx answers and no socket errors" + (f" (failed: {', '.join(bad)})" if bad else "")))
    print("\nBudgets")
    for ok, text in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}")
    return 0 if all(ok for ok, _ in checks) else 1


def growth(args):
    rows = load(args.results)
    if len(rows) != 2:
        raise SystemExit("bench.py growth: expected two runs (small, big)")
    small, big = rows
    print(f"{'patient':<28} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'pool ms/req':>11} {'db ms/req':>9} {'non-2xx':>7}")
    for r in rows:
        print(f"{r['label']:<28} {r['rps']:>8.0f} {ms(r['p50_us']):>7.2f} {ms(r['p99_us']):>7.2f} "
              f"{r['pool_ms']:>11.3f} {r['db_ms']:>9.3f} {r['non2xx']:>7}")
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
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("measure")
    m.add_argument("--name", required=True)
    m.add_argument("--label")
    m.add_argument("--url", required=True)
    m.add_argument("--seconds", type=int, required=True)
    m.add_argument("--out", required=True)
    for group in ("pool", "nginx", "db"):
        m.add_argument(f"--{group}-pidfile", required=True)
    m.add_argument("--method", default="GET")
    m.add_argument("--body")
    m.add_argument("--content-type", default="application/json")
    m.add_argument("--token")
    for name in ("report", "growth"):
        sub.add_parser(name).add_argument("results")
    args = parser.parse_args()
    if args.command == "measure":
        measure(args)
        return 0
    return report(args) if args.command == "report" else growth(args)


if __name__ == "__main__":
    sys.exit(main())
