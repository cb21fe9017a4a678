"""Sharing a patient, as new users would: invitations by e-mail that the recipient
accepts, view/edit/full access changed and revoked with effect on the next request,
expiry, the active patient falling back when a share ends, the activity log, the
refusals (oneself, duplicates, bad addresses, not the sharer's to share), invitations
to addresses with no account yet, and family history shared without the rest of the
sharer's records.

Contract: api-reference.txt "Sharing & Collaboration", "Invitations", "Family History
Sharing", "Patient Management"; decisions.md rule 16 (cleanup is admin only).
"""
import unittest

import harness as h
from apicase import ApiTestCase, db_execute, new_user


def expire_share(patient_id, user_id):
    """Moves a share's expiry into the past (no endpoint sets a past expiry)."""
    db_execute(f"UPDATE patient_shares SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
               f"WHERE patient_id = {int(patient_id)} AND shared_with_user_id = {int(user_id)}")


class SharingCase(ApiTestCase):
    def made(self, path, body, user, status=201):
        return self.ok(self.post(path, user, body), status)

    def child_of(self, user, first="Kid"):
        return self.made("/patient-management/", {"first_name": first, "last_name": h.unique("Fam"),
                                                  "birth_date": "2016-06-06"}, user)

    def invite(self, owner, patient, recipient, level="view", **extra):
        body = {"patient_id": patient["id"], "recipient_email": recipient.email, "access_level": level, **extra}
        return self.made("/patient-sharing/", body, owner)

    def accept(self, recipient, invitation):
        return self.ok(self.post(f"/invitations/{invitation['id']}/respond", recipient, {"action": "accept"}))

    def share(self, owner, patient, recipient, level="view", **extra):
        """Invites and accepts; returns the share as shared-by-me lists it."""
        invitation = self.invite(owner, patient, recipient, level, **extra)
        self.accept(recipient, invitation)
        shares = self.ok(self.get(f"/patient-sharing/shared-by-me?patient_id={patient['id']}", owner))
        return next(s for s in shares if s["shared_with_user_id"] == recipient.id)

    def med_names(self, user, patient):
        return [m["medication_name"] for m in self.ok(self.get(f"/medications/?patient_id={patient['id']}", user))]


