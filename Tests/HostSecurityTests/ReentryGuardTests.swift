import Testing
@testable import HostSecurity
import class HostSec.Engine
#if canImport(Glibc)
import Glibc
#endif

/// What the signal handler's call into the API gave (written by the handler).
nonisolated(unsafe) private var handlerSaw: Result<UserID?, HostSecurityError>? = nil

@Suite(needsAccounts) struct ReentryGuardTests {
    /// The Swift API goes through the library's re-entry guard, as the C faces do: a signal
    /// handler that interrupts a scope's credential switch (the seam raises the signal on the
    /// thread, inside the library) and calls the API is refused with `HOST_E_INVALIDOPERATION`;
    /// the interrupted scope completes as the token. Outside the library the same handler's call
    /// is an ordinary one.
    @Test func a_signal_handler_calling_the_swift_api_in_mid_impersonation_is_refused() throws {
        let seam = HookedSyscalls()
        let engine = Engine(syscalls: seam)
        let token = try Token.logon(user: TestAccounts.names[7], engine: engine)
        signal(SIGUSR2) { _ in handlerSaw = Result { () throws(HostSecurityError) in try Token.current()?.uid } }
        // The test's thread may be one that blocks signals (a dispatch worker's does).
        var usr2 = sigset_t(), mask = sigset_t()
        sigemptyset(&usr2)
        sigaddset(&usr2, SIGUSR2)
        pthread_sigmask(SIG_UNBLOCK, &usr2, &mask)
        defer {
            pthread_sigmask(SIG_SETMASK, &mask, nil)
            signal(SIGUSR2, SIG_DFL)
        }
        seam.arm { raise(SIGUSR2) }
        let inside = try withImpersonation(of: token) { Creds.kernel() }
        #expect(handlerSaw == .failure(.invalidOperation))
        #expect(inside == Creds(of: token))
        #expect(Creds.kernel() == processCreds)
        handlerSaw = nil
        let seen = try withImpersonation(of: token) {
            raise(SIGUSR2)
            return handlerSaw
        }
        #expect(seen == .success(token.uid))
        #expect(Creds.kernel() == processCreds)
        #expect(!engine.isClosed)
    }
}
