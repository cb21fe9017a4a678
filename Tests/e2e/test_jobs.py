"""The timer executable against the e2e stack's database: a task runs, records its
lease, and an unknown task is refused."""

import os
import subprocess
import unittest

from harness import env


def jobs(*arguments):
    binary = os.path.join(os.path.dirname(env("MEDIKEEP_E2E_POOL_BIN")), "medikeep-jobs")
    variables = {k: v for k, v in os.environ.items() if not k.startswith("MEDIKEEP_E2E_")}
    variables["MEDIKEEP_LOG_FILE"] = ""  # log to stderr, where the test reads it
    return subprocess.run([binary, *arguments, "--config", env("MEDIKEEP_E2E_POOL_CONFIG")],
                          env=variables, capture_output=True, text=True, timeout=60)


class JobTests(unittest.TestCase):
    def test_maintenance_runs_and_reports(self):
        result = jobs("maintenance")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('"event":"job_finished"', result.stderr)
        self.assertIn('"revoked_tokens"', result.stderr)

    def test_unknown_task_is_refused_with_the_list(self):
        result = jobs("make-coffee")
        self.assertEqual(result.returncode, 2)
        self.assertIn("maintenance", result.stderr)


if __name__ == "__main__":
    unittest.main()
