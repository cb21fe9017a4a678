/// The one place where every resource's routes are composed into the site.
enum Routes {
    /// Every route as `METHOD /pattern`, in registration order: what
    /// `medikeep-fcgi routes` prints, so a test can walk every endpoint there is.
    static func list(config: Config) -> [String] {
        let table = RouteTable()
        register(in: table, config: config)
        return table.registered.entries
    }

    static func register(in table: RouteTable, config: Config) {
        SystemRoutes.register(in: table, config: config)
        FrontendLogRoutes.register(in: table)
        PatientMeRoutes.register(in: table)
        PatientActivityRoutes.register(in: table)
        PatientManagementRoutes.register(in: table)
        PatientSharingRoutes.register(in: table)
        InvitationRoutes.register(in: table)
        FamilyHistorySharingRoutes.register(in: table)
        RegistrationRoutes.register(in: table)
        AuthRoutes.register(in: table)
        SSORoutes.register(in: table)
        UserRoutes.register(in: table)
        PreferenceRoutes.register(in: table)
        for module in RecordCatalog.modules { module.register(in: table) }
        StandardizedVaccines.register(in: table)
        StandardizedTests.register(in: table)
        OCRParseRoutes.register(in: table)
        EntityFileRoutes.register(in: table)
        PatientPhotoRoutes.register(in: table)
        BackendSettingsRoutes.register(in: table)
        BackendConnectionRoutes.register(in: table)
        BackendFileRoutes.register(in: table)
        BackendMaintenanceRoutes.register(in: table)
        ChannelRoutes.register(in: table)
        NotificationPreferenceRoutes.register(in: table)
        NotificationHistoryRoutes.register(in: table)
        ReminderTestRoutes.register(in: table)
    }
}
