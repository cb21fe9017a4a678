#!/usr/bin/env python3
"""The job schedule of scripts/run, for machines without systemd: reads the same
systemd/medikeep-jobs-*.timer files the production units use (so the two schedules
cannot drift) and starts `medikeep-jobs <task> --config <file>` when each is due.

  scheduler.py --timers DIR --jobs BIN --config FILE --log FILE [--pid-file FILE]
  scheduler.py --timers DIR --print        the parsed schedule as JSON, then exit

Only the forms the units use are understood; anything else in a [Timer] section makes
the scheduler refuse to start rather than run a different schedule than systemd would:

  OnCalendar=minutely | hourly | daily | *-*-* HH:MM[:SS]      (local time)
  OnBootSec= / OnUnitActiveSec= / OnUnitInactiveSec=  a time span (30s, 3min, 1h, 1d)
  Unit=medikeep-jobs@<task>.service
  RandomizedDelaySec=, Persistent=, AccuracySec=       accepted, not applied: one host,
                                                       and the stack's start is its boot

Each task runs at most once at a time (as a systemd service would); its output, the
jobs' one JSON line per run, is appended to the log with the scheduler's own lines.
A timer whose task this build of medikeep-jobs lacks (`--list`) is skipped and said so.
SIGTERM or SIGINT: no new runs; running jobs get SIGTERM and up to 20 s to finish.
"""
import argparse
import configparser
import datetime
import json
import os
import re
import signal
import subprocess
import sys
import time

SPAN_UNITS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60,
              "h": 3600, "hr": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}
IGNORED = {"RandomizedDelaySec", "Persistent", "AccuracySec"}
CALENDAR_WORDS = {"minutely": "*-*-* *:*:00", "hourly": "*-*-* *:00:00", "daily": "*-*-* 00:00:00"}


class TimerError(Exception):
    pass


def parse_span(text, where):
    """A systemd time span of the forms above, in seconds."""
    total, rest = 0, text.strip()
    if re.fullmatch(r"\d+", rest):
        return int(rest)
    for number, unit in re.findall(r"(\d+)\s*([a-z]+)\s*", rest):
        if unit not in SPAN_UNITS:
            raise TimerError(f"{where}: unknown time unit {unit!r} in {text!r}")
        total += int(number) * SPAN_UNITS[unit]
    if not re.fullmatch(r"(\d+\s*[a-z]+\s*)+", rest):
        raise TimerError(f"{where}: unsupported time span {text!r}")
    return total


def parse_calendar(text, where):
    """(hour or None, minute or None, second) of a supported OnCalendar expression;
    None means every value."""
    spec = CALENDAR_WORDS.get(text.strip(), text.strip())
    match = re.fullmatch(r"\*-\*-\* (\*|\d{1,2}):(\*|\d{1,2})(?::(\d{1,2}))?", spec)
    if not match:
        raise TimerError(f"{where}: unsupported OnCalendar={text!r} (scheduler.py knows minutely, hourly, "
                         "daily and *-*-* HH:MM:SS)")
    hour, minute, second = match.group(1), match.group(2), match.group(3) or "0"
    fields = (None if hour == "*" else int(hour), None if minute == "*" else int(minute), int(second))
    if (fields[0] is not None and fields[0] > 23) or (fields[1] is not None and fields[1] > 59) or fields[2] > 59:
        raise TimerError(f"{where}: OnCalendar={text!r} is out of range")
    return fields


def next_calendar(fields, after):
    """The first local moment strictly after `after` (a naive local datetime) matching."""
    hour, minute, second = fields
    moment = after.replace(microsecond=0) + datetime.timedelta(seconds=1)
    # Minute by minute is at most 1440 steps a day: cheap, and obviously right.
    candidate = moment.replace(second=second)
    if candidate < moment:
        candidate += datetime.timedelta(minutes=1)
    for _ in range(2 * 1440 + 2):
        if (hour is None or candidate.hour == hour) and (minute is None or candidate.minute == minute):
            return candidate
        candidate += datetime.timedelta(minutes=1)
    raise AssertionError("no matching time within two days")


def load_timers(directory):
    """[{name, task, calendar, boot, active, inactive}] of every medikeep-jobs-*.timer."""
    timers = []
    for file in sorted(os.listdir(directory)):
        if not (file.startswith("medikeep-jobs-") and file.endswith(".timer")):
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str
        parser.read(os.path.join(directory, file))
        if not parser.has_section("Timer"):
            raise TimerError(f"{file}: no [Timer] section")
        timer = {"name": file, "task": None, "calendar": None, "boot": None, "active": None, "inactive": None}
        for key, value in parser.items("Timer"):
            where = f"{file}: {key}"
            if key == "OnCalendar":
                timer["calendar"] = parse_calendar(value, where)
                timer["calendar_text"] = value
            elif key == "OnBootSec":
                timer["boot"] = parse_span(value, where)
            elif key == "OnUnitActiveSec":
                timer["active"] = parse_span(value, where)
            elif key == "OnUnitInactiveSec":
                timer["inactive"] = parse_span(value, where)
            elif key == "Unit":
                match = re.fullmatch(r"medikeep-jobs@([a-z0-9-]+)\.service", value.strip())
                if not match:
                    raise TimerError(f"{where}: expected medikeep-jobs@<task>.service, got {value!r}")
                timer["task"] = match.group(1)
            elif key not in IGNORED:
                raise TimerError(f"{where}: scheduler.py does not understand this key")
        if timer["task"] is None:
            raise TimerError(f"{file}: no Unit=medikeep-jobs@<task>.service")
        if not any(timer[k] is not None for k in ("calendar", "boot", "active", "inactive")):
            raise TimerError(f"{file}: no OnCalendar=, OnBootSec=, OnUnitActiveSec= or OnUnitInactiveSec=")
        timers.append(timer)
    if not timers:
        raise TimerError(f"no medikeep-jobs-*.timer in {directory}")
    return timers


