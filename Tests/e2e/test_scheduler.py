"""The job scheduler of scripts/run (scripts/lib/scheduler.py): it reads the systemd
timer files themselves, refuses forms it does not understand, runs each due job with
the stack's configuration, skips a timer whose task the build lacks, and stops on
SIGTERM. systemd-analyze verifies the same files in scripts/test."""

import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import harness as h

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SCHEDULER = os.path.join(ROOT, "scripts", "lib", "scheduler.py")
sys.path.insert(0, os.path.dirname(SCHEDULER))
import scheduler  # noqa: E402


def write_timer(directory, name, timer_section):
    with open(os.path.join(directory, name), "w") as f:
        f.write(f"[Unit]\nDescription=test\n\n[Timer]\n{timer_section}\n\n[Install]\nWantedBy=timers.target\n")


class ScheduleTests(unittest.TestCase):
    def test_the_schedule_is_the_timer_files(self):
        out = subprocess.run([sys.executable, SCHEDULER, "--timers", os.path.join(ROOT, "systemd"), "--print"],
                             check=True, capture_output=True, text=True).stdout
        schedule = {t["task"]: t for t in json.loads(out)}
        timers = sorted(f for f in os.listdir(os.path.join(ROOT, "systemd")) if f.endswith(".timer"))
        self.assertEqual(sorted(t["timer"] for t in schedule.values()), timers)
        self.assertEqual(schedule["reminders"]["on_calendar"], "minutely")
        self.assertEqual(schedule["cleanup-shares"]["on_calendar"], "hourly")
        self.assertEqual(schedule["maintenance"]["on_calendar"], "hourly")
        self.assertEqual(schedule["files-sweep"]["on_calendar"], "daily")
        self.assertEqual(schedule["backup"]["on_calendar"], "*-*-* 02:30:00")
        self.assertTrue(schedule["backup"]["first_run"].endswith("T02:30:00"))
        self.assertEqual((schedule["document-sync"]["on_boot_sec"], schedule["document-sync"]["on_unit_inactive_sec"]),
                         (120, 180))

    def test_calendar_and_spans(self):
        at = datetime.datetime(2026, 3, 1, 2, 30, 0)
        daily = scheduler.parse_calendar("*-*-* 02:30:00", "t")
        self.assertEqual(scheduler.next_calendar(daily, at), datetime.datetime(2026, 3, 2, 2, 30))
        self.assertEqual(scheduler.next_calendar(daily, at - datetime.timedelta(seconds=1)), at)
        minutely = scheduler.parse_calendar("minutely", "t")
        self.assertEqual(scheduler.next_calendar(minutely, datetime.datetime(2026, 3, 1, 23, 59, 0, 500)),
                         datetime.datetime(2026, 3, 2, 0, 0))
        hourly = scheduler.parse_calendar("hourly", "t")
        self.assertEqual(scheduler.next_calendar(hourly, datetime.datetime(2026, 3, 1, 7, 0, 1)),
                         datetime.datetime(2026, 3, 1, 8, 0))
        self.assertEqual(scheduler.parse_span("1h 30min", "t"), 5400)
        self.assertEqual(scheduler.parse_span("3min", "t"), 180)
        self.assertEqual(scheduler.parse_span("45", "t"), 45)

    def test_forms_systemd_has_but_the_scheduler_does_not_are_refused(self):
        for section in ("OnCalendar=Mon *-*-* 10:00\nUnit=medikeep-jobs@backup.service",
                        "OnCalendar=daily\nUnit=medikeep-jobs@backup.service\nWakeSystem=true",
                        "OnActiveSec=5min\nUnit=medikeep-jobs@backup.service",
                        "OnUnitActiveSec=3 fortnights\nUnit=medikeep-jobs@backup.service",
                        "OnCalendar=daily\nUnit=something-else.service",
                        "OnCalendar=daily"):
            with self.subTest(section=section), tempfile.TemporaryDirectory() as directory:
                write_timer(directory, "medikeep-jobs-x.timer", section)
                r = subprocess.run([sys.executable, SCHEDULER, "--timers", directory, "--print"],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertIn("medikeep-jobs-x.timer", r.stderr)


class RunTests(unittest.TestCase):
    def test_runs_due_jobs_skips_unknown_tasks_and_stops_on_sigterm(self):
        directory = tempfile.mkdtemp(dir=h.env("MEDIKEEP_E2E_VAR"))
        self.addCleanup(shutil.rmtree, directory, True)
        timers = os.path.join(directory, "timers")
        os.mkdir(timers)
        write_timer(timers, "medikeep-jobs-maintenance.timer",
                    "OnBootSec=0\nOnUnitActiveSec=1s\nRandomizedDelaySec=5min\nUnit=medikeep-jobs@maintenance.service")
        write_timer(timers, "medikeep-jobs-coffee.timer", "OnCalendar=minutely\nUnit=medikeep-jobs@make-coffee.service")
        log, pid_file = os.path.join(directory, "jobs.log"), os.path.join(directory, "scheduler.pid")
        jobs = os.path.join(os.path.dirname(h.env("MEDIKEEP_E2E_POOL_BIN")), "medikeep-jobs")
        process = subprocess.Popen([sys.executable, SCHEDULER, "--timers", timers, "--jobs", jobs,
                                    "--config", h.env("MEDIKEEP_E2E_POOL_CONFIG"), "--log", log,
                                    "--pid-file", pid_file], start_new_session=True)
        self.addCleanup(lambda: process.poll() is not None or process.kill())

        def lines():
            if not os.path.exists(log):
                return []
            with open(log) as f:
                return [json.loads(line) for line in f if line.startswith("{")]

        def finished():
            return [l for l in lines() if l.get("event") == "job_finished" and l.get("job") == "maintenance"]
        h.wait_until(lambda: len(finished()) >= 2, 30, 0.2, "two maintenance runs")
        with open(pid_file) as f:
            self.assertEqual(int(f.read()), process.pid)
        skipped = [l for l in lines() if l["event"] == "scheduler_timer_skipped"]
        self.assertEqual([l["timer"] for l in skipped], ["medikeep-jobs-coffee.timer"])

        process.send_signal(signal.SIGTERM)
        self.assertEqual(process.wait(30), 0)
        self.assertFalse(os.path.exists(pid_file))
        self.assertEqual(lines()[-1]["event"], "scheduler_stopped")
        count = len(finished())
        time.sleep(1.5)
        self.assertEqual(len(finished()), count, "a job ran after the scheduler stopped")


if __name__ == "__main__":
    unittest.main()
