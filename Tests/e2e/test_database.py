"""The pool survives a database outage: health says 503 while MariaDB is down and
200 again once it is back, without restarting the pool. MariaDB is restarted at
the end whatever happens, so later tests find the stack as it was."""

import unittest

from harness import (assert_error_shape, db_start, db_stop, env, get, read_pid,
                     wait_until)

HEALTH = "/api/v1/system/health"


def unhealthy():
    """The health response when it is not 200, else None."""
    r = get(HEALTH, timeout=30)
    return r if r.status != 200 else None


class DatabaseOutageTests(unittest.TestCase):
    def test_health_is_503_while_the_database_is_down_and_recovers(self):
        master = read_pid(env("MEDIKEEP_E2E_POOL_PID_FILE"))
        self.assertEqual(get(HEALTH).status, 200)

        db_stop()
        self.addCleanup(self.restore)
        r = wait_until(unhealthy, timeout=20, interval=0.2, message="health to notice the outage")
        assert_error_shape(self, r, 503)
        # Every thread reports it, not just one (and none hangs).
        for _ in range(8):
            assert_error_shape(self, get(HEALTH, timeout=30), 503)

        db_start()
        wait_until(lambda: get(HEALTH, timeout=30).status == 200, timeout=30, interval=0.2,
                   message="health to recover after MariaDB is back")
        # Every thread reconnects: many requests in a row all succeed.
        for _ in range(30):
            r = get(HEALTH)
            self.assertEqual(r.status, 200, r)
        self.assertEqual(read_pid(env("MEDIKEEP_E2E_POOL_PID_FILE")), master,
                         "the pool must not have been restarted")

    def restore(self):
        db_start()
        wait_until(lambda: get(HEALTH, timeout=30).status == 200, timeout=60, interval=0.5,
                   message="the stack to be healthy again")


if __name__ == "__main__":
    unittest.main()