def next_due(timer, started, last_start, last_finish):
    """When the timer next fires (a naive local datetime), given the scheduler's start
    (the stack's boot) and its task's last start and finish (None before the first)."""
    candidates = []
    if timer["calendar"] is not None:
        candidates.append(next_calendar(timer["calendar"], last_start or started))
    if timer["boot"] is not None and last_start is None:
        candidates.append(started + datetime.timedelta(seconds=timer["boot"]))
    if timer["active"] is not None and last_start is not None:
        candidates.append(last_start + datetime.timedelta(seconds=timer["active"]))
    if timer["inactive"] is not None and last_finish is not None:
        candidates.append(last_finish + datetime.timedelta(seconds=timer["inactive"]))
    if not candidates and timer["active"] is not None:
        candidates.append(started + datetime.timedelta(seconds=timer["active"]))
    return min(candidates) if candidates else None


class Scheduler:
    def __init__(self, timers, jobs, config, log):
        self.timers, self.jobs, self.config, self.log_path = timers, jobs, config, log
        self.started = datetime.datetime.now()
        self.state = {t["name"]: {"last_start": None, "last_finish": None, "process": None} for t in timers}
        self.stopping = False

    def log(self, event, **fields):
        line = json.dumps({"ts": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "level": "INFO", "event": event, **fields}, separators=(",", ":"))
        with open(self.log_path, "a") as f:
            f.write(line + "\n")

    def known_tasks(self):
        out = subprocess.run([self.jobs, "--list"], capture_output=True, text=True, check=True).stdout
        return set(out.split())

    def start(self, timer):
        state = self.state[timer["name"]]
        log = open(self.log_path, "a")
        try:
            # The job's JSON line goes to its standard error, which is this log.
            environment = {**os.environ, "MEDIKEEP_LOG_FILE": ""}
            state["process"] = subprocess.Popen([self.jobs, timer["task"], "--config", self.config],
                                                stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=environment)
        finally:
            log.close()
        state["last_start"] = datetime.datetime.now()

    def reap(self):
        for timer in self.timers:
            state = self.state[timer["name"]]
            process = state["process"]
            if process is not None and process.poll() is not None:
                if process.returncode != 0:
                    self.log("scheduler_job_failed", task=timer["task"], status=process.returncode)
                state["process"], state["last_finish"] = None, datetime.datetime.now()

    def run(self):
        known = self.known_tasks()
        active = []
        for timer in self.timers:
            if timer["task"] in known:
                active.append(timer)
            else:
                self.log("scheduler_timer_skipped", timer=timer["name"], reason="medikeep-jobs has no such task")
        self.log("scheduler_started", timers=[t["name"] for t in active], pid=os.getpid())
        while not self.stopping:
            self.reap()
            now = datetime.datetime.now()
            for timer in active:
                state = self.state[timer["name"]]
                if state["process"] is not None:
                    continue  # one run at a time, as a oneshot service
                due = next_due(timer, self.started, state["last_start"], state["last_finish"])
                if due is not None and due <= now:
                    self.start(timer)
            time.sleep(0.5)
        running = [s["process"] for s in self.state.values() if s["process"] is not None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + 20
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.reap()
        self.log("scheduler_stopped")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timers", required=True)
    parser.add_argument("--print", action="store_true", dest="print_only")
    parser.add_argument("--jobs")
    parser.add_argument("--config")
    parser.add_argument("--log")
    parser.add_argument("--pid-file")
    args = parser.parse_args()
    try:
        timers = load_timers(args.timers)
    except TimerError as error:
        print(f"scheduler.py: {error}", file=sys.stderr)
        return 2
    if args.print_only:
        now = datetime.datetime.now()
        print(json.dumps([{"timer": t["name"], "task": t["task"], "on_calendar": t.get("calendar_text"),
                           "on_boot_sec": t["boot"], "on_unit_active_sec": t["active"],
                           "on_unit_inactive_sec": t["inactive"],
                           "first_run": next_due(t, now, None, None).isoformat(timespec="seconds")}
                          for t in timers], indent=1))
        return 0
    if not (args.jobs and args.config and args.log):
        parser.error("--jobs, --config and --log are required to run")
    scheduler = Scheduler(timers, args.jobs, args.config, args.log)

    def stop(signum, frame):
        scheduler.stopping = True
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(f"{os.getpid()}\n")
    try:
        scheduler.run()
    finally:
        if args.pid_file and os.path.exists(args.pid_file):
            os.unlink(args.pid_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
