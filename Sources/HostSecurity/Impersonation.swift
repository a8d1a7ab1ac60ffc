internal import HostSec

/// Runs `body` on the calling OS thread as `token`, and puts the thread back exactly as it
/// was (as itself, or as the token it held before) on return and on throw.
///
/// A primary token is acted as at `.impersonation` level; an impersonation token at its
/// own level (at most `.impersonation`). The kernel enforces it on this thread only (raw
/// per-thread `setresuid`, `setresgid`, `setgroups`), so other threads are unaffected.
///
/// Strict by default: when the kernel cannot act as the token (another account, and the
/// process lacks `CAP_SETUID`/`CAP_SETGID`), the scope throws
/// ``HostSecurityError/privilegeNotHeld`` instead of running `body` as the process. Pass
/// `requiring: .identification` to run `body` anyway with the identity recorded but the
/// kernel credentials unchanged (Windows' SecurityIdentification).
///
/// For synchronous code only (it is `noasync`): async code uses
/// ``withImpersonation(of:requiring:isolation:_:)``, whose body runs on the token's identity
/// executor instead of switching a cooperative thread.
///
/// - Throws: ``HostSecurityError/privilegeNotHeld``; ``HostSecurityError/badImpersonationLevel``
///   when the token's own level is below `level`; ``HostSecurityError/accessDenied`` when
///   the token lacks the rights to be impersonated; ``HostSecurityError/failed`` when the
///   thread could not be put back (the library fails closed; the error wins over `body`'s);
///   ``HostSecurityError/closed``; and whatever `body` throws.
@available(
    *, noasync,
    message: "use the async form: try await withImpersonation(of: token) { () async in ... }"
)
public func withImpersonation<R>(
    of token: Token, requiring level: ImpersonationLevel = .impersonation,
    _ body: () throws -> R
) throws -> R {
    let engine = token.engine
    let previous = try hostCall(engine) { () throws(HostSecError) in try engine.captureContext(restricted: false) }
    let held: HostSec.Token
    do {
        held = try hostCall(engine) { () throws(HostSecError) in try engine.impersonateLoggedOnUser(token.handle) }
    } catch {
        if error == .failed { failClosedOnForeignThread() }
        throw error
    }
    return try runThenRestore(engine, previous: previous, token: (token, reached: held.level), requiring: level, body)
}

/// Runs `body` (and its structured child tasks) as `token`: every job of them that is not
/// isolated to an actor runs on a thread whose kernel credentials are the token's, across
/// every suspension point. When the scope returns or throws, the caller goes on as itself,
/// on its own executor (its actor, or the global concurrent executor when nonisolated).
///
/// The jobs run on an identity executor: threads that took the token's identity when they
/// started and keep it for life, shared by the scopes of the same identity. Code isolated to
/// an actor runs on that actor's executor; a default actor's runs as the process (an actor
/// is shared by every identity) or, when the runtime runs it inline for this task, as the
/// token — never as another scope's identity. Unstructured tasks (`Task {}`,
/// `Task.detached`) started inside do not inherit the scope: they run as the process.
/// See <doc:AsyncIdentity>.
///
/// `body` is `sending` so that it is not isolated to the caller's actor: an isolated closure
/// would run on that actor, not as the token.
///
/// - Throws: as the synchronous form; ``HostSecurityError/outOfMemory`` when no thread
///   could be started.
public func withImpersonation<R: Sendable>(
    of token: Token, requiring level: ImpersonationLevel = .impersonation,
    isolation: isolated (any Actor)? = #isolation,
    _ body: sending () async throws -> R
) async throws -> R {
    let asked = try scopeLevel(of: token, requiring: level)
    let executor = try await IdentityExecutors.acquire(token, level: asked)
    defer { IdentityExecutors.release(executor) }
    if let error = levelError(token, reached: executor.level, requiring: level) { throw error }
    return try await runScope(on: executor, isolation: isolation, body)
}

/// The level a thread acts as `token` at (what `ImpersonateLoggedOnUser` makes of it), when
/// the process may: a primary token at `.impersonation`, an impersonation token at its own
/// level, at most `.impersonation`.
func scopeLevel(of token: Token, requiring level: ImpersonationLevel) throws(HostSecurityError)
    -> HostSec.ImpersonationLevel
{
    let asked: HostSec.ImpersonationLevel =
        token.core.kind == .primary ? .impersonation : min(token.core.level, .impersonation)
    if asked.rawValue < level.rawValue { throw .badImpersonationLevel }
    return asked
}

/// The error for a scope whose thread reached `reached` when `level` was required.
func levelError(_ token: Token, reached: HostSec.ImpersonationLevel, requiring level: ImpersonationLevel)
    -> HostSecurityError?
{
    guard reached.rawValue < level.rawValue else { return nil }
    if token.core.kind == .impersonation && token.core.level.rawValue < level.rawValue { return .badImpersonationLevel }
    return .privilegeNotHeld
}

/// Runs `body` with the thread as it is now, then puts back `previous` (nil: itself). With
/// `token`, the scope's token and the level the thread reached are checked first.
func runThenRestore<R>(
    _ engine: HostSec.Engine, previous: HostSec.Token?, token: (Token, reached: HostSec.ImpersonationLevel)?,
    requiring level: ImpersonationLevel, _ body: () throws -> R
) throws -> R {
    let restore = { () throws(HostSecurityError) in
        try hostCall(engine) { () throws(HostSecError) in try engine.applyContext(previous, restricted: false) }
    }
    if let token {
        if let error = levelError(token.0, reached: token.reached, requiring: level) {
            try restore()
            throw error
        }
    }
    let result: Result<R, any Error>
    do { result = .success(try body()) } catch { result = .failure(error) }
    do {
        try restore()
    } catch {
        // The body's own failure closed the library (a nested scope could not restore): that
        // is the error to report, not the refusal that follows it.
        if case .failure(let inner as HostSecurityError) = result, inner == .failed, error == .closed {
            failClosedOnForeignThread()
            throw inner
        }
        failClosedOnForeignThread()
        throw error
    }
    return try result.get()
}

/// The thread could not be put back. An identity thread leaves (exiting drops whatever it
/// holds) once the job returns. Any other thread (a thread of the cooperative pool, an
/// actor's, the caller's own) would go on running other work with credentials nobody asked
/// for, so the process stops here unless the kernel shows the thread is itself again.
func failClosedOnForeignThread() {
    if IdentityThread.current != nil { return }
    guard let now = try? KernelCredentials.read(KernelCredentialSyscalls()),
        let me = HostSec.Engine.shared.threadSelfCredentials, now == me
    else {
        fatalError(
            "hostsec: a thread's credentials could not be restored; stopping rather than run other work as the wrong identity"
        )
    }
}

/// Runs `body` with `executor` preferred, then leaves as ``ScopeHops`` says.
func runScope<R: Sendable>(
    on executor: any TaskExecutor, identity: IdentityExecutor?,
    isolation: isolated (any Actor)?, _ body: sending () async throws -> R
) async throws -> R {
    let outer = ScopeHops.executor
    nonisolated(unsafe) let body = body
    let result: Result<R, any Error> = await ScopeHops.$executor.withValue(identity) {
        await withTaskExecutorPreference(executor) {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
    }
    await ScopeHops.leave(to: isolation, expecting: outer)
    return try result.get()
}

func runScope<R: Sendable>(
    on executor: IdentityExecutor, isolation: isolated (any Actor)?,
    _ body: sending () async throws -> R
) async throws -> R {
    try await runScope(on: executor, identity: executor, isolation: isolation, body)
}
