// The server's rules over real HTTP: replacing files one does not own, links inside the root,
// accounts refused whatever the password, and the limits on connections and unfinished
// requests.
import AsyncHTTPClient
import FileServer
import Foundation
import HostSecurity
import NIOCore
import NIOHTTP1
import Testing

/// Replacing a file one may write but does not own (A3-08), links inside the root (A3-19).
@Suite(.enabled(if: isRoot, "makes accounts and acts as them"), .serialized) struct ReplaceAndLinkTests {
    let client = HTTPClient.shared

    /// A group of the test's own, with `members`, removed at the end.
    func withGroup(_ members: [Account], _ body: (String, UInt32) async throws -> Void) async throws {
        let group = "fsw-team\(UInt32.random(in: 100_000...999_999))"
        try sh("groupadd \(group)")
        defer { _ = try? sh("groupdel \(group)") }
        for member in members { try sh("usermod -aG \(group) \(member.name)") }
        try await body(group, UInt32(try sh("getent group \(group) | cut -d: -f3"))!)
    }

    func attributes(_ path: String) throws -> (acl: String, note: String) {
        (try sh("getfacl -cp \(path) | grep '^user:'"), try sh("getfattr --only-values -n user.note \(path)"))
    }

    @Test func put_over_another_users_writable_file_keeps_its_owner_and_group() async throws {
        let (alice, bob, carol) = (Accounts.all[0], Accounts.all[1], Accounts.all[2])
        try await withGroup([alice, bob]) { group, gid in
            let server = try await TestServer.start()
            let team = server.root + "/team", plan = server.root + "/team/plan.txt"
            try sh("mkdir \(team) && chgrp \(group) \(team) && chmod 0775 \(team)")
            try sh("printf plan > \(plan) && chown \(alice.uid):\(gid) \(plan) && chmod 0660 \(plan)")
            try sh("setfacl -m u:\(carol.name):r \(plan) && setfattr -n user.note -v kept \(plan)")
            let before = try attributes(plan)
            for (i, size) in [10, 200_000].enumerated() {  // whole body, then streamed (over 64 KiB)
                let body = Array(repeating: UInt8(ascii: "a") + UInt8(i), count: size)
                let put = try await client.send(.PUT, server.url("/files/team/plan.txt"), as: bob, body: body)
                #expect(put.status == 204 && put.servedAs == bob.uid)
                let after = try #require(owner(plan))
                #expect(after.uid == alice.uid && after.gid == gid && after.mode == 0o660, "\(after)")
                let kept = try attributes(plan)
                #expect(kept.acl == before.acl && kept.acl.contains("user:\(carol.name):r--") && kept.note == "kept")
                let read = try await client.send(.GET, server.url("/files/team/plan.txt"), as: alice)
                #expect(read.status == 200 && read.body == body && read.servedAs == alice.uid)
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: team) == ["plan.txt"])
            await server.stop()
        }
    }

    /// The owner's own PUT replaces by rename (never a partial file), but only when that loses
    /// nothing: a file with another group, an ACL or an extended attribute is written in place.
    @Test func put_over_an_owned_file_keeps_its_group_acl_and_xattrs() async throws {
        let (alice, carol) = (Accounts.all[0], Accounts.all[2])
        try await withGroup([alice]) { group, gid in
            let server = try await TestServer.start()
            let mine = server.root + "/mine"
            try sh("printf old > \(mine) && chown \(alice.uid):\(gid) \(mine) && chmod 0640 \(mine)")
            try sh("setfacl -m u:\(carol.name):r \(mine) && setfattr -n user.note -v kept \(mine)")
            let before = try attributes(mine)
            let put = try await client.send(.PUT, server.url("/files/mine"), as: alice, body: Array("new".utf8))
            #expect(put.status == 204)
            let after = try #require(owner(mine))
            #expect(after.uid == alice.uid && after.gid == gid && after.mode == 0o640, "\(after)")
            #expect(try attributes(mine) == before)
            #expect(try sh("cat \(mine)") == "new")
            // Nothing to lose: replaced by rename (a new inode), mode kept.
            let plain = server.root + "/plain"
            try sh("printf old > \(plain) && chown \(alice.uid):\(alice.gid) \(plain) && chmod 0604 \(plain)")
            let inode = try sh("stat -c %i \(plain)")
            #expect(try await client.send(.PUT, server.url("/files/plain"), as: alice, body: [1]).status == 204)
            #expect(try sh("stat -c %i \(plain)") != inode && owner(plain)?.mode == 0o604)
            await server.stop()
        }
    }

    @Test func a_link_inside_the_root_is_refused_by_default() async throws {
        let (alice, bob) = (Accounts.alice, Accounts.bob)
        for follow in [false, true] {
            let server = try await TestServer.start { $0.followLinks = follow }
            try sh(
                "install -d -o \(alice.uid) -g \(alice.gid) -m 0755 \(server.root)/alice && printf mine > \(server.root)/alice/notes.txt && chown \(alice.uid) \(server.root)/alice/notes.txt"
            )
            try sh("mkdir -m 0777 \(server.root)/shared && ln -s ../alice \(server.root)/shared/inbox")
            try sh("ln -s alice/notes.txt \(server.root)/direct")
            let get = try await client.send(.GET, server.url("/files/shared/inbox/notes.txt"), as: alice)
            let direct = try await client.send(.GET, server.url("/files/direct"), as: alice)
            let put = try await client.send(.PUT, server.url("/files/shared/inbox/new"), as: alice, body: [1])
            let delete = try await client.send(.DELETE, server.url("/files/shared/inbox/notes.txt"), as: alice)
            if follow {
                #expect(get.status == 200 && direct.status == 200 && put.status == 201 && delete.status == 204)
            } else {
                #expect([get.status, direct.status, put.status, delete.status] == [400, 400, 400, 400])
                #expect(owner(server.root + "/alice/notes.txt") != nil && owner(server.root + "/alice/new") == nil)
            }
            // Deleting the link itself removes the link, never what it points to.
            #expect(try await client.send(.DELETE, server.url("/files/shared/inbox"), as: bob).status == 204)
            #expect(owner(server.root + "/alice") != nil)
            await server.stop()
        }
    }
}

