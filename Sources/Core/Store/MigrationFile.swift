import Foundation

/// One `NNNN_name.sql` file as read from disk.
struct MigrationFile {
    let version: String
    let path: String
    let text: String
    let checksum: String

    /// The directory's migration files in name order; other files are ignored.
    static func all(in directory: String) throws -> [MigrationFile] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw MigrationError.failed(
                file: directory, message: "cannot list the migrations directory: \(error.localizedDescription)")
        }
        return try names.filter(isMigrationName).sorted().map { name in
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw MigrationError.failed(file: path, message: "cannot read the file")
            }
            let bytes = [UInt8](data)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw MigrationError.failed(file: path, message: "the file is not valid UTF-8")
            }
            return MigrationFile(
                version: String(name.dropLast(4)), path: path, text: text, checksum: Checksum.sha256Hex(bytes)
            )
        }
    }

    /// Digits, an underscore, anything, ".sql".
    static func isMigrationName(_ name: String) -> Bool {
        guard name.hasSuffix(".sql"), let underscore = name.firstIndex(of: "_") else { return false }
        let number = name[..<underscore]
        return !number.isEmpty && number.allSatisfy(\.isASCII) && number.allSatisfy(\.isNumber)
    }
}
