/// The `cleanup-shares` task: ends shares and invitations whose date has passed, with the
/// same code the `maintenance` task and the admin endpoints run (decisions rule 16), on
/// its own hourly timer so expiry does not wait for the daily maintenance.
enum SharingCleanup {
    static let task = Jobs.Task(
        name: "cleanup-shares", summary: "end shares and invitations past their expiry date", leaseSeconds: 600
    ) { db, _ in
        [
            "expired_shares": .int(Int64(try PatientShares.expireDue(db: db))),
            "expired_invitations": .int(Int64(try Invitations.expireDue(db: db))),
        ]
    }
}
