// The server over real HTTP (AsyncHTTPClient), with accounts logged on through PAM: the
// kernel's verdicts become status codes, files belong to whoever wrote them, and every
// response names the uid the kernel showed on the thread that did the work.
import AsyncHTTPClient
import FileServer
import Foundation
import HostSecurity
import NIOCore
import NIOHTTP1
import Testing

@Suite(.enabled(if: isRoot, "makes accounts and acts as them"), .serialized) struct ServerTests {
    let client = HTTPClient.shared

    @Test func put_creates_a_file_owned_by_the_user_and_a_second_put_replaces_it() async throws {
        let server = try await TestServer.start()
        let alice = Accounts.alice
        let created = try await client.send(.PUT, server.url("/files/alice.txt"), as: alice, body: Array("first".utf8))
        #expect(created.status == 201 && created.servedAs == alice.uid)
        let owned = try #require(owner(server.root + "/alice.txt"))
        #expect(owned.uid == alice.uid && owned.gid == alice.gid)
        try sh("chmod 0640 \(server.root)/alice.txt")
        let replaced = try await client.send(
            .PUT, server.url("/files/alice.txt"), as: alice, body: Array("second".utf8))
        #expect(replaced.status == 204 && replaced.servedAs == alice.uid)
        #expect(try String(contentsOfFile: server.root + "/alice.txt", encoding: .utf8) == "second")
        #expect(owner(server.root + "/alice.txt")?.mode == 0o640)  // the replaced file's mode is kept
        let read = try await client.send(.GET, server.url("/files/alice.txt"), as: alice)
        #expect(read.status == 200 && read.text == "second" && read.servedAs == alice.uid)
        // No staged file is left next to it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: server.root) == ["alice.txt"])
        await server.stop()
    }

    @Test func other_user_gets_403_on_a_0600_file_and_404_on_a_missing_one() async throws {
        let server = try await TestServer.start()
        let (alice, bob) = (Accounts.alice, Accounts.bob)
        #expect(
            try await client.send(.PUT, server.url("/files/secret"), as: alice, body: Array("alice only".utf8)).status
                == 201)
        try sh("chmod 0600 \(server.root)/secret")
        let denied = try await client.send(.GET, server.url("/files/secret"), as: bob)
        #expect(denied.status == 403 && denied.servedAs == bob.uid)
        #expect(
            try await client.send(.PUT, server.url("/files/secret"), as: bob, body: Array("bob was here".utf8)).status
                == 403)
        #expect(try await client.send(.GET, server.url("/files/secret"), as: alice).text == "alice only")
        let missing = try await client.send(.GET, server.url("/files/nothing-here"), as: bob)
        #expect(missing.status == 404 && missing.servedAs == bob.uid)
        #expect(try await client.send(.GET, server.url("/files/secret/"), as: alice).status == 404)
        await server.stop()
    }

    @Test func delete_removes_only_what_the_user_may_remove() async throws {
        let server = try await TestServer.start()
        let (alice, bob) = (Accounts.alice, Accounts.bob)
        try sh(
            "mkdir \(server.root)/alice && chown \(alice.uid):\(alice.gid) \(server.root)/alice && chmod 0755 \(server.root)/alice"
        )
        #expect(
            try await client.send(.PUT, server.url("/files/alice/notes"), as: alice, body: [1, 2, 3]).status == 201)
        #expect(try await client.send(.PUT, server.url("/files/alice/bob"), as: bob, body: [1]).status == 403)
        let refused = try await client.send(.DELETE, server.url("/files/alice/notes"), as: bob)
        #expect(refused.status == 403 && refused.servedAs == bob.uid)
        let removed = try await client.send(.DELETE, server.url("/files/alice/notes"), as: alice)
        #expect(removed.status == 204 && removed.servedAs == alice.uid && owner(server.root + "/alice/notes") == nil)
        #expect(try await client.send(.DELETE, server.url("/files/alice/notes"), as: alice).status == 404)
        await server.stop()
    }

    @Test func missing_or_wrong_credentials_get_401_with_www_authenticate() async throws {
        let server = try await TestServer.start()
        let alice = Accounts.alice
        let wrongPassword = "Basic " + Data("\(alice.name):not-\(alice.password)".utf8).base64EncodedString()
        let unknown = "Basic " + Data("fsw-nobody-such:whatever".utf8).base64EncodedString()
        // A wrong password or an unknown account pays PAM's failure delay (about 2 s) once each.
        let cases: [(String?, [(HTTPMethod, String)])] = [
            (nil, [(.GET, "/files/"), (.PUT, "/files/x"), (.DELETE, "/files/x"), (.GET, "/whoami")]),
            ("Basic !!!", [(.GET, "/files/"), (.PUT, "/files/x")]),
            ("Bearer x", [(.DELETE, "/files/x"), (.GET, "/whoami")]),
            (wrongPassword, [(.PUT, "/files/x")]),
            (unknown, [(.GET, "/whoami")]),
        ]
        for (authorization, requests) in cases {
            for (method, path) in requests {
                let reply = try await client.send(
                    method, server.url(path), as: nil, body: method == .PUT ? [1] : nil,
                    authorization: authorization)
                #expect(reply.status == 401, "\(method) \(path) \(authorization ?? "none")")
                #expect(reply.headers.first(name: "WWW-Authenticate")?.hasPrefix("Basic realm=") == true)
            }
        }
        #expect(owner(server.root + "/x") == nil)
        await server.stop()
    }

    @Test func traversal_is_refused_with_400_and_a_symlink_cannot_leave_the_root() async throws {
        let server = try await TestServer.start()
        let alice = Accounts.alice
        for path in [
            "/files/%2e%2e/etc/passwd", "/files/%2E%2E%2Fetc%2Fpasswd", "/files//etc/passwd", "/files/a%00b",
            "/files/..%2f..%2fetc%2fpasswd", "/files/x/%2e%2e/%2e%2e/etc/passwd",
        ] {
            let reply = try await client.send(.GET, server.url(path), as: alice)
            #expect(reply.status == 400, "\(path)")
            let put = try await client.send(.PUT, server.url(path), as: alice, body: [1])
            #expect(put.status == 400, "PUT \(path)")
        }
        // A link inside the root that points out of it: the kernel refuses to follow it.
        try sh("ln -s /etc \(server.root)/out")
        #expect(try await client.send(.GET, server.url("/files/out/hostname"), as: alice).status == 400)
        #expect(try await client.send(.PUT, server.url("/files/out/hostsec-test"), as: alice, body: [1]).status == 400)
        #expect(owner("/etc/hostsec-test") == nil)
        await server.stop()
    }

    @Test func whoami_reports_the_kernel_identity_of_the_user() async throws {
        let server = try await TestServer.start()
        for account in Accounts.all {
            let reply = try await client.send(.GET, server.url("/whoami"), as: account)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(reply.body)) as? [String: Any])
            let groups = try sh("id -G \(account.name)").split(separator: " ").compactMap { UInt32($0) }
            #expect(json["uid"] as? Int == Int(account.uid) && json["gid"] as? Int == Int(account.gid))
            #expect(Set((json["groups"] as? [Int] ?? []).map(UInt32.init)) == Set(groups))
            #expect(reply.servedAs == account.uid)
        }
        await server.stop()
    }

    /// The file work runs on the user's identity thread (async scope), not by switching the
    /// credentials of the thread that runs the handler: the identity executors count a job for
    /// each operation, and between requests a thread of the process keeps the user's uid.
    @Test func file_operations_run_as_jobs_on_the_users_identity_thread() async throws {
        let server = try await TestServer.start()
        let alice = Accounts.alice
        let before = IdentityExecutors.statistics()
        for i in 0..<20 {
            #expect(
                try await client.send(.PUT, server.url("/files/job-\(i)"), as: alice, body: [1]).servedAs == alice.uid)
            #expect(try await client.send(.GET, server.url("/whoami"), as: alice).servedAs == alice.uid)
        }
        let after = IdentityExecutors.statistics()
        #expect(after.jobs - before.jobs >= 40, "identity jobs \(before.jobs) -> \(after.jobs)")
        #expect(after.switches > 0 && after.threads > 0)
        #expect(threadEffectiveUids().contains(alice.uid))
        await server.stop()
    }

    /// A client that sends `Expect: 100-continue` (curl does for every upload over 1 KiB) gets
    /// `100 Continue` before it sends the body; the upload then completes as usual.
    @Test func expect_100_continue_is_answered_before_the_body_is_sent() async throws {
        let server = try await TestServer.start()
        let alice = Accounts.alice
        let body = String(repeating: "x", count: 2048)
        let connection = try RawConnection(port: server.port)
        try connection.send(
            "PUT /files/expect.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(alice.authorization)\r\n"
                + "Content-Length: \(body.utf8.count)\r\nExpect: 100-continue\r\n\r\n")
        // Nothing more is sent until the server answers (or 10 s pass: then it never will).
        let interim = try connection.receive(until: "\r\n\r\n", timeoutMilliseconds: 10_000)
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "got \(interim.debugDescription)")
        try connection.send(body)
        let final = try connection.receive(until: "\r\n\r\n", timeoutMilliseconds: 10_000)
        #expect(final.hasPrefix("HTTP/1.1 201"), "got \(final.debugDescription)")
        #expect(final.lowercased().contains("x-served-as: \(alice.uid)"))
        #expect(try String(contentsOfFile: server.root + "/expect.txt", encoding: .utf8) == body)
        // Without the header nothing interim is sent: the first line is the final answer.
        let plain = try RawConnection(port: server.port)
        try plain.send(
            "PUT /files/plain.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(alice.authorization)\r\n"
                + "Content-Length: 3\r\n\r\nabc")
        #expect(try plain.receive(until: "\r\n\r\n", timeoutMilliseconds: 10_000).hasPrefix("HTTP/1.1 201"))
        await server.stop()
    }

    @Test func directory_listing_is_json_and_needs_read_permission() async throws {
        let server = try await TestServer.start()
        let (alice, bob) = (Accounts.alice, Accounts.bob)
        try sh("mkdir \(server.root)/d && chown \(alice.uid) \(server.root)/d && chmod 0700 \(server.root)/d")
        _ = try await client.send(.PUT, server.url("/files/d/one"), as: alice, body: Array(repeating: 7, count: 10))
        _ = try await client.send(.PUT, server.url("/files/d/two\"q"), as: alice, body: [])
        let listing = try await client.send(.GET, server.url("/files/d/"), as: alice)
        #expect(listing.status == 200 && listing.headers.first(name: "Content-Type") == "application/json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(listing.body)) as? [String: Any])
        let entries = try #require(json["entries"] as? [[String: Any]])
        #expect(entries.compactMap { $0["name"] as? String } == ["one", "two\"q"])
        #expect(entries.first?["size"] as? Int == 10 && entries.first?["type"] as? String == "file")
        #expect(try await client.send(.GET, server.url("/files/d/"), as: bob).status == 403)
        await server.stop()
    }

    @Test func large_files_stream_both_ways_as_the_user() async throws {
        let server = try await TestServer.start()  // bodies over 64 KiB are streamed here
        let alice = Accounts.alice
        let big = (0..<(3 << 20) + 12345).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        let put = try await client.send(.PUT, server.url("/files/big.bin"), as: alice, body: big)
        #expect(put.status == 201 && put.servedAs == alice.uid)
        #expect(owner(server.root + "/big.bin")?.uid == alice.uid)
        let got = try await client.send(.GET, server.url("/files/big.bin"), as: alice)
        #expect(got.status == 200 && got.body == big && got.servedAs == alice.uid)
        #expect(server.statistics.snapshot.mismatches == 0)
        await server.stop()
    }

    @Test func no_impersonation_does_the_same_work_as_the_process() async throws {
        let server = try await TestServer.start(impersonation: false)
        let alice = Accounts.alice
        let reply = try await client.send(.PUT, server.url("/files/as-process"), as: alice, body: [1])
        #expect(reply.status == 201 && reply.servedAs == getuid())
        #expect(owner(server.root + "/as-process")?.uid == getuid())
        await server.stop()
    }

    @Test func no_impersonation_on_baseline_threads_does_the_work_as_the_process_off_the_handler() async throws {
        let server = try await TestServer.start(impersonation: false, baselineThreads: 2)
        let alice = Accounts.alice
        let before = IdentityExecutors.statistics().jobs
        let reply = try await client.send(.PUT, server.url("/files/on-pool"), as: alice, body: [1, 2])
        #expect(reply.status == 201 && reply.servedAs == getuid())
        #expect(owner(server.root + "/on-pool")?.uid == getuid())
        let read = try await client.send(.GET, server.url("/files/on-pool"), as: alice)
        #expect(read.status == 200 && read.body == [1, 2] && read.servedAs == getuid())
        #expect(IdentityExecutors.statistics().jobs == before)  // no identity scope was entered
        await server.stop()
    }

    /// 4 users x 10,000 requests (half GET, half PUT of 4 KiB), 8 concurrent clients per
    /// user, and the X-Served-As of every answer compared with the user's uid.
    @Test func four_users_ten_thousand_mixed_requests_each_never_see_another_uid() async throws {
        let server = try await TestServer.start()
        let perUser = 10_000, clientsPerUser = 8
        for account in Accounts.all {
            try sh(
                "mkdir \(server.root)/\(account.name) && chown \(account.uid):\(account.gid) \(server.root)/\(account.name)"
            )
        }
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (ok: Int, mismatches: Int, failures: Int).self) { group in
            for account in Accounts.all {
                for c in 0..<clientsPerUser {
                    group.addTask {
                        var tally = (ok: 0, mismatches: 0, failures: 0)
                        let payload = Array(repeating: UInt8(ascii: "a") + UInt8(c), count: 4096)
                        for i in 0..<(perUser / clientsPerUser) {
                            let url = server.url("/files/\(account.name)/f\(c)-\((i / 2) % 4)")
                            let reply =
                                i % 2 == 0
                                ? try await client.send(.PUT, url, as: account, body: payload)
                                : try await client.send(.GET, url, as: account)
                            if reply.servedAs != account.uid { tally.mismatches += 1 }
                            if [200, 201, 204].contains(reply.status) { tally.ok += 1 } else { tally.failures += 1 }
                        }
                        return tally
                    }
                }
            }
            return try await group.reduce(into: (ok: 0, mismatches: 0, failures: 0)) {
                $0.ok += $1.ok; $0.mismatches += $1.mismatches; $0.failures += $1.failures
            }
        }
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        print(
            "four users x \(perUser) requests: \(results.ok) ok, \(results.failures) failed, \(results.mismatches) X-Served-As mismatches, server-side mismatches \(server.statistics.snapshot.mismatches), about \(seconds) s"
        )
        #expect(results.ok == 4 * perUser && results.mismatches == 0 && results.failures == 0)
        #expect(server.statistics.snapshot.mismatches == 0)
        for account in Accounts.all {
            let files = try FileManager.default.contentsOfDirectory(atPath: "\(server.root)/\(account.name)")
            #expect(files.count == clientsPerUser * 4)
            for file in files { #expect(owner("\(server.root)/\(account.name)/\(file)")?.uid == account.uid) }
        }
        await server.stop()
    }
}
