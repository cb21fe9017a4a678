"""The process pool under disturbance: a killed worker, SIGTERM, SIGHUP, a request
past request_timeout. Each test runs its own pool + nginx (harness.ExtraStack), so
the main stack is never disturbed."""

import os
import signal
import threading
import time
import unittest

from harness import ExtraStack, Load, assert_error_shape, env, get, post, wait_until

LOAD_PATH = "/api/v1/system/health"  # one database round trip per request


class PoolTests(unittest.TestCase):
    def start_stack(self, name, **overrides):
        stack = ExtraStack(name, workers=2, threads=4, **overrides)
        self.addCleanup(stack.stop)
        self.assertEqual(get(LOAD_PATH, base=stack.base).status, 200)
        return stack

    def test_killed_worker_is_replaced_and_requests_keep_succeeding(self):
        stack = self.start_stack("kill")
        pool = stack.pool
        before = pool.workers()
        self.assertEqual(len(before), 2, before)

        def replacement():
            now = pool.workers()
            new = [pid for pid in now if pid not in before]
            return new if new and len(now) == 2 else None

        with Load(LOAD_PATH, base=stack.base, threads=8) as load:
            time.sleep(1.0)
            os.kill(before[0], signal.SIGKILL)
            killed_at = time.monotonic()
            new_workers = wait_until(replacement, timeout=5, message="a replacement worker")
            replaced_at = time.monotonic()
            time.sleep(1.5)
        self.assertLessEqual(replaced_at - killed_at, 1.0, "the worker was replaced too slowly")
        self.assertIn(before[1], pool.workers(), "the other worker must live on")
        results = load.snapshot()
        failures = load.failures()
        self.assertGreater(len(results), 200, "too few requests to judge")
        self.assertLessEqual(len(failures) / len(results), 0.01,
                             f"{len(failures)} of {len(results)} failed: {failures[:5]}")
        late = load.failures(since=replaced_at)
        self.assertEqual(late, [], f"requests failed after the replacement ({new_workers})")
        status = get("/pool/status", base=stack.base).json
        self.assertGreaterEqual(status["worker_restarts"], 1, status)

    def test_sigterm_lets_a_request_in_flight_finish(self):
        stack = self.start_stack("term")
        outcome = {}

        def slow_request():
            try:
                outcome["response"] = get("/api/v1/_test/sleep?ms=1500", base=stack.base, timeout=20)
            except Exception as error:
                outcome["error"] = error

        client = threading.Thread(target=slow_request)
        client.start()
        # Wait until a thread of the pool holds the request, then ask the pool to stop.
        wait_until(lambda: get("/pool/status", base=stack.base).json["active_threads"] >= 2,
                   timeout=5, message="the slow request to be in flight")
        stack.pool.signal(signal.SIGTERM)
        client.join(20)
        self.assertNotIn("error", outcome, outcome.get("error"))
        r = outcome["response"]
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["slept_ms"], 1500)
        self.assertEqual(stack.pool.wait(15), 0, "the master must exit 0 after SIGTERM")
        self.assertEqual(stack.pool.workers(), [])
        self.assertFalse(os.path.exists(stack.pool.pid_file), "pid file left behind")

    def test_sighup_replaces_workers_without_failed_requests(self):
        stack = self.start_stack("hup")
        pool = stack.pool
        before = set(pool.workers())
        with Load(LOAD_PATH, base=stack.base, threads=6) as load:
            time.sleep(0.5)
            pool.signal(signal.SIGHUP)
            wait_until(lambda: len(pool.workers()) == 2 and not before & set(pool.workers()),
                       timeout=15, message="all workers to be replaced")
            time.sleep(0.5)
        self.assertIsNone(pool.process.poll(), "the master must keep running")
        results = load.snapshot()
        self.assertGreater(len(results), 50, "too few requests to judge")
        self.assertEqual(load.failures(), [], f"of {len(results)} requests")

    def test_request_over_request_timeout_is_json_504(self):
        timeout = int(env("MEDIKEEP_E2E_REQUEST_TIMEOUT"))
        stack = self.start_stack("timeout")
        r = get(f"/api/v1/_test/sleep?ms={(timeout + 3) * 1000}", base=stack.base,
                timeout=timeout + 20, headers={"X-Request-ID": "e2e-504"})
        body = assert_error_shape(self, r, 504)
        self.assertGreaterEqual(r.elapsed, timeout - 0.5, body)
        self.assertEqual(r.header("X-Request-ID"), "e2e-504")
        # The pool keeps serving (the stuck worker is replaced).
        wait_until(lambda: get(LOAD_PATH, base=stack.base).status == 200, timeout=10,
                   message="the pool to answer again")
        for _ in range(20):
            self.assertEqual(get(LOAD_PATH, base=stack.base).status, 200)

    def test_worker_is_recycled_after_max_requests_without_failures(self):
        stack = self.start_stack("recycle", max_requests=40)
        with Load(LOAD_PATH, base=stack.base, threads=6) as load:
            wait_until(lambda: get("/pool/status", base=stack.base).json["worker_recycles"] >= 2,
                       timeout=20, message="two recycled workers")
            time.sleep(0.5)
        results = load.snapshot()
        self.assertGreater(len(results), 80, "too few requests to judge")
        self.assertEqual(load.failures(), [], f"of {len(results)} requests")
        # Retiring workers finish what they hold and exit; the pool settles at its size.
        wait_until(lambda: len(stack.pool.workers()) == 2, timeout=5, message="the pool to settle at 2 workers")

    def test_sigusr1_reopens_the_log_file(self):
        stack = self.start_stack("usr1")
        log = stack.pool.log_file
        rotated = log + ".1"
        os.rename(log, rotated)  # what logrotate does
        stack.pool.signal(signal.SIGUSR1)
        wait_until(lambda: os.path.exists(log), timeout=5, message="the master to reopen its log")
        marker = f"usr1-{time.monotonic_ns()}"
        # Every worker must have reopened too: log from several requests, any worker may serve.
        for _ in range(6):
            r = post("/api/v1/frontend-logs/log", base=stack.base,
                     json_body={"level": "info", "message": marker})
            self.assertEqual(r.status, 200, r)
        with open(log) as f:
            written = f.read()
        self.assertEqual(written.count(marker), 6, "every line goes to the reopened file")
        with open(rotated) as f:
            self.assertNotIn(marker, f.read())