class ParentChildStoryTests(SharingCase):
    """The issue's story: view, raised to edit, revoked; the list, switching, the log."""

    def test_view_then_edit_then_revoked(self):
        parent, second = new_user(), new_user()
        child = self.child_of(parent)
        self.made("/medications/", {"patient_id": child["id"], "medication_name": "Amoxicillin"}, parent)

        invitation = self.invite(parent, child, second, "view", message="For the babysitter",
                                 expiration_date="2099-12-31")
        self.assertEqual((invitation["status"], invitation["access_level"], invitation["recipient_email"]),
                         ("pending", "view", second.email))
        self.assertEqual(invitation["expiration_date"], "2099-12-31T23:59:59Z")
        # Nothing is shared before the recipient accepts.
        self.error(self.get(f"/medications/?patient_id={child['id']}", second), 404)
        pending = self.ok(self.get("/invitations/pending", second))
        self.assertEqual([i["id"] for i in pending], [invitation["id"]])
        self.assertEqual(pending[0]["sent_by"]["username"], parent.username)
        self.assertEqual(pending[0]["patient"]["id"], child["id"])

        accepted = self.accept(second, invitation)
        self.assertEqual((accepted["status"], accepted["sent_to_user_id"]), ("accepted", second.id))
        self.assertEqual(self.ok(self.get("/invitations/pending", second)), [])

        listing = self.ok(self.get("/patient-management/", second))
        self.assertIn(child["id"], [p["id"] for p in listing["patients"]])
        self.assertEqual((listing["owned_count"], listing["shared_count"], listing["total"]), (1, 1, 2))
        own_only = self.ok(self.get("/patient-management/?include_shared=false", second))
        self.assertEqual((own_only["shared_count"], len(own_only["patients"])), (0, 1))
        stats = self.ok(self.get("/patient-management/stats", second))
        self.assertEqual((stats["owned_patients"], stats["shared_patients"], stats["total_patients"]), (1, 1, 2))

        # View: reads, and every write is 403 (the patient is visible, the write is not allowed).
        self.assertEqual(self.med_names(second, child), ["Amoxicillin"])
        med = self.ok(self.get(f"/medications/?patient_id={child['id']}", second))[0]
        self.ok(self.get(f"/medications/{med['id']}", second))
        self.error(self.post("/medications/", second, {"patient_id": child["id"], "medication_name": "X"}), 403)
        self.error(self.put(f"/medications/{med['id']}", second, {"dosage": "9g"}), 403)
        self.error(self.delete(f"/medications/{med['id']}", second), 403)
        self.error(self.put(f"/patient-management/{child['id']}", second, {"first_name": "Renamed"}), 403)
        self.error(self.delete(f"/patient-management/{child['id']}", second), 403)

        shared = self.ok(self.get("/patient-sharing/shared-with-me", second))
        self.assertEqual([(s["patient_id"], s["access_level"], s["is_active"]) for s in shared],
                         [(child["id"], "view", True)])
        share = self.ok(self.get("/patient-sharing/shared-by-me", parent))[0]
        self.assertEqual((share["shared_with"]["username"], share["patient"]["id"]), (second.username, child["id"]))

        # Raised to edit: the same write now works.
        raised = self.ok(self.put(f"/patient-sharing/{share['id']}", parent, {"access_level": "edit"}))
        self.assertEqual(raised["access_level"], "edit")
        self.made("/medications/", {"patient_id": child["id"], "medication_name": "Ibuprofen"}, second)
        self.ok(self.put(f"/medications/{med['id']}", second, {"dosage": "250mg"}))
        self.ok(self.put(f"/patient-management/{child['id']}", second, {"address": "1 Shared St"}))
        self.error(self.delete(f"/patient-management/{child['id']}", second), 403)
        # Edit is not full: no sharing onward.
        stranger = new_user()
        self.error(self.post("/patient-sharing/", second, {"patient_id": child["id"],
                                                            "recipient_email": stranger.email}), 403)

        # Switching to the shared patient makes it the default of every list.
        switched = self.ok(self.post("/patient-management/switch", second, {"patient_id": child["id"]}))
        self.assertEqual(switched["id"], child["id"])
        self.assertEqual(self.ok(self.get("/patient-management/active/current", second))["id"], child["id"])
        self.assertEqual(sorted(m["medication_name"] for m in self.ok(self.get("/medications/", second))),
                         ["Amoxicillin", "Ibuprofen"])

        # Revoked: the very next request fails, and the default falls back to their own patient.
        self.assertEqual(self.ok(self.delete(f"/patient-sharing/{share['id']}", parent)),
                         {"message": "Access revoked successfully"})
        self.error(self.get(f"/medications/?patient_id={child['id']}", second), 404)
        self.error(self.get(f"/medications/{med['id']}", second), 404)
        self.error(self.post("/medications/", second, {"patient_id": child["id"], "medication_name": "Late"}), 404)
        own = self.ok(self.get("/patients/me", second))
        self.assertEqual(self.ok(self.get("/patient-management/active/current", second))["id"], own["id"])
        self.assertEqual(self.ok(self.get("/medications/", second)), [])
        self.assertEqual(self.ok(self.get("/patient-management/", second))["shared_count"], 0)
        self.error(self.delete(f"/patient-sharing/{share['id']}", parent), 404)

        # Every step is in the child's activity log, which the parent sees.
        log = self.ok(self.get("/patients/me/recent-activity?limit=100", parent))
        actions = [e["action"] for e in log if e["patient_id"] == child["id"]]
        for action in ("invited", "shared", "updated", "revoked"):
            self.assertIn(action, actions)
        described = " ".join(e["description"] for e in log)
        self.assertIn(second.email, described)
        self.assertIn(second.username, described)

    def test_expired_share_stops_by_itself(self):
        parent, carer = new_user(), new_user()
        child = self.child_of(parent)
        self.made("/conditions/", {"patient_id": child["id"], "condition_name": "Asthma"}, parent)
        self.share(parent, child, carer, "edit", expiration_date="2099-01-01T12:00:00Z")
        self.ok(self.post("/patient-management/switch", carer, {"patient_id": child["id"]}))
        self.assertEqual(len(self.ok(self.get("/conditions/", carer))), 1)

        expire_share(child["id"], carer.id)
        self.error(self.get(f"/conditions/?patient_id={child['id']}", carer), 404)
        self.assertEqual(self.ok(self.get("/conditions/", carer)), [])  # back on their own patient
        own = self.ok(self.get("/patients/me", carer))
        self.assertEqual(self.ok(self.get("/patient-management/active/current", carer))["id"], own["id"])
        self.assertEqual(self.ok(self.get("/patient-sharing/shared-with-me", carer)), [])
        by_me = self.ok(self.get(f"/patient-sharing/shared-by-me?patient_id={child['id']}", parent))
        self.assertEqual([(s["is_active"], s["is_expired"]) for s in by_me], [(False, True)])

        # The sweep (admin, or the hourly job) removes it and logs the expiry.
        self.error(self.post("/patient-sharing/cleanup-expired", parent), 403)
        admin = h.admin_token()
        swept = self.ok(self.call("POST", "/patient-sharing/cleanup-expired", token=admin))
        self.assertGreaterEqual(swept["expired_shares_removed"], 1)
        self.assertRegex(swept["cleanup_date"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(self.ok(self.get(f"/patient-sharing/shared-by-me?patient_id={child['id']}", parent)), [])
        log = self.ok(self.get("/patients/me/recent-activity?limit=100", parent))
        expired = [e for e in log if e["patient_id"] == child["id"] and e["action"] == "expired"]
        self.assertEqual([(e["user_id"], e["username"]) for e in expired], [(None, "system")])


class FullAccessTests(SharingCase):
    def test_full_shares_onward_and_manages_shares_but_does_not_delete(self):
        owner, manager, helper = new_user(), new_user(), new_user()
        child = self.child_of(owner)
        self.share(owner, child, manager, "full")
        # Full access shares onward, and changes and revokes shares of the patient.
        onward = self.share(manager, child, helper, "view")
        self.assertEqual(onward["shared_by_user_id"], manager.id)
        self.assertEqual(self.med_names(helper, child), [])
        self.ok(self.put(f"/patient-sharing/{onward['id']}", manager, {"access_level": "edit"}))
        self.assertIn(onward["id"], [s["id"] for s in self.ok(self.get("/patient-sharing/shared-by-me", owner))])
        self.ok(self.delete(f"/patient-sharing/{onward['id']}", manager))
        self.error(self.get(f"/medications/?patient_id={child['id']}", helper), 404)
        # Only the owner deletes the patient.
        self.error(self.delete(f"/patient-management/{child['id']}", manager), 403)
        # A view share cannot touch the shares.
        viewer_share = self.share(owner, child, helper, "view")
        self.error(self.delete(f"/patient-sharing/{viewer_share['id']}", helper), 403)
        self.error(self.put(f"/patient-sharing/{viewer_share['id']}", helper, {"access_level": "full"}), 403)
        # A stranger does not see the share at all.
        self.error(self.delete(f"/patient-sharing/{viewer_share['id']}", new_user()), 404)

    def test_upstream_pair_forms_and_remove_my_access(self):
        owner, friend = new_user(), new_user()
        child = self.child_of(owner)
        self.share(owner, child, friend, "view")
        changed = self.ok(self.put(f"/patient-sharing?patient_id={child['id']}&shared_with_user_id={friend.id}",
                                   owner, {"permission_level": "edit", "expires_at": None}))
        self.assertEqual((changed["permission_level"], changed["expires_at"]), ("edit", None))
        # The recipient gives their access up.
        self.assertEqual(self.ok(self.delete(f"/patient-sharing/remove-my-access/{child['id']}", friend)),
                         {"message": "Access removed successfully"})
        self.error(self.get(f"/medications/?patient_id={child['id']}", friend), 404)
        self.error(self.delete(f"/patient-sharing/remove-my-access/{child['id']}", friend), 404)
        log = self.ok(self.get("/patients/me/recent-activity?limit=50", owner))
        self.assertIn("removed", [e["action"] for e in log if e["patient_id"] == child["id"]])
        # Again, revoked through upstream's body form.
        self.share(owner, child, friend, "view")
        r = self.call("DELETE", "/patient-sharing/revoke", owner,
                      json_body={"patient_id": child["id"], "shared_with_user_id": friend.id})
        self.ok(r)
        self.error(self.get(f"/medications/?patient_id={child['id']}", friend), 404)


class RefusalTests(SharingCase):
    def setUp(self):
        self.owner, self.friend = new_user(), new_user()
        self.child = self.child_of(self.owner)

    def test_bad_bodies(self):
        pid = self.child["id"]
        for body, fields in (
            ({}, ["patient_id", "recipient_email"]),
            ({"patient_id": pid, "recipient_email": "not-an-email"}, ["recipient_email"]),
            ({"patient_id": pid, "recipient_email": self.friend.email, "access_level": "admin"}, ["access_level"]),
            ({"patient_id": pid, "recipient_email": self.friend.email, "expiration_date": "yesterday"},
             ["expiration_date"]),
            ({"patient_id": pid, "recipient_email": self.friend.email, "expiration_date": "2001-01-01"},
             ["expiration_date"]),
            ({"patient_id": "x", "recipient_email": self.friend.email}, ["patient_id"]),
            ({"patient_id": pid, "recipient_email": self.friend.email, "message": "x" * 1001}, ["message"]),
        ):
            self.error(self.post("/patient-sharing/", self.owner, body), 422, *fields)
        self.check_malformed_bodies("POST", "/patient-sharing/", self.owner)
        self.check_unauthenticated("POST", "/patient-sharing/", {"patient_id": pid})

    def test_oneself_duplicates_and_others_patients(self):
        pid = self.child["id"]
        self.error(self.post("/patient-sharing/", self.owner, {"patient_id": pid, "recipient_email": self.owner.email}),
                   400)
        # Case does not make another address.
        self.error(self.post("/patient-sharing/", self.owner,
                             {"patient_id": pid, "recipient_email": self.owner.email.upper()}), 400)
        invitation = self.invite(self.owner, self.child, self.friend)
        self.error(self.post("/patient-sharing/", self.owner, {"patient_id": pid, "recipient_email": self.friend.email}),
                   409)
        self.accept(self.friend, invitation)
        self.error(self.post("/patient-sharing/", self.owner, {"patient_id": pid, "recipient_email": self.friend.email}),
                   409)
        # Answered once only; only by its recipient.
        self.error(self.post(f"/invitations/{invitation['id']}/respond", self.friend, {"action": "reject"}), 409)
        self.error(self.post(f"/invitations/{invitation['id']}/respond", new_user(), {"action": "accept"}), 404)
        self.error(self.post(f"/invitations/{invitation['id']}/respond", self.friend, {"action": "maybe"}), 422,
                   "action")
        # Another user's patient, or one that does not exist: 404 as everywhere.
        stranger = new_user()
        self.error(self.post("/patient-sharing/", stranger, {"patient_id": pid, "recipient_email": "a@example.com"}),
                   404)
        self.error(self.post("/patient-sharing/", self.owner,
                             {"patient_id": 999999999, "recipient_email": "a@example.com"}), 404)
        # Cleanup is an administrator's.
        self.error(self.post("/invitations/cleanup", self.owner), 403)
        self.ok(self.call("POST", "/invitations/cleanup", token=h.admin_token()))

    def test_reject_and_revoke_invitations(self):
        other = new_user()
        child = self.child_of(self.owner)
        rejected = self.invite(self.owner, child, other)
        answer = self.ok(self.post(f"/invitations/{rejected['id']}/respond", other,
                                   {"response": "rejected", "response_note": "No thanks"}))
        self.assertEqual((answer["status"], answer["response_note"]), ("rejected", "No thanks"))
        self.error(self.get(f"/medications/?patient_id={child['id']}", other), 404)
        # Withdrawn before it is answered: it can no longer be accepted.
        withdrawn = self.invite(self.owner, child, other, "edit")
        self.error(self.post(f"/invitations/{withdrawn['id']}/revoke", other), 404)
        self.assertEqual(self.ok(self.post(f"/invitations/{withdrawn['id']}/revoke", self.owner)),
                         {"message": "Invitation revoked successfully"})
        self.error(self.post(f"/invitations/{withdrawn['id']}/respond", other, {"action": "accept"}), 409)
        self.error(self.post(f"/invitations/{withdrawn['id']}/revoke", self.owner), 409)
        sent = {i["id"]: i["status"] for i in self.ok(self.get("/invitations/sent", self.owner))}
        self.assertEqual((sent[rejected["id"]], sent[withdrawn["id"]]), ("rejected", "revoked"))
        summary = self.ok(self.get("/invitations/summary", other))
        self.assertEqual((summary["rejected"], summary["pending_received"]), (1, 0))
        self.error(self.get("/invitations/pending?invitation_type=bogus", other), 422, "invitation_type")

    def test_expired_invitation(self):
        other = new_user()
        child = self.child_of(self.owner)
        invitation = self.invite(self.owner, child, other)
        db_execute(f"UPDATE invitations SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
                   f"WHERE id = {int(invitation['id'])}")
        self.assertEqual(self.ok(self.get("/invitations/pending", other)), [])
        self.error(self.post(f"/invitations/{invitation['id']}/respond", other, {"action": "accept"}), 409)
        self.assertEqual(self.ok(self.get("/invitations/summary", self.owner))["expired"] >= 1, True)
        swept = self.ok(self.call("POST", "/invitations/cleanup", token=h.admin_token()))
        self.assertGreaterEqual(swept["expired_count"], 1)
        self.assertEqual(swept["message"], f"Expired {swept['expired_count']} old invitations")


class InvitationToNewAddressTests(SharingCase):
    def test_waits_for_the_account_and_bulk_results(self):
        owner, colleague = new_user(), new_user()
        child = self.child_of(owner)
        address = f"{h.unique('newcomer')}@example.com"
        result = self.ok(self.post("/patient-sharing/bulk-invite", owner, {
            "patient_id": child["id"], "access_level": "view", "message": "Records for you",
            "recipient_emails": [address, colleague.email, "broken@", owner.email, address]}))
        self.assertEqual((result["successful_invites"], result["failed_invites"]), (2, 3))
        self.assertEqual([r["success"] for r in result["results"]], [True, True, False, False, False])
        self.assertEqual([r.get("status_code") for r in result["results"][2:]], [422, 400, 400])
        self.error(self.post("/patient-sharing/bulk-invite", owner, {"patient_id": child["id"], "recipient_emails": []}),
                   422, "recipient_emails")

        # The address has no account yet; registering with it shows the invitation.
        username = h.unique("newcomer")
        r = h.post("/api/v1/auth/register", json_body={"username": username, "email": address.upper(),
                                                       "password": "Str0ng-Passw0rd!", "full_name": "New Comer"})
        self.assertIn(r.status, (200, 201), r)
        token = h.login(username, "Str0ng-Passw0rd!")
        pending = self.ok(self.call("GET", "/invitations/pending", token=token))
        self.assertEqual([i["recipient_email"] for i in pending], [address])
        self.ok(self.call("POST", f"/invitations/{pending[0]['id']}/respond", token=token,
                          json_body={"action": "accept"}))
        r = self.call("GET", f"/medications/?patient_id={child['id']}", token=token)
        self.assertEqual(r.status, 200, r)
        stats = self.ok(self.get("/patient-sharing/stats/user", owner))
        self.assertEqual((stats["total_shared_by_me"], stats["active_shares"]), (1, 1))
        self.assertEqual(self.ok(self.get("/patient-sharing/stats/user", colleague))["pending_invitations"], 1)
        summary = self.ok(self.get("/invitations/summary", owner))
        self.assertEqual((summary["pending_sent"], summary["accepted"]), (1, 1))


class FamilyHistorySharingTests(SharingCase):
    def test_sibling_sees_father_not_the_rest(self):
        me, sibling = new_user(), new_user()
        mine = self.ok(self.get("/patients/me", me))
        father = self.made("/family-members/", {"name": "Dad", "relationship": "father"}, me)
        self.made(f"/family-members/{father['id']}/conditions", {"condition_name": "Hypertension"}, me)
        self.made("/medications/", {"medication_name": "My own secret"}, me)
        self.made("/conditions/", {"condition_name": "My own condition"}, me)

        share = self.made(f"/family-history-sharing/{father['id']}/shares",
                          {"shared_with_user_id": sibling.id, "permission_level": "view",
                           "notes": "Sharing father's medical history"}, me)
        self.assertEqual((share["shared_with_user_id"], share["permission_level"]), (sibling.id, "view"))
        self.error(self.post(f"/family-history-sharing/{father['id']}/shares", me,
                             {"shared_with_user_id": sibling.id}), 409)
        self.error(self.post(f"/family-history-sharing/{father['id']}/shares", me,
                             {"shared_with_user_id": me.id}), 400)
        self.error(self.post(f"/family-history-sharing/{father['id']}/shares", me,
                             {"shared_with_user_id": sibling.id, "permission_level": "full"}), 422,
                   "permission_level")
        self.error(self.post(f"/family-history-sharing/{father['id']}/shares", me,
                             {"shared_with_user_id": 999999999}), 422, "shared_with_user_id")
        self.error(self.post(f"/family-history-sharing/{father['id']}/shares", sibling,
                             {"shared_with_user_id": me.id}), 404)

        shared = self.ok(self.get("/family-history-sharing/shared-with-me", sibling))
        self.assertEqual(len(shared), 1)
        self.assertEqual(shared[0]["family_member"]["name"], "Dad")
        self.assertEqual([c["condition_name"] for c in shared[0]["family_member"]["family_conditions"]],
                         ["Hypertension"])
        self.assertEqual(shared[0]["share_details"]["shared_by"]["id"], me.id)
        details = self.ok(self.get(f"/family-history-sharing/{father['id']}/details", sibling))
        self.assertEqual(details["family_conditions"][0]["condition_name"], "Hypertension")
        both = self.ok(self.get("/family-history-sharing/mine", sibling))
        self.assertEqual((both["total_owned"], both["total_shared"]), (0, 1))

        # Nothing else of the sharer's: not the patient, not its records, not another relative.
        uncle = self.made("/family-members/", {"name": "Uncle Bob", "relationship": "uncle"}, me)
        for path in (f"/medications/?patient_id={mine['id']}", f"/conditions/?patient_id={mine['id']}",
                     f"/patient-management/{mine['id']}", f"/family-members/{uncle['id']}",
                     f"/family-members/{uncle['id']}/conditions", f"/family-history-sharing/{uncle['id']}/details"):
            self.error(self.get(path, sibling), 404)
        # The shared relative reads through the record endpoints too, and only it.
        self.assertEqual(self.ok(self.get(f"/family-members/{father['id']}", sibling))["name"], "Dad")
        self.assertEqual([m["id"] for m in self.ok(self.get(f"/family-members/?patient_id={mine['id']}", sibling))],
                         [father["id"]])
        # A view share writes nothing.
        self.error(self.put(f"/family-members/{father['id']}", sibling, {"notes": "x"}), 404)
        self.error(self.post(f"/family-members/{father['id']}/conditions", sibling, {"condition_name": "Gout"}), 404)
        self.assertEqual(self.ok(self.get("/patient-management/", sibling))["shared_count"], 0)
        self.error(self.get(f"/family-history-sharing/{father['id']}/details", new_user()), 404)
        self.error(self.get(f"/family-history-sharing/{father['id']}/shares", sibling), 404)

        # The sharer's views.
        self.assertEqual([s["shared_with"]["id"] for s in
                          self.ok(self.get(f"/family-history-sharing/{father['id']}/shares", me))], [sibling.id])
        by_me = self.ok(self.get("/family-history-sharing/shared-by-me", me))
        self.assertEqual([(m["family_member"]["id"], len(m["shares"])) for m in by_me], [(father["id"], 1)])
        self.assertEqual([m["id"] for m in self.ok(self.get("/family-history-sharing/my-own", me))],
                         [uncle["id"], father["id"]])
        self.assertEqual(self.ok(self.get("/family-history-sharing/mine", me))["total_owned"], 2)

        # Revoked; then offered again by invitation, accepted, and given up.
        self.ok(self.delete(f"/family-history-sharing/{father['id']}/shares/{sibling.id}", me))
        self.assertEqual(self.ok(self.get("/family-history-sharing/shared-with-me", sibling)), [])
        self.error(self.get(f"/family-history-sharing/{father['id']}/details", sibling), 404)
        self.error(self.delete(f"/family-history-sharing/{father['id']}/shares/{sibling.id}", me), 404)
        mother = self.made("/family-members/", {"name": "Mum", "relationship": "mother"}, me)
        result = self.ok(self.post("/family-history-sharing/bulk-invite", me, {
            "family_member_ids": [father["id"], mother["id"]], "recipient_emails": [sibling.email, "bad"],
            "permission_level": "view", "message": "Sharing our family medical history"}))
        self.assertEqual((result["successful_invites"], result["failed_invites"]), (1, 1))
        invitation = self.ok(self.get("/invitations/pending?invitation_type=family_history_share", sibling))[0]
        self.assertEqual(invitation["context_data"]["family_member_ids"], [father["id"], mother["id"]])
        self.accept(sibling, invitation)
        names = sorted(m["family_member"]["name"] for m in
                       self.ok(self.get("/family-history-sharing/shared-with-me", sibling)))
        self.assertEqual(names, ["Dad", "Mum"])
        self.error(self.post("/family-history-sharing/bulk-invite", me, {
            "family_member_ids": [father["id"]], "recipient_emails": [sibling.email], "permission_level": "x"}), 422)
        self.error(self.post("/family-history-sharing/bulk-invite", sibling, {
            "family_member_ids": [father["id"]], "recipient_emails": [me.email]}), 404)
        self.ok(self.delete(f"/family-history-sharing/shared-with-me/{mother['id']}/remove-access", sibling))
        self.assertEqual([m["family_member"]["name"] for m in
                          self.ok(self.get("/family-history-sharing/shared-with-me", sibling))], ["Dad"])
        self.error(self.delete(f"/family-history-sharing/shared-with-me/{mother['id']}/remove-access", sibling), 404)
        log = self.ok(self.get("/patients/me/recent-activity?limit=100", me))
        self.assertIn("shared", [e["action"] for e in log if e["model_name"] == "Family History Share"])

    def test_edit_share_writes_the_relative_but_does_not_delete_it(self):
        me, cousin = new_user(), new_user()
        aunt = self.made("/family-members/", {"name": "Aunt May", "relationship": "aunt"}, me)
        self.made(f"/family-history-sharing/{aunt['id']}/shares",
                  {"shared_with_identifier": cousin.username, "permission_level": "edit"}, me)
        self.assertEqual(self.ok(self.put(f"/family-members/{aunt['id']}", cousin, {"notes": "Updated by cousin"}))
                         ["notes"], "Updated by cousin")
        condition = self.made(f"/family-members/{aunt['id']}/conditions", {"condition_name": "Migraine"}, cousin)
        self.ok(self.put(f"/family-members/{aunt['id']}/conditions/{condition['id']}", cousin, {"severity": "mild"}))
        self.ok(self.delete(f"/family-members/{aunt['id']}/conditions/{condition['id']}", cousin))
        # The relative itself stays the sharer's to delete; relatives are not added to their patient.
        self.error(self.delete(f"/family-members/{aunt['id']}", cousin), 404)
        mine = self.ok(self.get("/patients/me", me))
        self.error(self.post("/family-members/", cousin, {"patient_id": mine["id"], "name": "X",
                                                         "relationship": "other"}), 404)
        # Revoked: the writes stop at once.
        self.ok(self.delete(f"/family-history-sharing/{aunt['id']}/shares/{cousin.id}", me))
        self.error(self.put(f"/family-members/{aunt['id']}", cousin, {"notes": "late"}), 404)
        self.ok(self.delete(f"/family-members/{aunt['id']}", me))


if __name__ == "__main__":
    unittest.main()
