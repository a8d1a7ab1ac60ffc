// The parts that need no server: digests, request paths, Basic credentials, the cache.
import Crypto
@testable import FileServer
import Foundation
import HostSecurity
import NIOCore
import Synchronization
import Testing

@Suite struct DigestTests {
    func hex(_ bytes: some Sequence<UInt8>) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The cache's digests are swift-crypto's HMAC-SHA-256 of the parts, concatenated.
    @Test func cache_digest_is_hmac_sha256_by_the_published_vector() {
        let key = SymmetricKey(data: Array("Jefe".utf8))
        // RFC 4231, test case 2.
        #expect(
            hex(CredentialCache.digest(key: key, Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            CredentialCache.digest(key: key, Array("what do ya ".utf8), Array("want for nothing?".utf8))
                == CredentialCache.digest(key: key, Array("what do ya want for nothing?".utf8)))
        #expect(CredentialCache.digest(key: key, [1, 2, 3]) != CredentialCache.digest(key: key, [1, 2, 4]))
    }
}

@Suite struct RequestPathTests {
    @Test func plain_paths_are_split_into_names() throws {
        let p = try RequestPath(raw: "docs/a%20b.txt")
        #expect(p.components == ["docs", "a b.txt"] && !p.trailingSlash && p.parent == "docs" && p.name == "a b.txt")
        let dir = try RequestPath(raw: "docs/")
        #expect(dir.components == ["docs"] && dir.trailingSlash)
        let root = try RequestPath(raw: "")
        #expect(root.components.isEmpty && root.relative == "." && root.name == nil)
        // Decoded once: "%252e%252e" is the literal name "%2e%2e", which stays inside.
        #expect(try RequestPath(raw: "%252e%252e").components == ["%2e%2e"])
        #expect(try RequestPath(raw: "...").components == ["..."])
    }

    @Test func request_paths_refuse_dot_dot_absolute_nul_and_encoded_forms() {
        let refused: [(String, RequestPath.Refusal)] = [
            ("..", .dotComponent), ("../etc/passwd", .dotComponent), ("a/../../etc", .dotComponent),
            ("a/..", .dotComponent), (".", .dotComponent), ("a/./b", .dotComponent),
            ("%2e%2e/etc", .dotComponent), ("%2E%2E", .dotComponent), (".%2e/x", .dotComponent), ("%2e", .dotComponent),
            ("/etc/passwd", .emptyComponent), ("a//b", .emptyComponent), ("//", .emptyComponent),
            ("%2fetc%2fpasswd", .slashInName), ("..%2f..%2fetc", .slashInName), ("a%2Fb", .slashInName),
            ("a%00b", .nulByte), ("%00", .nulByte),
            ("a%zz", .badEscape), ("a%2", .badEscape), ("%", .badEscape),
            ("%ff%fe", .notUTF8),
            (String(repeating: "x", count: 256), .nameTooLong),
        ]
        for (raw, why) in refused {
            #expect(throws: why, "\(raw)") { try RequestPath(raw: Substring(raw)) }
        }
    }

    @Test func basic_credentials_are_parsed_and_malformed_ones_refused() {
        let good = "Basic " + Data("alice:pa:ss word".utf8).base64EncodedString()
        #expect(BasicAuthentication.credentials(good).map { [$0.0, $0.1] } == ["alice", "pa:ss word"])
        #expect(
            BasicAuthentication.credentials("basic " + Data("bob:x".utf8).base64EncodedString()).map { $0.0 }
                == "bob")
        for bad in [
            nil, "", "Basic", "Basic !!!", "Bearer abc", "Basic " + Data("nocolon".utf8).base64EncodedString(),
            "Basic " + Data(":empty-user".utf8).base64EncodedString(),
            "Basic " + Data("a\u{0}b:c".utf8).base64EncodedString(),
            "Basic YWxpY2U6cA=x",
        ] {
            #expect(BasicAuthentication.credentials(bad) == nil, "\(bad ?? "nil")")
        }
    }
}