if __name__ == "__main__":
    unittest.main()


class WorkerMemoryTests(unittest.TestCase):
    def test_workers_do_not_map_libcurl_until_they_talk_to_another_server(self):
        """libcurl and its dozen libraries (about 3.5 MiB a worker) are opened at the first
        outbound exchange; a worker that only serves the API never maps them."""
        stack = ExtraStack("maps", workers=2, threads=4)
        self.addCleanup(stack.stop)
        self.assertEqual(get(LOAD_PATH, base=stack.base).status, 200)
        for pid in stack.pool.workers():
            with open(f"/proc/{pid}/maps") as f:
                maps = f.read()
            self.assertIn("libmariadb", maps, "the check reads the right process")
            self.assertNotIn("libcurl", maps, f"worker {pid} maps libcurl before any outbound request")


class ReloadSlotTests(unittest.TestCase):
    def test_a_reload_short_of_slots_is_made_good_when_slots_free(self):
        """A reload while the old workers still hold requests can find no free
        scoreboard slot for every new worker. The shortfall shows in /pool/status and is
        retried until the old workers leave, so capacity comes back by itself."""
        stack = ExtraStack("slots", workers=2, threads=2, scoreboard_slots=3)
        self.addCleanup(stack.stop)
        self.assertEqual(get(LOAD_PATH, base=stack.base).status, 200)
        responses = []

        def hold():
            responses.append(get("/api/v1/_test/sleep?ms=3000", base=stack.base, timeout=20).status)

        # Three requests in flight across two workers of two threads: both are busy,
        # and one thread is left to answer /pool/status.
        holders = [threading.Thread(target=hold) for _ in range(3)]
        for holder in holders:
            holder.start()
        wait_until(lambda: get("/pool/status", base=stack.base).json["active_threads"] >= 4, 5,
                   message="three requests in flight")
        stack.pool.signal(signal.SIGHUP)
        status = wait_until(
            lambda: (lambda s: s if s.get("missing_workers") == 1 else None)(
                get("/pool/status", base=stack.base).json), 3, message="the shortfall reported")
        self.assertEqual(status["generation"], 2, status)

        def full_generation():
            s = get("/pool/status", base=stack.base).json
            current = [w for w in s["workers"] if w["generation"] == s["generation"]]
            return s if len(current) == 2 and s["missing_workers"] == 0 else None

        status = wait_until(full_generation, 10, interval=0.2, message="the new generation complete")
        for holder in holders:
            holder.join(20)
        self.assertEqual(responses, [200, 200, 200], "the held requests must finish")
        self.assertEqual(len(stack.pool.workers()), 2, status)
