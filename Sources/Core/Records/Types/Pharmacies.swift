/// Pharmacies: a shared directory that medications point to.
public enum Pharmacies {
    public static let type = RecordType(
        name: "Pharmacy", table: "pharmacies", path: "/api/v1/pharmacies", idParameter: "pharmacy_id",
        scope: .directory,
        fields: [
            FieldSpec("name", .string(maxLength: 150, minLength: 1), required: true),
            FieldSpec("brand", .string(maxLength: 100)),
            FieldSpec("street_address", .string(maxLength: 255)),
            FieldSpec("city", .string(maxLength: 100)),
            FieldSpec("state", .string(maxLength: 100)),
            // International postal codes (US ZIP, Canadian, UK, …): free text, short.
            FieldSpec("zip_code", .string(maxLength: 20)),
            FieldSpec("country", .string(maxLength: 100)),
            FieldSpec("store_number", .string(maxLength: 50)),
            FieldSpec("phone_number", .string(maxLength: 30)),
            FieldSpec("fax_number", .string(maxLength: 30)),
            FieldSpec("email", .email),
            FieldSpec("website", .url),
            FieldSpec("hours", .string(maxLength: 500)),
            FieldSpec("drive_through", .boolean, default: false),
            FieldSpec("twenty_four_hour", .boolean, default: false),
            FieldSpec("specialty_services", .string(maxLength: 1000)),
        ],
        filters: [.contains("name", column: "name"), .contains("city", column: "city")],
        labelField: "name")

    static func register(in routes: RouteTable) {
        RecordHandlers(type).register(in: routes)
    }
}