@Suite(.enabled(if: isRoot, "makes accounts"), .serialized) struct CredentialCacheTests {
    /// The real PAM logon, counted.
    final class Counted: Sendable {
        let calls = Atomic<Int>(0)
        var logon: CredentialCache.Logon {
            { user, password, delay throws(HostSecurityError) in
                self.calls.add(1, ordering: .relaxed)
                return try Token.logon(
                    user: user, password: password, options: .allowNologinShells, failureDelay: &delay)
            }
        }
    }

    @Test func cache_answers_repeats_without_pam_and_keeps_no_password() async throws {
        let alice = Accounts.alice, counted = Counted()
        let cache = CredentialCache(logon: counted.logon)
        let (first, source1) = try await cache.token(user: alice.name, password: alice.password)
        let (second, source2) = try await cache.token(user: alice.name, password: alice.password)
        #expect(source1 == .logon && source2 == .cache && counted.calls.load(ordering: .relaxed) == 1)
        #expect(first.uid.rawValue == alice.uid && second === first)
        // What it keeps: 16 bytes of salt and a 32-byte digest; the password appears nowhere.
        let kept = try #require(cache.storedSecret(of: alice.name))
        #expect(kept.count == 48)
        let password = Array(alice.password.utf8)
        #expect(!(0...(kept.count - password.count)).contains { Array(kept[$0..<($0 + password.count)]) == password })
    }

    @Test func cache_keeps_the_entry_on_a_wrong_password_and_pam_decides() async throws {
        let alice = Accounts.alice, counted = Counted()
        let cache = CredentialCache(logon: counted.logon)
        _ = try await cache.token(user: alice.name, password: alice.password)
        #expect(cache.isCached(alice.name))
        let entry = cache.storedSecret(of: alice.name)
        await #expect(throws: HostSecurityError.logonFailure) {
            try await cache.token(user: alice.name, password: "wrong")
        }
        // A wrong guess evicts nobody: the entry is the same, and answers the right password.
        #expect(cache.storedSecret(of: alice.name) == entry && counted.calls.load(ordering: .relaxed) == 2)
        let (_, source) = try await cache.token(user: alice.name, password: alice.password)
        #expect(source == .cache && counted.calls.load(ordering: .relaxed) == 2)
        #expect(cache.statistics.failures == 1)
    }

    @Test func cache_entry_expires_after_its_time_to_live() async throws {
        let alice = Accounts.alice, counted = Counted()
        let now = Atomic<UInt64>(1_000)
        let cache = CredentialCache(ttl: .seconds(10), logon: counted.logon, clock: { now.load(ordering: .relaxed) })
        _ = try await cache.token(user: alice.name, password: alice.password)
        now.store(1_000 + 9_999_999_999, ordering: .relaxed)
        #expect(try await cache.token(user: alice.name, password: alice.password).1 == .cache)
        now.store(1_000 + 10_000_000_000, ordering: .relaxed)
        #expect(try await cache.token(user: alice.name, password: alice.password).1 == .logon)
        #expect(counted.calls.load(ordering: .relaxed) == 2)
    }

    @Test func cache_is_bounded_and_evicts_the_least_recently_used() async throws {
        let counted = Counted()
        let cache = CredentialCache(capacity: 2, logon: counted.logon)
        let (a, b, c) = (Accounts.all[0], Accounts.all[1], Accounts.all[2])
        _ = try await cache.token(user: a.name, password: a.password)
        _ = try await cache.token(user: b.name, password: b.password)
        _ = try await cache.token(user: a.name, password: a.password)  // a is now the more recent
        _ = try await cache.token(user: c.name, password: c.password)
        #expect(
            cache.statistics.entries == 2 && cache.isCached(a.name) && !cache.isCached(b.name) && cache.isCached(c.name)
        )
    }

    @Test func cache_keys_accounts_by_their_bytes_not_by_unicode_equivalence() async throws {
        // "José" precomposed and decomposed are one Swift String (canonical equivalence) but two
        // account names to NSS and PAM. With the same password, the second must not be answered
        // with the first's token: each name goes to its own logon.
        let composed = "jos\u{E9}", decomposed = "jose\u{301}"
        #expect(composed == decomposed && Array(composed.utf8) != Array(decomposed.utf8))
        let asked = Mutex<[[UInt8]]>([])
        let cache = CredentialCache(logon: { user, _, _ throws(HostSecurityError) in
            asked.withLock { $0.append(Array(user.utf8)) }
            return try Token.logon(user: Array(user.utf8) == Array(composed.utf8) ? "root" : "nobody")
        })
        let (first, _) = try await cache.token(user: composed, password: "same")
        let (second, source) = try await cache.token(user: decomposed, password: "same")
        #expect(first.uid == 0 && source == .logon && second.uid != 0)
        #expect(asked.withLock { $0 } == [Array(composed.utf8), Array(decomposed.utf8)])
        #expect(cache.isCached(composed) && cache.isCached(decomposed) && cache.statistics.entries == 2)
    }

    @Test func concurrent_logons_with_the_same_credentials_share_one_pam_call() async throws {
        let alice = Accounts.alice, counted = Counted()
        let cache = CredentialCache(logon: counted.logon)
        let uids = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for _ in 0..<32 {
                group.addTask { try await cache.token(user: alice.name, password: alice.password).0.uid.rawValue }
            }
            return try await group.reduce(into: [UInt32]()) { $0.append($1) }
        }
        #expect(uids.count == 32 && uids.allSatisfy { $0 == alice.uid })
        #expect(counted.calls.load(ordering: .relaxed) == 1)
    }
}

