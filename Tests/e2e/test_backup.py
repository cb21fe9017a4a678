"""`medikeep-jobs backup` against the e2e stack: one archive with the database dump and
the file store, written atomically and readable only by its owner; the dump restores
into a scratch database with the same rows; old archives go by the retention rule, other
files stay; a failed run exits non-zero, says why in one JSON line and records it on
its lease."""

import json
import os
import re
import shutil
import stat
import subprocess
import tarfile
import tempfile
import unittest

import harness as h
from apicase import _pool_config, db_execute, new_user
from test_files import FILES, new_lab_result, pdf_bytes, upload
from test_jobs import jobs

ARCHIVE = re.compile(r"^backup_full_\d{4}-\d{2}-\d{2}_\d{6}\.tar\.gz$")


def job_line(stderr, event):
    """The JSON log line of `event` in a job's standard error."""
    for line in stderr.splitlines():
        if line.startswith("{") and f'"event":"{event}"' in line:
            return json.loads(line)
    raise AssertionError(f"no {event} line in {stderr!r}")


def scratch_sql(database, sql=None, stdin=None):
    config = _pool_config()
    command = ["mariadb", "--no-defaults", f"--socket={config['db_socket']}",
               f"--user={config.get('db_user', 'root')}", "-N", "-B"]
    if config.get("db_password"):
        command.append(f"--password={config['db_password']}")
    if database:
        command.append(database)
    if sql:
        command += ["-e", sql]
    return subprocess.run(command, check=True, capture_output=True, text=True, stdin=stdin).stdout


class BackupTests(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.mkdtemp(prefix="mk-backup-", dir=h.env("MEDIKEEP_E2E_VAR"))
        self.addCleanup(shutil.rmtree, self.directory, True)

    def backup(self, **settings):
        environment = {"MEDIKEEP_BACKUP_DIR": self.directory}
        environment.update({f"MEDIKEEP_BACKUP_{k.upper()}": str(v) for k, v in settings.items()})
        saved = {k: os.environ.get(k) for k in environment}
        os.environ.update(environment)
        try:
            return jobs("backup")
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def test_archive_restores_into_a_scratch_database(self):
        user = new_user()
        lab = new_lab_result(user, "Backup check")
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "letter.pdf", pdf_bytes("backup"),
                   ctype="application/pdf")
        self.assertEqual(r.status, 200, r)

        result = self.backup()
        self.assertEqual(result.returncode, 0, result.stderr)
        finished = job_line(result.stderr, "job_finished")["result"]
        archives = [n for n in os.listdir(self.directory) if not n.startswith(".")]
        self.assertEqual(len(archives), 1, archives)
        self.assertRegex(archives[0], ARCHIVE)
        path = os.path.join(self.directory, archives[0])
        self.assertEqual(finished["archive"], path)
        self.assertEqual(finished["bytes"], os.path.getsize(path))
        self.assertTrue(finished["includes_files"])
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode) & 0o077, 0, "the archive is readable by others")
        self.assertEqual(os.listdir(self.directory), archives, "a work file was left behind")

        with tarfile.open(path) as archive:
            names = archive.getnames()
            self.assertIn("database.sql", names)
            manifest = json.load(archive.extractfile("manifest.json"))
            stored = [n for n in names if n.startswith("files/") and archive.getmember(n).isfile()]
            dump = archive.extractfile("database.sql").read()
        self.assertEqual(manifest["database"], _pool_config()["db_name"])
        self.assertEqual(manifest["schema_version"], db_execute("SELECT MAX(version) FROM schema_migrations").strip())
        self.assertGreaterEqual(len(stored), 1, names)
        # No credential of the database in the archive's dump (it was in an option file).
        password = _pool_config().get("db_password")
        if password:
            self.assertNotIn(password.encode(), dump)

        scratch = "medikeep_restore_check"
        scratch_sql(None, f"DROP DATABASE IF EXISTS {scratch}; CREATE DATABASE {scratch}")
        self.addCleanup(scratch_sql, None, f"DROP DATABASE IF EXISTS {scratch}")
        with tempfile.TemporaryFile() as f:
            f.write(dump)
            f.seek(0)
            scratch_sql(scratch, stdin=f)
        for table in ("users", "lab_results", "entity_files", "schema_migrations"):
            with self.subTest(table=table):
                original = db_execute(f"SELECT COUNT(*) FROM {table}").strip()
                restored = scratch_sql(scratch, f"SELECT COUNT(*) FROM {table}").strip()
                # Other tests may add rows after the dump, never remove these.
                self.assertGreaterEqual(int(original), int(restored))
                self.assertGreater(int(restored), 0)
        self.assertEqual(scratch_sql(scratch, f"SELECT test_name FROM lab_results WHERE id = {lab['id']}").strip(),
                         "Backup check")
        # Triggers come along (the symptom timeline's per-day totals).
        self.assertIn("symptom_days_insert", scratch_sql(scratch, "SHOW TRIGGERS"))

    def test_retention_keeps_the_newest_and_nothing_else_is_touched(self):
        old = [f"backup_full_2020-01-0{day}_020000.tar.gz" for day in range(1, 6)]
        for name in old + ["notes.txt", "backup_full_garbage.tar.gz"]:
            with open(os.path.join(self.directory, name), "w") as f:
                f.write("x")
        os.mkdir(os.path.join(self.directory, ".partial-deadbeef"))  # a run that died

        result = self.backup(min_count=2, max_count=3, retention_days=30)
        self.assertEqual(result.returncode, 0, result.stderr)
        left = sorted(os.listdir(self.directory))
        new = [n for n in left if ARCHIVE.match(n) and not n.startswith("backup_full_2020")]
        self.assertEqual(len(new), 1, left)
        # The new archive and the newest old one (min_count 2); the others are past 30 days.
        self.assertEqual(left, sorted(["backup_full_2020-01-05_020000.tar.gz", "backup_full_garbage.tar.gz",
                                       "notes.txt"] + new))
        self.assertEqual(sorted(job_line(result.stderr, "job_finished")["result"]["removed"]), old[:4])

    def test_failure_exits_non_zero_and_is_recorded(self):
        with open(os.path.join(self.directory, "a-file"), "w") as f:
            f.write("x")
        os.environ["MEDIKEEP_BACKUP_DIR"] = os.path.join(self.directory, "a-file", "below")
        try:
            result = jobs("backup")
        finally:
            os.environ.pop("MEDIKEEP_BACKUP_DIR", None)
        self.assertEqual(result.returncode, 1, result.stderr)
        self.assertEqual(job_line(result.stderr, "job_failed")["job"], "backup")
        self.assertTrue(db_execute("SELECT last_result FROM job_leases WHERE name = 'backup'").startswith("failed"))

    def test_bad_retention_settings_are_refused(self):
        result = self.backup(min_count=5, max_count=2)
        self.assertEqual(result.returncode, 1)
        self.assertIn("backup_min_count", result.stderr)
        self.assertEqual(os.listdir(self.directory), [])


if __name__ == "__main__":
    unittest.main()
