import Foundation
import Testing

@testable import Core

/// Per-route body limits: what the adapter is told before it reads a body, and the 413
/// `App` answers for a body over the matched route's limit, in memory or in a file.
@Suite struct BodyLimitTests {
    static func routes() -> RouteTable {
        let table = RouteTable()
        table.post("/api/v1/small") { context in .json(["bytes": .int(Int64(context.request.bodyCount))]) }
        table.post("/api/v1/things/{thing_id}/big", bodyLimit: 2 << 20) { context in
            .json(["bytes": .int(Int64(context.request.bodyCount)), "in_file": .bool(context.request.bodyFile != nil)])
        }
        table.put("/api/v1/things/{thing_id}/upload", bodyLimit: 3 << 20, streamed: true) { context in
            let source = context.request.bodySource
            let head = try source.read(at: 0, count: 4)
            return .json([
                "bytes": .int(Int64(context.request.bodyCount)), "in_file": .bool(context.request.bodyFile != nil),
                "head": .string(String(decoding: head, as: UTF8.self)),
            ])
        }
        table.get("/api/v1/things/{thing_id}/upload") { _ in .json(["ok": true]) }
        return table
    }

    @Test func routerReportsOnlyARoutesOwnLimit() {
        let router = BodyLimitTests.routes().build()
        #expect(router.bodyLimit(method: "POST", path: "/api/v1/small") == nil)
        #expect(
            router.bodyLimit(method: "POST", path: "/api/v1/things/7/big/")
                == BodyLimit(bytes: 2 << 20, streamed: false))
        #expect(
            router.bodyLimit(method: "PUT", path: "/api/v1/things/7/upload")
                == BodyLimit(bytes: 3 << 20, streamed: true))
        #expect(router.bodyLimit(method: "GET", path: "/api/v1/things/7/upload") == nil)
        #expect(router.bodyLimit(method: "POST", path: "/api/v1/things/7/upload") == nil)  // 405 anyway
        #expect(router.bodyLimit(method: "PUT", path: "/api/v1/nothing/here") == nil)
    }

    @Test func appFallsBackToTheConfiguredLimitInMemory() throws {
        let t = try TestApp()
        let app = App(shared: t.app.shared, routes: BodyLimitTests.routes())
        let configured = t.app.shared.config.maxBodyBytes
        #expect(app.bodyLimit(method: "POST", path: "/api/v1/small") == BodyLimit(bytes: configured, streamed: false))
        #expect(app.bodyLimit(method: "DELETE", path: "/no/such/path") == BodyLimit(bytes: configured, streamed: false))
        #expect(app.bodyLimit(method: "PUT", path: "/api/v1/things/1/upload").streamed)
        // The real site: the OCR parse route streams to a file, only for POST.
        #expect(
            t.app.bodyLimit(method: "POST", path: "/api/v1/lab-results/12/ocr-parse")
                == BodyLimit(bytes: (15 << 20) + (64 << 10), streamed: true))
        #expect(t.app.bodyLimit(method: "PUT", path: "/api/v1/lab-results/12/ocr-parse").bytes == configured)
        // Uploads of files stream into the file store, parsed as they come.
        #expect(
            t.app.bodyLimit(method: "POST", path: "/api/v1/lab-results/12/files")
                == BodyLimit(
                    bytes: EntityFiles.uploadPolicy.bodyLimit, streamed: true, upload: EntityFiles.uploadPolicy))
        #expect(t.app.bodyLimit(method: "POST", path: "/api/v1/patients/3/photo").upload?.maxFileBytes == 15 << 20)
        #expect(t.app.bodyLimit(method: "DELETE", path: "/api/v1/lab-results/12/files/3").bytes == configured)
        #expect(t.app.bodyLimit(method: "PUT", path: "/api/v1/entity-files/files/3/metadata").bytes == configured)
    }

    @Test func eachRouteIsHeldToItsOwnLimit() throws {
        let t = try TestApp()
        let app = App(shared: t.app.shared, routes: BodyLimitTests.routes())
        let configured = t.app.shared.config.maxBodyBytes
        func send(_ method: String, _ path: String, body: [UInt8] = [], file: BodyFile? = nil) -> Response {
            app.handle(Request(method: method, path: path, body: body, bodyFile: file), services: t.services)
        }
        let overDefault = [UInt8](repeating: 0x61, count: configured + 1)
        #expect(send("POST", "/api/v1/small", body: overDefault).status == 413)
        #expect(send("POST", "/api/v1/small", body: Array(overDefault.dropLast())).status == 200)
        // The same body passes on the route that declares 2 MB, in memory.
        let big = send("POST", "/api/v1/things/1/big", body: overDefault)
        #expect(big.status == 200)
        #expect(try JSON.parse(big.body)["in_file"] == .bool(false))
        let overBig = send("POST", "/api/v1/things/1/big", body: [UInt8](repeating: 0, count: (2 << 20) + 1))
        #expect(overBig.status == 413)
        #expect(try JSON.parse(overBig.body)["detail"] == .string("The limit is \(2 << 20) bytes."))

        // A streamed route reads its body from the file; one byte past its limit is 413.
        let inFile = try BodyFile.holding(Array("%PDF".utf8) + [UInt8](repeating: 0, count: configured * 2))
        let streamed = send("PUT", "/api/v1/things/1/upload", file: inFile)
        #expect(streamed.status == 200)
        let answer = try JSON.parse(streamed.body)
        #expect(answer["in_file"] == .bool(true))
        #expect(answer["head"] == .string("%PDF"))
        #expect(answer["bytes"] == .int(Int64(configured * 2 + 4)))
        let overFile = try BodyFile.holding([UInt8](repeating: 0, count: (3 << 20) + 1))
        #expect(send("PUT", "/api/v1/things/1/upload", file: overFile).status == 413)
        // The same handler given its body in memory (how tests drive it) reads it alike.
        let inMemory = send("PUT", "/api/v1/things/1/upload", body: Array("%PDF-1.7".utf8))
        #expect(try JSON.parse(inMemory.body)["head"] == .string("%PDF"))
    }
}