@Suite struct FileStoreTests {
    /// Whether anything opened `path` (an inotify IN_OPEN event; O_PATH descriptors make none)
    /// while `body` ran.
    func opens(_ path: String, during body: () -> Void) throws -> Bool {
        let inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        try #require(inotify >= 0)
        defer { close(inotify) }
        try #require(inotify_add_watch(inotify, path, UInt32(IN_OPEN)) >= 0)
        body()
        var buffer = [UInt8](repeating: 0, count: 4096)
        return read(inotify, &buffer, buffer.count) > 0
    }

    @Test func a_fifo_in_the_root_is_never_opened_by_get_or_put() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-fifo-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #require(mkfifo(dir + "/fifo", 0o666) == 0)
        let store = try FileStore(root: dir), path = try RequestPath(raw: "fifo")
        // A reader waits on the FIFO, so a writer's open would succeed (and end its read).
        let reader = open(dir + "/fifo", O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        var got: Result<Found, Errno>?
        #expect(try !opens(dir + "/fifo") { got = store.get(path) })
        if case .failure(let error) = got { #expect(error == Errno(EACCES)) } else { Issue.record("served") }
        var begun: Result<Upload, Errno>?
        #expect(try !opens(dir + "/fifo") { begun = store.beginPut(path) })
        if case .failure(let error) = begun { #expect(error == Errno(EISDIR)) } else { Issue.record("put") }
        // A regular file is still read, a directory still listed.
        #expect(FileManager.default.createFile(atPath: dir + "/file", contents: Data("x".utf8)))
        if case .success(.file(size: 1, _, _)) = store.get(try RequestPath(raw: "file")) {
        } else {
            Issue.record("file")
        }
        if case .success(.directory) = store.get(try RequestPath(raw: "")) {} else { Issue.record("listing") }
    }
}

@Suite(.enabled(if: isRoot, "makes accounts and acts as them"), .serialized) struct PutRaceTests {
    /// A PUT to a new name whose target another account creates while the body arrives: the
    /// commit must not rename over a file the uploader could not have replaced, and still
    /// replaces one it could.
    @Test func a_file_created_during_an_upload_is_replaced_only_if_the_uploader_may_write_it() throws {
        let alice = Accounts.alice, bob = Accounts.bob
        let bobToken = try Token.logon(user: bob.name, password: bob.password)
        let dir = try sh("mktemp -d /tmp/fs-race.XXXXXX")
        defer { _ = try? sh("rm -rf \(dir)") }
        try sh("chmod 0777 \(dir)")  // anyone may create and rename here (no sticky bit)
        let store = try FileStore(root: dir)
        func upload(_ name: String) throws -> Upload {
            let path = try RequestPath(raw: Substring(name))
            let begun = try withImpersonation(of: bobToken) { store.beginPut(path) }
            let upload = try begun.get()
            let body = ByteBuffer(string: "bob's")
            _ = try withImpersonation(of: bobToken) { store.write(upload, body) }
            return upload
        }
        // alice's file appears after bob's PUT began: bob may not write it.
        let late = try upload("late")
        try sh("printf alice > \(dir)/late && chown \(alice.uid):\(alice.gid) \(dir)/late && chmod 0644 \(dir)/late")
        let refused = try withImpersonation(of: bobToken) { store.commit(late) }
        if case .failure(let error) = refused { #expect(error == Errno(EACCES)) } else { Issue.record("replaced") }
        #expect(try sh("cat \(dir)/late") == "alice")
        #expect(owner(dir + "/late")?.uid == alice.uid)
        // bob's own file appears meanwhile: replaced as any PUT would.
        let own = try upload("own")
        try sh("printf old > \(dir)/own && chown \(bob.uid):\(bob.gid) \(dir)/own && chmod 0644 \(dir)/own")
        let replaced = try withImpersonation(of: bobToken) { store.commit(own) }
        if case .success(let created) = replaced { #expect(!created) } else { Issue.record("\(replaced)") }
        #expect(try sh("cat \(dir)/own") == "bob's")
        #expect(owner(dir + "/own")?.uid == bob.uid)
    }
}

/// A cached logon follows the account (A3-17): a hit more than 5 s after the last check reads
/// the shadow entry again; a changed password, a lock or an expiry ends the entry and PAM
/// decides.
@Suite(.enabled(if: isRoot, "makes accounts"), .serialized) struct CachedAccountChangeTests {
    func account() throws -> Account { try makeAccount("fsw-c\(UInt32.random(in: 100_000...999_999))") }

    @Test func a_locked_account_is_refused_within_n_seconds() async throws {
        for change in ["usermod -L", "usermod -e 1"] {  // locked, then expired
            let user = try account()
            defer { _ = try? sh("userdel \(user.name)") }
            let now = Atomic<UInt64>(1_000)
            let cache = CredentialCache(clock: { now.load(ordering: .relaxed) })
            #expect(try await cache.token(user: user.name, password: user.password).1 == .logon)
            try sh("\(change) \(user.name)")
            now.store(1_000 + 4_900_000_000, ordering: .relaxed)  // inside the 5 s window: still the cache
            #expect(try await cache.token(user: user.name, password: user.password).1 == .cache)
            now.store(1_000 + 5_000_000_000, ordering: .relaxed)
            await #expect(throws: HostSecurityError.self, "\(change)") {
                try await cache.token(user: user.name, password: user.password)
            }
        }
    }

    @Test func a_changed_password_stops_the_old_one_within_n_seconds() async throws {
        let user = try account()
        defer { _ = try? sh("userdel \(user.name)") }
        let now = Atomic<UInt64>(1_000)
        let cache = CredentialCache(clock: { now.load(ordering: .relaxed) })
        _ = try await cache.token(user: user.name, password: user.password)
        let newPassword = randomPassword()
        try sh("chpasswd", input: "\(user.name):\(newPassword)\n")
        now.store(1_000 + 5_000_000_000, ordering: .relaxed)
        await #expect(throws: HostSecurityError.logonFailure) {
            try await cache.token(user: user.name, password: user.password)
        }
        #expect(try await cache.token(user: user.name, password: newPassword).1 == .logon)
        // Unchanged, the entry is checked again and answers.
        now.store(1_000 + 11_000_000_000, ordering: .relaxed)
        #expect(try await cache.token(user: user.name, password: newPassword).1 == .cache)
    }
}

/// Bad passwords never hold a logon thread through PAM's failure delay (A3-09).
@Suite(.enabled(if: isRoot, "makes accounts"), .serialized) struct FailingLogonTests {
    final class Tally: Sendable {
        let started = Atomic<Int>(0), finished = Atomic<Int>(0)

        /// The library's no-wait logon, counting the calls that reach it.
        var countingLogon: CredentialCache.Logon {
            { user, password, delay throws(HostSecurityError) in
                self.started.add(1, ordering: .relaxed)
                return try Token.logon(user: user, password: password, failureDelay: &delay)
            }
        }
    }

    /// 32 bad logons at once on an 8-thread pool, then a valid first logon: it completes while
    /// every bad one is still waiting out its delay (a pool held through the delays would make
    /// it wait for three rounds of them).
    @Test func failing_logons_never_hold_the_logon_pool() async throws {
        let valid = try makeAccount("fsw-v\(UInt32.random(in: 100_000...999_999))")
        defer { _ = try? sh("userdel \(valid.name)") }
        let tally = Tally()
        let cache = CredentialCache(logonThreads: 8, logon: tally.countingLogon)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<32 {
                group.addTask {
                    _ = try? await cache.token(
                        user: "fsw-nosuch\(i)", password: randomPassword(), client: "10.0.0.\(i)")
                    tally.finished.add(1, ordering: .relaxed)
                }
            }
            while tally.started.load(ordering: .relaxed) < 8 { try await Task.sleep(for: .milliseconds(5)) }
            let (token, source) = try await cache.token(user: valid.name, password: valid.password, client: "10.0.1.1")
            #expect(token.uid.rawValue == valid.uid && source == .logon)
            #expect(tally.finished.load(ordering: .relaxed) == 0, "bad logons answered before the valid one")
            try await group.waitForAll()
        }
    }

    /// One address with more failed logons waiting than the cap is refused without PAM.
    @Test func failing_logons_of_one_address_are_capped() async throws {
        let tally = Tally()
        let cache = CredentialCache(failingPerClient: 2, logon: tally.countingLogon)
        let refused = await withTaskGroup(of: Bool.self) { group in
            for i in 0..<2 {
                group.addTask {
                    (try? await cache.token(user: "fsw-nosuch\(i)", password: "x", client: "10.0.0.9")) == nil
                }
            }
            // Both in their delay (however slow the machine is today).
            while cache.failingLogons(from: "10.0.0.9") < 2 { try? await Task.sleep(for: .milliseconds(5)) }
            do {
                _ = try await cache.token(user: "fsw-nosuch", password: "x", client: "10.0.0.9")
                return false
            } catch {
                return error is CredentialCache.TooManyFailingLogons
            }
        }
        #expect(refused && tally.started.load(ordering: .relaxed) == 2)
    }
}
