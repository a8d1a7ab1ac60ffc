internal import HostSec

/// A thread's identity, captured to be replayed elsewhere: what `GetSecurityContext`
/// captures, and what a CLR `ExecutionContext` flows. Capture it where a request arrives;
/// run the work for it later, on any thread or task, with ``withSecurityContext(_:_:)``.
public struct SecurityContext: Sendable {
    /// The token the context replays, or nil for the thread's own credentials.
    public let token: Token?
    /// Whether the context drops the effective capabilities (`eRestrictedContext`).
    public let isRestricted: Bool

    /// The calling thread's identity: its token, or its own credentials when it is not
    /// impersonating. A restricted capture is that identity with its effective capabilities
    /// dropped. Inside an async impersonation scope (outside actor-isolated code) it is the
    /// scope's token.
    ///
    /// - Throws: ``HostSecurityError/outOfMemory`` when no handle slot is left;
    ///   ``HostSecurityError/closed``.
    public static func capture(restricted: Bool = false) throws(HostSecurityError) -> SecurityContext {
        try capture(restricted: restricted, engine: .shared)
    }

    static func capture(restricted: Bool, engine: HostSec.Engine) throws(HostSecurityError) -> SecurityContext {
        let captured = try hostCall(engine) { () throws(HostSecError) in
            try engine.captureContext(restricted: restricted)
        }
        guard let captured else { return SecurityContext(token: nil, isRestricted: false) }
        let handle = try hostCall(engine) { () throws(HostSecError) in
            try engine.handles.insert(captured, rights: .all)
        }
        return SecurityContext(token: try Token(engine: engine, handle: handle), isRestricted: restricted)
    }
}

/// Runs `body` on the calling OS thread in `context` (as its token, or as the thread's own
/// credentials), then puts the thread back exactly as it was, on return and on throw. A
/// context replays the level it was captured at. For synchronous code only (it is `noasync`):
/// async code uses ``withSecurityContext(_:isolation:_:)``.
///
/// - Throws: as ``withImpersonation(of:requiring:_:)``, and whatever `body` throws.
@available(
    *, noasync,
    message: "use the async form: try await withSecurityContext(context) { () async in ... }"
)
public func withSecurityContext<R>(_ context: SecurityContext, _ body: () throws -> R) throws -> R {
    guard let token = context.token else {
        let engine = HostSec.Engine.shared
        let previous = try hostCall(engine) { () throws(HostSecError) in try engine.captureContext(restricted: false) }
        try hostCall(engine) { () throws(HostSecError) in try engine.revertToSelf() }
        return try runThenRestore(engine, previous: previous, token: nil, requiring: .anonymous, body)
    }
    return try withImpersonation(of: token, requiring: replayLevel(token), body)
}

/// Runs `body` (and its structured child tasks) in `context`, as
/// ``withImpersonation(of:requiring:isolation:_:)`` does for a token. A context of the
/// thread's own credentials runs `body` on the global concurrent executor, whose threads
/// hold the process's credentials (so, inside an impersonation scope, as the process).
///
/// - Throws: as ``withImpersonation(of:requiring:isolation:_:)``, and whatever `body` throws.
public func withSecurityContext<R: Sendable>(
    _ context: SecurityContext, isolation: isolated (any Actor)? = #isolation,
    _ body: sending () async throws -> R
) async throws -> R {
    guard let token = context.token else {
        if HostSec.Engine.shared.isClosed { throw HostSecurityError.closed }
        return try await runScope(on: globalConcurrentExecutor, identity: nil, isolation: isolation, body)
    }
    return try await withImpersonation(of: token, requiring: replayLevel(token), isolation: isolation, body)
}

/// The level a captured token is replayed at: the level it had.
private func replayLevel(_ token: Token) -> ImpersonationLevel {
    token.kind == .primary ? .impersonation : min(token.level, .impersonation)
}
