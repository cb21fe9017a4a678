"""The package installation shared by scripts/run and scripts/test
(mk_ensure_packages in scripts/lib/common.sh), run against stand-ins for
dpkg-query, apt-get, id and sleep put first on PATH: no real package is
queried or installed, and the stack is not needed."""

import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# dpkg-query -W -f=FORMAT NAME...: answers from $SHIM_STATUS ("name=status ..."); a
# name not listed is unknown to dpkg (nothing printed, exit 1, as the real one does).
DPKG_QUERY = r"""#!/usr/bin/env bash
printf '%s\n' "$*" >>"$SHIM_DIR/dpkg-query.calls"
fmt=""; names=()
for a in "$@"; do
    case "$a" in -W | --show) ;; -f*) fmt="${a#-f}"; fmt="${fmt#=}" ;; --showformat=*) fmt="${a#*=}" ;; *) names+=("$a") ;; esac
done
rc=0
for n in "${names[@]}"; do
    status=""
    for kv in $SHIM_STATUS; do [ "${kv%%=*}" = "$n" ] && status="${kv#*=}"; done
    if [ -z "$status" ]; then echo "dpkg-query: no packages found matching $n" >&2; rc=1; continue; fi
    line="${fmt//'${db:Status-Status}'/$status}"
    line="${line//'${Package}'/$n}"
    printf '%b' "$line"
done
exit "$rc"
"""

# apt-get: records its arguments; while $SHIM_DIR/locked-N exists for the N-th call, it
# fails the way apt does when another process holds a lock; $SHIM_FAIL_UPDATE makes
# `update` fail for another reason.
APT_GET = r"""#!/usr/bin/env bash
printf '%s\n' "$*" >>"$SHIM_DIR/apt-get.calls"
n=$(wc -l <"$SHIM_DIR/apt-get.calls")
if [ -e "$SHIM_DIR/locked-$n" ]; then
    echo "E: Could not get lock $(cat "$SHIM_DIR/locked-$n"). It is held by process 4242 (apt-get)" >&2
    exit 100
fi
for a in "$@"; do
    if [ "$a" = update ] && [ -n "${SHIM_FAIL_UPDATE:-}" ]; then
        echo "E: The repository 'http://deb.example.org bookworm Release' does not have a Release file." >&2
        exit 100
    fi
done
exit 0
"""

ID = "#!/bin/sh\necho 0\n"  # as root, whoever runs the tests
SLEEP = '#!/bin/sh\necho "$*" >>"$SHIM_DIR/sleep.calls"\n'  # no real waiting


class EnsurePackagesTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="mk-shims-")
        self.addCleanup(shutil.rmtree, self.dir)
        for name, text in (("dpkg-query", DPKG_QUERY), ("apt-get", APT_GET), ("id", ID),
                           ("sleep", SLEEP)):
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)

    def ensure(self, status, packages=("mk-a", "mk-b", "mk-c"), lock_timeout=60, env=None):
        """Runs mk_ensure_packages for `packages` with dpkg's answers `status`
        ({name: status}); returns the finished process."""
        script = (f'source "{ROOT}/scripts/lib/common.sh"\n'
                  f'MK_PACKAGES=({" ".join(packages)})\n'
                  f'MK_APT_LOCK_TIMEOUT={lock_timeout}\n'
                  'mk_ensure_packages\n')
        variables = dict(os.environ, PATH=f"{self.dir}:{os.environ['PATH']}", SHIM_DIR=self.dir,
                         SHIM_STATUS=" ".join(f"{k}={v}" for k, v in status.items()), **(env or {}))
        return subprocess.run(["bash", "-euo", "pipefail", "-c", script], env=variables,
                              capture_output=True, text=True, timeout=60)

    def calls(self, tool):
        try:
            with open(os.path.join(self.dir, f"{tool}.calls")) as f:
                return f.read().splitlines()
        except FileNotFoundError:
            return []

    def lock(self, call, path="/var/lib/apt/lists/lock"):
        """The `call`-th apt-get (from 1) finds `path` locked by another process."""
        with open(os.path.join(self.dir, f"locked-{call}"), "w") as f:
            f.write(path)

    def test_nothing_to_install_means_no_apt(self):
        r = self.ensure({"mk-a": "installed", "mk-b": "installed", "mk-c": "installed"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.calls("apt-get"), [], "apt-get ran although every package is installed")
        self.assertEqual(len(self.calls("dpkg-query")), 1, "one dpkg-query for all packages")

    def test_only_the_missing_packages_are_installed(self):
        # Removed but not purged ("config-files"), half installed, unknown: all missing.
        r = self.ensure({"mk-a": "installed", "mk-b": "config-files", "mk-d": "half-installed"},
                        packages=("mk-a", "mk-b", "mk-c", "mk-d"))
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = self.calls("apt-get")
        self.assertEqual(len(calls), 2, calls)
        self.assertIn("update", calls[0].split())
        install = calls[1].split()
        self.assertIn("install", install)
        self.assertEqual(install[-3:], ["mk-b", "mk-c", "mk-d"])

    def test_apt_get_waits_for_the_dpkg_lock(self):
        r = self.ensure({"mk-a": "installed"}, lock_timeout=321)
        self.assertEqual(r.returncode, 0, r.stderr)
        calls = self.calls("apt-get")
        self.assertEqual(len(calls), 2, calls)
        for call in calls:
            args = call.split()
            self.assertIn("-o", args, call)
            timeouts = [a for a in args if a.startswith("DPkg::Lock::Timeout=")]
            self.assertEqual(len(timeouts), 1, call)
            self.assertTrue(0 < int(timeouts[0].split("=")[1]) <= 321, call)

    def test_a_held_lock_that_apt_does_not_wait_for_is_waited_for(self):
        # apt-get update takes /var/lib/apt/lists/lock, and a download the archives lock;
        # DPkg::Lock::Timeout covers neither (apt 2.6), so the script waits itself.
        self.lock(1)
        self.lock(2)
        self.lock(4, "/var/cache/apt/archives/lock")
        r = self.ensure({"mk-a": "installed"})
        self.assertEqual(r.returncode, 0, r.stderr)
        verbs = [("update" if "update" in c.split() else "install") for c in self.calls("apt-get")]
        self.assertEqual(verbs, ["update", "update", "update", "install", "install"])
        self.assertEqual(len(self.calls("sleep")), 3)
        self.assertIn("waiting", r.stderr)

    def test_a_lock_held_too_long_fails(self):
        for call in range(1, 40):
            self.lock(call)
        r = self.ensure({"mk-a": "installed"}, lock_timeout=0)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(self.calls("apt-get")), 1, self.calls("apt-get"))
        self.assertIn("apt-get update", r.stderr)

    def test_another_failure_is_not_retried(self):
        r = self.ensure({"mk-a": "installed"}, env={"SHIM_FAIL_UPDATE": "1"})
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(len(self.calls("apt-get")), 1, self.calls("apt-get"))
        self.assertEqual(self.calls("sleep"), [])
        self.assertIn("Release file", r.stderr)  # apt's own message reaches the user


if __name__ == "__main__":
    unittest.main()
