/// The one place where every resource's routes are composed into the site.
enum Routes {
    static func register(in table: RouteTable, config: Config) {
        SystemRoutes.register(in: table, config: config)
        FrontendLogRoutes.register(in: table)
        PatientMeRoutes.register(in: table)
        PatientActivityRoutes.register(in: table)
        PatientManagementRoutes.register(in: table)
        RegistrationRoutes.register(in: table)
        AuthRoutes.register(in: table)
        UserRoutes.register(in: table)
        PreferenceRoutes.register(in: table)
        Medications.register(in: table)
        Pharmacies.register(in: table)
        Practitioners.register(in: table)
        Practices.register(in: table)
        MedicalSpecialties.register(in: table)
    }

    /// Paths whose bodies may be large uploads (their limit is enforced by nginx and the
    /// file handlers, not by `max_body_bytes`).
    static func isUploadPath(_ path: String) -> Bool {
        path.hasPrefix("/api/v1/entity-files/") || path.hasSuffix("/photo") || path.hasPrefix("/api/v1/admin/restore/")
            || path.hasPrefix("/api/v1/paperless/upload") || path.hasPrefix("/api/v1/lab-result-files/")
    }
}
