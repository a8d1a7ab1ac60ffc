// The credential cache: a successful PAM logon is remembered for a while as a keyed, salted
// digest of the password next to the account's token, so repeated requests with the same
// credentials do not pay PAM (which reads the shadow file and runs the password hash).
import CFileServer
import Crypto
import Foundation
import HostSecurity
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Remembers successful logons: per account, a random salt, HMAC-SHA-256(process key,
/// salt ‖ password) (swift-crypto's `HMAC<SHA256>`) and the token. The password itself is
/// never stored; digests are compared in constant time (`HashedAuthenticationCode`'s `==`).
///
/// - An entry lives `ttl` from the logon that made it; after that the next request pays PAM.
/// - At most `capacity` entries; a new one evicts expired entries, then the least recently used.
/// - A password that does not match the entry goes to PAM; the entry stays unless that logon
///   succeeds (then the new password's entry replaces it): a wrong guess never evicts a user.
/// - A hit more than `recheck` after the account was last checked reads its shadow entry again
///   (``accountStamp(_:key:)``): a changed password, a lock or an expiry ends the entry.
/// - Logons run on their own thread pool (PAM blocks), never on an event loop or on Swift's
///   cooperative threads, and never sleep there: a failed logon's remaining PAM failure delay
///   is slept with `Task.sleep` before the failure is thrown. Concurrent requests with the
///   same credentials share one logon.
/// - At most `failingPerClient` failed logons of one client address wait out their delay at
///   once; past that, its requests that need PAM throw ``TooManyFailingLogons`` after
///   `overflowDelay`, without PAM.
public final class CredentialCache: Sendable {
    /// What answered a request: a cached entry or a PAM logon (for tests and statistics).
    public enum Source: Sendable, Equatable { case cache, logon }

    /// A logon that never sleeps: on a throw, `failureDelay` holds the delay still owed.
    public typealias Logon =
        @Sendable (_ user: String, _ password: String, _ failureDelay: inout Duration)
        throws(HostSecurityError) -> Token

    /// Thrown instead of a logon when the client address has too many failed logons waiting.
    public struct TooManyFailingLogons: Error, Equatable {}

    /// A logon that failed, with the part of PAM's failure delay still to wait.
    private struct DelayedFailure: Error {
        let error: HostSecurityError
        let delay: Duration
    }

    /// HMAC-SHA-256 of a password or of an account's shadow state, under the process key.
    typealias Digest = HashedAuthenticationCode<SHA256>

    private struct Entry {
        let salt: [UInt8]
        let digest: Digest
        let token: Token
        let expires: UInt64
        var lastUse: UInt64
        /// The account's state when the logon began (``accountStamp(_:)``), and when it was
        /// last found unchanged.
        let stamp: Digest?
        var checked: UInt64
    }

    private struct Pending {
        let salt: [UInt8]
        let digest: Digest
        let task: Task<LoggedOn, any Error>
    }

    private typealias LoggedOn = (token: Token, stamp: Digest?)

    /// An account as NSS and PAM name it: the name's bytes. A `String` key would make two
    /// names one when Unicode calls them equivalent ("é" precomposed or not), and one
    /// account's cached logon would answer for the other.
    private struct Account: Hashable {
        let bytes: [UInt8]
        init(_ name: String) { bytes = Array(name.utf8) }
    }

    private struct State {
        var entries: [Account: Entry] = [:]
        var pending: [Account: Pending] = [:]
        var hits: UInt64 = 0
        var logons: UInt64 = 0
        var failures: UInt64 = 0
        /// Failed logons waiting out their delay, by client address.
        var failing: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let key: SymmetricKey
    private let ttl: UInt64
    private let recheck: UInt64
    private let capacity: Int
    private let failingPerClient: Int
    private let overflowDelay: Duration
    private let logon: Logon
    private let clock: @Sendable () -> UInt64
    private let pool: NIOThreadPool

    /// - Parameters:
    ///   - ttl: how long a logon is remembered.
    ///   - recheck: a hit on an entry whose account was last checked longer ago than this
    ///     checks the account again (``accountStamp(_:)``); changed, expired or unreadable, the
    ///     entry is dropped and PAM decides.
    ///   - capacity: most accounts remembered at once.
    ///   - logonThreads: threads that run PAM logons (never held through a failure delay).
    ///   - failingPerClient: failed logons of one client address that may wait out their
    ///     delay at once.
    ///   - overflowDelay: how long a request over that cap waits before it is refused.
    ///   - logon: the logon itself: ``Token/logon(user:password:options:failureDelay:)`` with
    ///     ``PasswordLogonOptions/allowNologinShells`` (a file server's users are often
    ///     accounts without a login shell), unless a test says otherwise.
    ///   - clock: nanoseconds on a monotonic clock (a test can move time).
    public init(
        ttl: Duration = .seconds(300), recheck: Duration = .seconds(5), capacity: Int = 1024, logonThreads: Int = 8,
        failingPerClient: Int = 8, overflowDelay: Duration = .seconds(2),
        logon: @escaping Logon = { user, password, failureDelay throws(HostSecurityError) in
            try Token.logon(user: user, password: password, options: .allowNologinShells, failureDelay: &failureDelay)
        },
        clock: @escaping @Sendable () -> UInt64 = CredentialCache.monotonicNanoseconds
    ) {
        precondition(capacity > 0 && logonThreads > 0 && failingPerClient > 0)
        self.failingPerClient = failingPerClient
        self.overflowDelay = overflowDelay
        self.key = SymmetricKey(size: .bits256)
        self.ttl = CredentialCache.nanoseconds(ttl)
        self.recheck = CredentialCache.nanoseconds(recheck)
        self.capacity = capacity
        self.logon = logon
        self.clock = clock
        self.pool = NIOThreadPool(numberOfThreads: logonThreads)
        self.pool.start()
    }

    deinit { pool.shutdownGracefully { _ in } }

    /// The token for `user` if `password` is right: from the cache, or from a PAM logon.
    ///
    /// - Parameter client: the client's address, for the cap on failing logons (nil: none).
    /// - Throws: what the logon throws (``HostSecurityError/logonFailure`` for an unknown
    ///   account or a wrong password, ``HostSecurityError/logonTypeNotGranted`` for root and
    ///   system accounts, ``HostSecurityError/invalidArgument`` for an empty name...), after
    ///   PAM's failure delay; ``TooManyFailingLogons`` over the cap.
    public func token(user: String, password: String, client: String? = nil) async throws -> (Token, Source) {
        do {
            return try await lookUp(user: user, password: password, client: client)
        } catch let failure as DelayedFailure {
            // The delay is slept here, on no thread; the address's failures are counted meanwhile.
            if let client { state.withLock { $0.failing[client, default: 0] += 1 } }
            defer {
                if let client {
                    state.withLock { state in
                        let left = state.failing[client, default: 1] - 1
                        state.failing[client] = left > 0 ? left : nil
                    }
                }
            }
            try? await Task.sleep(for: failure.delay)
            throw failure.error
        }
    }

    private func lookUp(user: String, password: String, client: String?) async throws -> (Token, Source) {
        let now = clock()
        let account = Account(user)
        // Look up without hashing under the lock.
        let entry = state.withLock { state -> Entry? in
            if let entry = state.entries[account], entry.expires <= now { state.entries[account] = nil }
            return state.entries[account]
        }
        if let entry {
            guard digest(salt: entry.salt, password: password) == entry.digest else {
                // Another password: PAM decides, and only a success replaces the entry.
                return (try await logOn(user: user, password: password, client: client), .logon)
            }
            if now &- entry.checked >= recheck {
                // A password change, a lock or an expiry since the logon ends the entry: PAM decides.
                let key = self.key
                let current = try await pool.runIfActive { CredentialCache.accountStamp(user, key: key) }
                guard let current, let stamp = entry.stamp, current == stamp else {
                    drop(account, entry)
                    return (try await logOn(user: user, password: password, client: client), .logon)
                }
            }
            state.withLock { state in
                state.hits += 1
                guard state.entries[account]?.digest == entry.digest else { return }
                state.entries[account]?.lastUse = now
                if now &- entry.checked >= recheck { state.entries[account]?.checked = now }
            }
            return (entry.token, .cache)
        }
        return (try await logOn(user: user, password: password, client: client), .logon)
    }

    /// Removes `entry` unless a newer logon already replaced it.
    private func drop(_ account: Account, _ entry: Entry) {
        state.withLock { state in
            if state.entries[account]?.digest == entry.digest { state.entries[account] = nil }
        }
    }

    /// A PAM logon, shared by every request that comes with the same credentials meanwhile.
    private func logOn(user: String, password: String, client: String?) async throws -> Token {
        if let client, state.withLock({ $0.failing[client, default: 0] >= failingPerClient }) {
            try? await Task.sleep(for: overflowDelay)
            throw TooManyFailingLogons()
        }
        let account = Account(user)
        let salt = CredentialCache.randomBytes(16)
        let digest = self.digest(salt: salt, password: password)
        let pool = self.pool, logon = self.logon, key = self.key
        let (pending, mine) = state.withLock { state -> (Pending, Bool) in
            if let pending = state.pending[account] { return (pending, false) }
            // The account's state is read before PAM: a change during the logon shows at the
            // first recheck.
            let task = Task<LoggedOn, any Error> {
                try await CredentialCache.run(logon, user, password, key: key, on: pool)
            }
            let pending = Pending(salt: salt, digest: digest, task: task)
            state.pending[account] = pending
            return (pending, true)
        }
        if !mine {
            if self.digest(salt: pending.salt, password: password) == pending.digest {
                return try await pending.task.value.0
            }
            // Another password for the same account is being checked: check this one on its own.
            return try await CredentialCache.run(logon, user, password, key: key, on: pool).token
        }
        let result = await pending.task.result
        let now = clock()
        state.withLock { state in
            state.pending[account] = nil
            switch result {
            case .success(let (token, stamp)):
                state.logons += 1
                if state.entries[account] == nil && state.entries.count >= capacity { evict(&state, now: now) }
                state.entries[account] = Entry(
                    salt: salt, digest: digest, token: token, expires: now &+ ttl, lastUse: now, stamp: stamp,
                    checked: now)
            case .failure:
                state.failures += 1  // an entry for another password stays
            }
        }
        return try result.get().0
    }

    /// One logon on the pool, with the account's state read first (a change during the logon
    /// shows at the first recheck). A failure comes back with its delay, not slept here.
    private static func run(
        _ logon: @escaping Logon, _ user: String, _ password: String, key: SymmetricKey, on pool: NIOThreadPool
    )
        async throws -> LoggedOn
    {
        let outcome = try await pool.runIfActive { () -> Result<LoggedOn, DelayedFailure> in
            let stamp = accountStamp(user, key: key)
            var delay = Duration.zero
            do throws(HostSecurityError) {
                return .success((try logon(user, password, &delay), stamp))
            } catch {
                return .failure(DelayedFailure(error: error, delay: delay))
            }
        }
        return try outcome.get()
    }

    /// Makes room for one entry: expired entries go first, then the least recently used.
    private func evict(_ state: inout State, now: UInt64) {
        state.entries = state.entries.filter { $0.value.expires > now }
        while state.entries.count >= capacity,
            let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })
        {
            state.entries[oldest.key] = nil
        }
    }

    private func digest(salt: [UInt8], password: String) -> Digest {
        CredentialCache.digest(key: key, salt, Array(password.utf8))
    }

    /// HMAC-SHA-256 under `key` of the concatenation of `parts`.
    static func digest(key: SymmetricKey, _ parts: [UInt8]...) -> Digest {
        var hmac = HMAC<SHA256>(key: key)
        for part in parts { hmac.update(data: part) }
        return hmac.finalize()
    }

    /// Accounts remembered now, requests answered from the cache, PAM logons that succeeded
    /// and that failed.
    public var statistics: (entries: Int, hits: UInt64, logons: UInt64, failures: UInt64) {
        state.withLock { ($0.entries.count, $0.hits, $0.logons, $0.failures) }
    }

    /// Failed logons of `client` waiting out their delay now.
    public func failingLogons(from client: String) -> Int { state.withLock { $0.failing[client, default: 0] } }

    /// Whether `user` has an entry now (expired or not).
    public func isCached(_ user: String) -> Bool { state.withLock { $0.entries[Account(user)] != nil } }

    /// What an entry keeps besides the token, for tests: its salt and digest, never the password.
    public func storedSecret(of user: String) -> [UInt8]? {
        state.withLock { state in state.entries[Account(user)].map { $0.salt + Array($0.digest) } }
    }

    /// What a cached logon depends on in `user`'s shadow entry, keyed with `key`: the password
    /// hash (a digest of it, never the hash), the last change, maximum age, inactivity and
    /// expiry. nil when there is no entry to read (no shadow entry, not root), or when the
    /// account or its password has expired by date: then PAM decides every time.
    static func accountStamp(_ user: String, key: SymmetricKey) -> Digest? {
        var entry = fs_shadow()
        defer { memset(&entry, 0, MemoryLayout<fs_shadow>.size) }  // the hash goes no further
        guard fs_shadow_entry(user, &entry) == 0 else { return nil }
        let today = entry.today
        if entry.expire >= 0 && today >= entry.expire { return nil }  // the account expired
        if entry.last_change == 0 { return nil }  // the password must be changed
        if entry.max >= 0 && entry.last_change > 0 && today > entry.last_change + entry.max { return nil }
        var hmac = HMAC<SHA256>(key: key)
        let length = entry.hash_length
        withUnsafeBytes(of: &entry.hash) { hmac.update(data: UnsafeRawBufferPointer(rebasing: $0.prefix(length))) }
        for value in [entry.last_change, entry.max, entry.inactive, entry.expire] {
            withUnsafeBytes(of: Int64(value).littleEndian) { hmac.update(data: $0) }
        }
        return hmac.finalize()
    }

    static func nanoseconds(_ d: Duration) -> UInt64 {
        UInt64(d.components.seconds) * 1_000_000_000 + UInt64(d.components.attoseconds / 1_000_000_000)
    }

    public static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let rc = bytes.withUnsafeMutableBytes { fs_random($0.baseAddress, count) }
        precondition(rc == 0, "getrandom failed")
        return bytes
    }
}
