"""Notifications end to end (nginx → pool → MariaDB → fake services on 127.0.0.1 started
here): channels of all six types with per-type validation, configuration sealed in the
database and only ever answered masked, channel tests that really reach the fakes (and
report failures as the contract shows), preferences and their matrix, the history with
its filters and pages, the medication reminder test endpoint and its refusals, and the
timer executable's `reminders` (exactly once per medication x time x channel, however
often it runs, catching up after downtime up to its limit) and `cleanup-shares` jobs.

Contract: api-reference.txt "Notifications", "POST /medications/{id}/reminders/test".
"""

import datetime
import json
import os
import subprocess
import unittest
import zoneinfo

import harness as h
from apicase import API, ApiTestCase, _pool_config, db_execute, new_user
from fake_notify import FakeNotifyHTTP, FakeSMTP
from test_sharing import SharingCase, expire_share

N = "/notifications"
FACILITY_TZ = "Europe/Berlin"


def run_job(task, **overrides):
    """Runs `medikeep-jobs task` against the stack's database; (exit code, stderr)."""
    binary = os.path.join(os.path.dirname(h.env("MEDIKEEP_E2E_POOL_BIN")), "medikeep-jobs")
    variables = {k: v for k, v in os.environ.items() if not k.startswith("MEDIKEEP_E2E_")}
    variables["MEDIKEEP_LOG_FILE"] = ""
    variables.update({f"MEDIKEEP_{k.upper()}": str(v) for k, v in overrides.items()})
    result = subprocess.run([binary, task, "--config", h.env("MEDIKEEP_E2E_POOL_CONFIG")],
                            env=variables, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stderr


def job_result(stderr):
    for line in stderr.splitlines():
        if '"job_finished"' in line:
            return json.loads(line)["result"]
    raise AssertionError(f"no job_finished line in {stderr!r}")


def rewind_reminder_cursor(minutes):
    db_execute("INSERT INTO job_cursors (name, covered_until) VALUES ('reminders', UTC_TIMESTAMP() - INTERVAL "
               f"{int(minutes)} MINUTE) ON DUPLICATE KEY UPDATE covered_until = VALUES(covered_until)")


def local_times(*minutes_ago):
    now = datetime.datetime.now(zoneinfo.ZoneInfo(FACILITY_TZ))
    return [(now - datetime.timedelta(minutes=m)).strftime("%H:%M") for m in minutes_ago]


class NotificationCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.http = FakeNotifyHTTP()
        cls.smtp = FakeSMTP()

    @classmethod
    def tearDownClass(cls):
        cls.http.stop()
        cls.smtp.stop()

    def channel(self, user, channel_type, config, name=None, **extra):
        body = {"name": name or h.unique(channel_type), "channel_type": channel_type, "config": config, **extra}
        return self.ok(self.post(f"{N}/channels", user, body), 201)

    def webhook(self, user, **extra):
        path = f"/hook/{h.unique('w')}"
        return self.channel(user, "webhook", {"url": self.http.url + path, **extra}), path

    def email(self, user, **extra):
        address = f"{h.unique('m')}@example.test"
        config = {"to": address, "from": "medikeep@example.test", "smtp_host": "127.0.0.1",
                  "smtp_port": self.smtp.port, "smtp_security": "none", **extra}
        return self.channel(user, "email", config), address

    def medication(self, user, **fields):
        me = self.ok(self.get("/patients/me", user))
        body = {"patient_id": me["id"], "medication_name": h.unique("Med"), "dosage": "10 mg", "status": "active",
                **fields}
        return self.ok(self.post("/medications/", user, body), 201)

    def assert_no_secret(self, text, *secrets):
        for secret in secrets:
            self.assertNotIn(secret, text)


class ChannelTests(NotificationCase):
    def test_event_types_list_what_fires(self):
        user = new_user()
        types = self.ok(self.get(f"{N}/event-types", user))["event_types"]
        by_value = {t["value"]: t for t in types}
        self.assertTrue(by_value["medication_reminder_due"]["is_implemented"])
        self.assertEqual(by_value["medication_reminder_due"]["category"], "reminders")
        self.assertEqual([t["value"] for t in types if t["is_implemented"]], ["medication_reminder_due"])
        for t in types:
            self.assertEqual(set(t), {"value", "label", "description", "category", "is_implemented"})
        self.assertEqual(self.get(f"{N}/event-types").status, 401)
        self.assertEqual(self.get(f"{N}/channels/").status, 401)

    def test_validation_names_each_problem(self):
        user = new_user()
        r = self.post(f"{N}/channels", user, {"name": "T", "channel_type": "telegram", "config": {"chat_id": "1"}})
        self.error(r, 422, "config.bot_token")
        self.assertIn("bot_token", r.text)
        self.error(self.post(f"{N}/channels", user, {"name": "X", "channel_type": "fax", "config": {}}), 422,
                   "channel_type")
        self.error(self.post(f"{N}/channels", user, {"name": "", "channel_type": "slack",
                                                     "config": {"webhook_url": "ftp://x"}}), 422,
                   "name", "config.webhook_url")
        self.error(self.post(f"{N}/channels", user, {"name": "W", "channel_type": "webhook",
                                                     "config": {"url": "http://h/x", "colour": "red"}}), 422,
                   "config.colour")
        self.error(self.post(f"{N}/channels", user, {"name": "E", "channel_type": "email",
                                                     "config": {"to": "not-an-address"}}), 422, "config.to")
        self.error(self.post(f"{N}/channels", user, {"name": "P", "channel_type": "pushover",
                                                     "config": {"user_key": "u", "api_token": "t", "priority": 7}}),
                   422, "config.priority")
        self.error(self.post(f"{N}/channels", user, {"name": "D", "channel_type": "discord", "config": "x"}), 422,
                   "config")
        self.error(self.post(f"{N}/channels", user, {"name": "D", "channel_type": "discord"}), 422, "config")
        self.check_malformed_bodies("POST", f"{API}{N}/channels", user, string_field="name",
                                    valid={"channel_type": "slack", "config": {"webhook_url": "https://h/x"}})
        self.assertEqual(self.ok(self.get(f"{N}/channels", user)), [])  # nothing was created

    def test_crud_masks_and_seals_the_configuration(self):
        user, stranger = new_user(), new_user()
        token = "7000000001:AAE-secret-bot-token-" + h.unique("t")
        created = self.channel(user, "telegram", {"chat_id": "123456789", "bot_token": token}, name="My Telegram")
        self.assertEqual(created["config_masked"], {"bot_token": "***masked***", "chat_id": "123***789"})
        self.assertEqual((created["channel_type"], created["is_enabled"], created["is_verified"],
                          created["total_notifications_sent"], created["config_valid"], created["config_error"]),
                         ("telegram", True, False, 0, True, None))
        self.assert_timestamps(created, "created_at", "updated_at")
        listed = self.ok(self.get(f"{N}/channels/", user))
        self.assertEqual([c["id"] for c in listed], [created["id"]])
        self.assertNotIn("config_masked", listed[0])
        shown = self.ok(self.get(f"{N}/channels/{created['id']}", user))
        self.assertEqual(shown["config_masked"]["bot_token"], "***masked***")
        # Sealed in the database: neither the token nor the chat id is stored in clear.
        stored = db_execute(f"SELECT config_sealed FROM notification_channels WHERE id = {created['id']}")
        self.assertTrue(stored.startswith("v1."))
        self.assert_no_secret(stored, token, "123456789")

        # A partial config keeps the rest; the type cannot change.
        updated = self.ok(self.put(f"{N}/channels/{created['id']}", user,
                                   {"name": "Renamed", "config": {"chat_id": "987654321"}, "is_enabled": False}))
        self.assertEqual((updated["name"], updated["is_enabled"], updated["config_masked"]),
                         ("Renamed", False, {"bot_token": "***masked***", "chat_id": "987***321"}))
        self.error(self.put(f"{N}/channels/{created['id']}", user, {"channel_type": "slack"}), 422, "channel_type")
        self.error(self.put(f"{N}/channels/{created['id']}", user, {"config": {"bot_token": None}}), 422,
                   "config.bot_token")

        # Another user's channel does not exist for them.
        for method, path in (("GET", ""), ("PUT", ""), ("DELETE", ""), ("POST", "/test")):
            r = self.call(method, f"{API}{N}/channels/{created['id']}{path}", stranger, json_body={"name": "x"})
            self.error(r, 404)
        self.error(self.get(f"{N}/channels/abc", user), 422, "channel_id")
        self.assertEqual(self.delete(f"{N}/channels/{created['id']}", user).status, 204)
        self.error(self.get(f"{N}/channels/{created['id']}", user), 404)
        self.error(self.delete(f"{N}/channels/{created['id']}", user), 404)


class DeliveryTests(NotificationCase):
    """Every type's test message against the fakes; Telegram and Pushover have fixed hosts,
    so an extra stack points `notify_telegram_api_url` / `notify_pushover_api_url` here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A stand-in sendmail that keeps its arguments and the message it is handed.
        cls.sendmail_dir = h.extra_dir("notify-sendmail")
        cls.sendmail = os.path.join(cls.sendmail_dir, "sendmail")
        with open(cls.sendmail, "w") as f:
            f.write(f"#!/bin/sh\nprintf '%s\\n' \"$*\" > {cls.sendmail_dir}/args\ncat > {cls.sendmail_dir}/message\n")
        os.chmod(cls.sendmail, 0o755)
        cls.stack = h.ExtraStack("notify", notify_telegram_api_url=cls.http.url,
                                 notify_pushover_api_url=cls.http.url + "/1/messages.json",
                                 notify_sendmail_path=cls.sendmail)

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        super().tearDownClass()

    def on_stack(self, method, path, user, body=None):
        r = h.request(method, API + path, token=user.token, json_body=body, base=self.stack.base)
        self.check_invariants(r, f"{method} {path}", None)
        return r

    def test_each_type_delivers_a_test_message(self):
        user = new_user()
        bot = "555:bot-secret-" + h.unique("b")
        discord_token = "discord-secret-" + h.unique("d")
        slack_token = "slacksecret" + h.unique("s")
        push_token = "pushsecret" + h.unique("p")
        hook_secret = "Bearer hook-secret-" + h.unique("h")
        smtp_password = "smtp-secret-" + h.unique("x")
        address = f"{h.unique('to')}@example.test"
        made = {
            "telegram": {"bot_token": bot, "chat_id": "42424242"},
            "discord": {"webhook_url": f"{self.http.url}/api/webhooks/1/{discord_token}"},
            "slack": {"webhook_url": f"{self.http.url}/services/T1/B1/{slack_token}"},
            "pushover": {"user_key": "uQiRzpo4DXghDmr9QzzfQu27cmVRsG", "api_token": push_token, "priority": 1},
            "webhook": {"url": f"{self.http.url}/hook/{h.unique('w')}", "method": "PUT",
                        "headers": {"Authorization": hook_secret}},
            "email": {"to": address, "from": "mk@example.test", "smtp_host": "127.0.0.1", "smtp_port": self.smtp.port,
                      "smtp_security": "none", "smtp_username": "mailer", "smtp_password": smtp_password},
        }
        secrets = (bot, discord_token, slack_token, push_token, hook_secret, smtp_password)
        for channel_type, config in made.items():
            channel = self.channel(user, channel_type, config, name=f"My {channel_type}")
            r = self.on_stack("POST", f"{N}/channels/{channel['id']}/test", user, {"message": f"hello {channel_type}"})
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["success"], r.json["message"], r.json["channel_name"]),
                             (True, "Test notification sent successfully", f"My {channel_type}"), channel_type)
            self.assertRegex(r.json["sent_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            shown = self.ok(self.get(f"{N}/channels/{channel['id']}", user))
            self.assertEqual((shown["last_test_status"], shown["is_verified"], shown["total_notifications_sent"]),
                             ("success", True, 1), channel_type)
            self.assert_no_secret(json.dumps(shown), *secrets)

        telegram = self.http.arrived("POST", f"/bot{bot}/sendMessage")
        self.assertEqual(len(telegram), 1)
        self.assertEqual(json.loads(telegram[0]["body"])["chat_id"], "42424242")
        self.assertIn("hello telegram", json.loads(telegram[0]["body"])["text"])
        self.assertIn("hello discord", self.http.json_bodies(f"/api/webhooks/1/{discord_token}")[0]["content"])
        self.assertIn("hello slack", self.http.json_bodies(f"/services/T1/B1/{slack_token}")[0]["text"])
        push = [f for f in self.http.forms("/1/messages.json") if f["token"] == [push_token]]
        self.assertEqual(len(push), 1)
        self.assertEqual((push[0]["message"], push[0]["priority"]), (["hello pushover"], ["1"]))
        hook = self.http.arrived("PUT", made["webhook"]["url"].split(self.http.url)[1])
        self.assertEqual(len(hook), 1)
        self.assertEqual(hook[0]["headers"]["Authorization"], hook_secret)
        payload = json.loads(hook[0]["body"])
        self.assertEqual((payload["event_type"], payload["message"], payload["is_test"]),
                         ("channel_test", "hello webhook", True))
        mails = self.smtp.to(address)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails[0]["auth"], ("mailer", smtp_password))
        self.assertIn("hello email", mails[0]["data"])
        self.assertIn("Subject: [Test] MediKeep test notification", mails[0]["data"])

        history = self.ok(self.get(f"{N}/history?page_size=100", user))
        self.assertEqual(history["total"], 6)
        self.assertEqual({i["channel_type"] for i in history["items"]}, set(made))
        self.assertTrue(all(i["status"] == "sent" and i["attempt_count"] == 1 and i["is_test"]
                            for i in history["items"]))
        # No secret in any answer above, nor in either pool's log.
        self.assert_no_secret(json.dumps(history), *secrets)
        for log in (_pool_config().get("log_file"), self.stack.pool.log_file):
            if log and os.path.exists(log):
                with open(log, errors="replace") as f:
                    self.assert_no_secret(f.read(), *secrets)

    def test_email_without_a_server_goes_to_sendmail(self):
        user = new_user()
        channel = self.channel(user, "email", {"to": "a@example.test, b@example.test", "from": "mk@example.test"})
        self.assertEqual(channel["config_masked"], {"to": "a@example.test, b@example.test", "from": "mk@example.test"})
        r = self.on_stack("POST", f"{N}/channels/{channel['id']}/test", user, {"message": "via sendmail"})
        self.assertTrue(r.json["success"], r)
        with open(os.path.join(self.sendmail_dir, "args")) as f:
            self.assertEqual(f.read().split(), ["-i", "-f", "mk@example.test", "--", "a@example.test", "b@example.test"])
        with open(os.path.join(self.sendmail_dir, "message")) as f:
            message = f.read()
        self.assertIn("To: <a@example.test>, <b@example.test>", message)
        self.assertIn("via sendmail", message)
        # SMTP settings without a server are refused rather than ignored.
        self.error(self.put(f"{N}/channels/{channel['id']}", user, {"config": {"smtp_password": "x"}}), 422,
                   "config.smtp_password")

    def test_failures_are_reported_and_recorded(self):
        user = new_user()
        channel, path = self.webhook(user)
        self.http.fail[path] = (500, 1)
        r = self.ok(self.post(f"{N}/channels/{channel['id']}/test", user))
        self.assertEqual((r["success"], r["sent_at"]), (False, None))
        self.assertIn("HTTP 500", r["message"])
        self.assertEqual(self.ok(self.get(f"{N}/channels/{channel['id']}", user))["last_test_status"], "failed")
        # An address nothing listens on.
        dead = self.channel(user, "discord", {"webhook_url": f"http://127.0.0.1:{h.free_port()}/api/webhooks/1/x"})
        r = self.ok(self.post(f"{N}/channels/{dead['id']}/test", user, {"message": "x"}))
        self.assertFalse(r["success"])
        self.assertIn("unreachable", r["message"])
        # STARTTLS is required unless the channel says otherwise: never sent in clear.
        mail, address = self.email(user, smtp_security="starttls")
        r = self.ok(self.post(f"{N}/channels/{mail['id']}/test", user))
        self.assertFalse(r["success"])
        self.assertEqual(self.smtp.to(address), [])
        failed = self.ok(self.get(f"{N}/history?status_filter=failed", user))
        self.assertEqual(failed["total"], 3)
        self.assertTrue(all(i["attempt_count"] == 1 and i["error_message"] for i in failed["items"]))
        self.error(self.post(f"{N}/channels/{channel['id']}/test", user, {"message": "x" * 501}), 422, "message")


class PreferenceAndHistoryTests(NotificationCase):
    def test_preferences_matrix_and_history_pages(self):
        user, stranger = new_user(), new_user()
        hook, _ = self.webhook(user)
        mail, _ = self.email(user)
        pref = self.ok(self.post(f"{N}/preferences", user, {"channel_id": mail["id"],
                                                            "event_type": "medication_reminder_due",
                                                            "is_enabled": False, "remind_before_minutes": 30}))
        self.assertEqual((pref["channel_id"], pref["channel_name"], pref["is_enabled"],
                          pref["remind_before_minutes"]), (mail["id"], mail["name"], False, 30))
        again = self.ok(self.post(f"{N}/preferences", user, {"channel_id": mail["id"],
                                                             "event_type": "medication_reminder_due",
                                                             "is_enabled": True}))
        self.assertEqual((again["id"], again["is_enabled"], again["remind_before_minutes"]), (pref["id"], True, None))
        self.ok(self.post(f"{N}/preferences", user, {"channel_id": hook["id"], "event_type": "lab_result_available",
                                                     "is_enabled": False}))
        self.assertEqual(len(self.ok(self.get(f"{N}/preferences", user))), 2)
        matrix = self.ok(self.get(f"{N}/preferences/matrix", user))
        self.assertEqual([c["id"] for c in matrix["channels"]], [hook["id"], mail["id"]])
        self.assertIn("medication_reminder_due", matrix["events"])
        self.assertEqual(matrix["preferences"]["lab_result_available"], {str(hook["id"]): False, str(mail["id"]): True})
        self.assertEqual(matrix["preferences"]["medication_reminder_due"][str(mail["id"])], True)
        # Refusals: another user's channel, unknown events, bad numbers.
        self.error(self.post(f"{N}/preferences", stranger, {"channel_id": hook["id"],
                                                            "event_type": "medication_reminder_due"}), 404)
        self.error(self.post(f"{N}/preferences", user, {"channel_id": hook["id"], "event_type": "nope"}), 422,
                   "event_type")
        self.error(self.post(f"{N}/preferences", user, {"channel_id": hook["id"],
                                                        "event_type": "medication_reminder_due",
                                                        "remind_before_minutes": -1}), 422, "remind_before_minutes")
        self.error(self.post(f"{N}/preferences", user, {}), 422, "channel_id", "event_type")
        self.assertEqual(self.ok(self.get(f"{N}/preferences", stranger)), [])

        for _ in range(3):
            self.ok(self.post(f"{N}/channels/{hook['id']}/test", user))
        page = self.ok(self.get(f"{N}/history?page=2&page_size=2", user))
        self.assertEqual((page["total"], page["page"], page["page_size"], len(page["items"])), (3, 2, 2, 1))
        item = page["items"][0]
        self.assertEqual(set(item) >= {"id", "event_type", "title", "message_preview", "channel_name", "channel_type",
                                       "status", "attempt_count", "error_message", "created_at", "sent_at"}, True)
        self.assertEqual(self.ok(self.get(f"{N}/history?event_type=medication_reminder_due", user))["total"], 0)
        self.assertEqual(self.ok(self.get(f"{N}/history?page_size=500", user))["page_size"], 100)
        self.error(self.get(f"{N}/history?status_filter=bogus", user), 422, "status_filter")
        self.error(self.get(f"{N}/history?page=x", user), 422, "page")
        self.assertEqual(self.ok(self.get(f"{N}/history", stranger))["total"], 0)


class ReminderTests(NotificationCase, SharingCase):
    def test_reminder_test_endpoint(self):
        owner, carer, stranger = new_user(), new_user(), new_user()
        med = self.medication(owner, reminder_enabled=True, reminder_times=["08:00"])
        off = self.medication(owner)
        path = f"/medications/{med['id']}/reminders/test"
        self.error(self.post(path, owner), 422)  # no channel yet
        hook, hook_path = self.webhook(owner)
        self.error(self.post(path, stranger), 404)
        self.error(self.post(f"/medications/{off['id']}/reminders/test", owner), 400)
        self.error(self.post("/medications/999999999/reminders/test", owner), 404)
        self.assertEqual(self.post(path, owner).status, 204)
        # A carer with view access fires it too; it goes to the owner's channels.
        me = self.ok(self.get("/patients/me", owner))
        self.share(owner, me, carer, "view")
        self.webhook(carer)
        self.assertEqual(self.post(path + "/", carer).status, 204)
        arrived = self.http.json_bodies(hook_path)
        self.assertEqual(len(arrived), 2)
        self.assertEqual((arrived[0]["event_type"], arrived[0]["is_test"], arrived[0]["data"]["medication_id"],
                          arrived[0]["data"]["scheduled_for"]), ("medication_reminder_due", True, med["id"], None))
        history = self.ok(self.get(f"{N}/history?event_type=medication_reminder_due", owner))
        self.assertEqual(history["total"], 2)
        self.assertEqual(self.ok(self.get(f"{N}/history", carer))["total"], 0)
        # A channel turned off for reminders is not used; none left is 422.
        self.ok(self.post(f"{N}/preferences", owner, {"channel_id": hook["id"],
                                                      "event_type": "medication_reminder_due", "is_enabled": False}))
        self.error(self.post(path, owner), 422)

    def test_reminders_job_sends_each_time_once_per_channel(self):
        user = new_user()
        hook, hook_path = self.webhook(user)
        secret = "smtp-secret-" + h.unique("s")
        mail, address = self.email(user, smtp_username="mailer", smtp_password=secret)
        off, off_path = self.webhook(user)
        self.ok(self.put(f"{N}/channels/{off['id']}", user, {"is_enabled": False}))
        flaky, flaky_path = self.webhook(user)
        self.http.fail[flaky_path] = (503, 1)  # first try fails, the retry succeeds
        times = local_times(5, 3)
        med = self.medication(user, reminder_enabled=True, reminder_times=times, reminder_message="with food")
        # Not due: stopped, reminders off, period over, not started yet.
        self.medication(user, reminder_enabled=True, reminder_times=times, status="stopped")
        self.medication(user, reminder_enabled=False, reminder_times=times)
        self.medication(user, reminder_enabled=True, reminder_times=times, effective_period_end="2020-01-31")
        self.medication(user, reminder_enabled=True, reminder_times=times, effective_period_start="2099-01-01")

        for run in range(2):  # the second run covers the same window again
            rewind_reminder_cursor(10)
            code, stderr = run_job("reminders", timezone=FACILITY_TZ, notify_retry_delay="0.1")
            self.assertEqual(code, 0, stderr)
            self.assertNotIn(secret, stderr)
            result = job_result(stderr)
            self.assertEqual(result["timezone"], FACILITY_TZ)
            if run == 1:
                self.assertEqual(result["sent"], 0, result)
                self.assertGreaterEqual(result["already_sent"], 6, result)

        reminders = [b for b in self.http.json_bodies(hook_path) if b["event_type"] == "medication_reminder_due"]
        self.assertEqual(len(reminders), 2)
        self.assertEqual(sorted(b["data"]["scheduled_local_time"] for b in reminders), sorted(times))
        self.assertTrue(all(b["data"]["medication_id"] == med["id"] and not b["is_test"] for b in reminders))
        self.assertTrue(all(b["data"]["scheduled_for"].endswith("Z") for b in reminders))
        self.assertIn("with food", reminders[0]["message"])
        self.assertEqual(len(self.smtp.to(address)), 2)
        self.assertEqual(self.smtp.to(address)[0]["auth"], ("mailer", secret))
        self.assertEqual(self.http.json_bodies(off_path), [])
        # One try refused with 503, retried after the backoff: three arrivals, two reminders.
        self.assertEqual(len(self.http.json_bodies(flaky_path)), 3)
        history = self.ok(self.get(f"{N}/history?event_type=medication_reminder_due&page_size=100", user))
        self.assertEqual(history["total"], 6)
        self.assertEqual({i["status"] for i in history["items"]}, {"sent"})
        flaky_rows = [i for i in history["items"] if i["channel_id"] == flaky["id"]]
        self.assertEqual(sorted(i["attempt_count"] for i in flaky_rows), [1, 2])
        self.assertTrue(all(i["medication_id"] == med["id"] for i in history["items"]))
        self.assertEqual(self.ok(self.get(f"{N}/channels/{hook['id']}", user))["total_notifications_sent"], 2)

    def test_catch_up_is_limited_and_reported(self):
        rewind_reminder_cursor(180)
        code, stderr = run_job("reminders", notify_reminder_catchup_minutes=60)
        self.assertEqual(code, 0, stderr)
        result = job_result(stderr)
        self.assertTrue(result["caught_up"])
        self.assertGreaterEqual(result["skipped_minutes"], 119)
        self.assertIn('"reminders_window_capped"', stderr)

    def test_cleanup_shares_job_ends_expired_shares(self):
        owner, carer = new_user(), new_user()
        child = self.child_of(owner)
        self.share(owner, child, carer, "view", expiration_date="2099-01-01T12:00:00Z")
        expire_share(child["id"], carer.id)
        code, stderr = run_job("cleanup-shares")
        self.assertEqual(code, 0, stderr)
        self.assertGreaterEqual(job_result(stderr)["expired_shares"], 1)
        self.assertEqual(self.ok(self.get(f"/patient-sharing/shared-by-me?patient_id={child['id']}", owner)), [])


if __name__ == "__main__":
    unittest.main()