/// Who may log on (A3-11).
@Suite(.enabled(if: isRoot, "makes accounts and acts as them"), .serialized) struct LogonRuleTests {
    @Test func root_is_refused_even_with_the_right_password() async throws {
        // root gets a random password for the test; its old shadow entry is put back after.
        let saved = try sh("getent shadow root")
        defer { _ = try? sh("chpasswd -e", input: saved.split(separator: ":").prefix(2).joined(separator: ":") + "\n") }
        let password = randomPassword()
        try sh("chpasswd", input: "root:\(password)\n")
        let server = try await TestServer.start()
        let root = Account(name: "root", password: password, uid: 0, gid: 0)
        let whoami = try await HTTPClient.shared.send(.GET, server.url("/whoami"), as: root)
        #expect(whoami.status == 403, "\(whoami.status)")
        #expect(try await HTTPClient.shared.send(.GET, server.url("/files/"), as: root).status == 403)
        // A system account (uid below UID_MIN), and a nologin-shell user, which is served.
        let system = try makeAccount("fsw-sys\(UInt32.random(in: 100_000...999_999))", system: true)
        let nologin = try makeAccount("fsw-nl\(UInt32.random(in: 100_000...999_999))", shell: "/usr/sbin/nologin")
        defer { _ = try? sh("userdel \(system.name); userdel \(nologin.name)") }
        #expect(try await HTTPClient.shared.send(.GET, server.url("/whoami"), as: system).status == 403)
        let served = try await HTTPClient.shared.send(.GET, server.url("/whoami"), as: nologin)
        #expect(served.status == 200 && served.servedAs == nologin.uid)
        #expect(server.cache.statistics.entries == 1)  // only the nologin user
        await server.stop()
    }
}

/// Deadlines and the per-address cap on connections (A3-10).
@Suite(.enabled(if: isRoot, "makes accounts and acts as them"), .serialized) struct ConnectionLimitTests {
    @Test func an_unfinished_request_head_is_closed_after_the_timeout() async throws {
        let server = try await TestServer.start {
            $0.limits.header = .seconds(1)
            $0.limits.body = .seconds(1)
            $0.limits.idle = .seconds(1)
        }
        let alice = Accounts.alice
        // Each stage waited on for 1 s; 5 s more is the margin.
        let head = try RawConnection(port: server.port)
        try head.send("GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        #expect(head.closedByServer(timeoutMilliseconds: 6_000), "unfinished head")
        let body = try RawConnection(port: server.port)
        try body.send(
            "PUT /files/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(alice.authorization)\r\nContent-Length: 100\r\n\r\nabc"
        )
        #expect(body.closedByServer(timeoutMilliseconds: 6_000), "unfinished body")
        let idle = try RawConnection(port: server.port)
        try idle.send("GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(alice.authorization)\r\n\r\n")
        #expect(try idle.receive(until: "\r\n\r\n", timeoutMilliseconds: 10_000).hasPrefix("HTTP/1.1 200"))
        #expect(idle.closedByServer(timeoutMilliseconds: 6_000), "idle after a response")
        #expect(owner(server.root + "/slow") == nil)
        await server.stop()
    }

    @Test func connections_over_the_per_address_cap_are_closed_and_others_served() async throws {
        let server = try await TestServer.start { $0.limits.perAddress = 4 }
        let alice = Accounts.alice
        let held = try (0..<4).map { _ in try RawConnection(port: server.port) }
        // Each answered once (so each is surely counted: connections are accepted on several
        // event loops, in no set order), then left with an unfinished head.
        for connection in held {
            try connection.send(
                "GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(alice.authorization)\r\n\r\n")
            #expect(try connection.receive(until: "\r\n\r\n", timeoutMilliseconds: 10_000).hasPrefix("HTTP/1.1 200"))
            try connection.send("GET /whoami HTTP/1.1\r\n")
        }
        // The fifth from the same address is closed at once (the head deadline is 10 s).
        let fifth = try RawConnection(port: server.port)
        #expect(fifth.closedByServer(timeoutMilliseconds: 5_000))
        // Another address is served meanwhile.
        let other = try RawConnection(port: server.port, from: "127.0.0.2")
        try other.send("GET /whoami HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(alice.authorization)\r\n\r\n")
        #expect(try other.receive(until: "\r\n\r\n", timeoutMilliseconds: 10_000).hasPrefix("HTTP/1.1 200"))
        await server.stop()
    }
}
