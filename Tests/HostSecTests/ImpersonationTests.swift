import Testing
@testable import HostSec
import HostSecTestSupport

@Suite struct ImpersonationTests {
    /// The token ImpersonateLoggedOnUser leaves on the thread comes back from the call, so a
    /// caller learns the level reached without asking again: SecurityImpersonation with
    /// CAP_SETUID and CAP_SETGID, SecurityIdentification without them.
    @Test func impersonation_returns_the_token_the_thread_holds_and_its_level() {
        let answer = onFreshThread { () -> (Bool, ImpersonationLevel?) in
            let engine = Engine(syscalls: KernelCredentialSyscalls())
            do {
                let handle = try engine.logonUser("nobody")
                defer { try? engine.handles.close(handle) }
                let held = try engine.impersonateLoggedOnUser(handle)
                defer { try? engine.revertToSelf() }
                return (try engine.captureContext(restricted: false) === held, held.level)
            } catch {
                return (false, nil)
            }
        }
        #expect(answer.0)
        #expect(answer.1 == (privileged ? .impersonation : .identification))
    }
}
