import Testing
@testable import HostSec
import CHostSec

/// The core's constants come from hostsec.h, and a raw syscall result becomes a typed failure
/// in one place.
struct NamesTests {
    @Test func syscall_result_becomes_a_typed_failure() {
        #expect(throws: SyscallFailure(.setresuid, EPERM)) { try SyscallFailure.check(.setresuid, EPERM) }
        #expect(throws: Never.self) { try SyscallFailure.check(.capget, 0) }
    }

    @Test func context_types_are_the_headers_enum() {
        #expect(SecurityContext.restricted(eCurrentContext) == false)
        #expect(SecurityContext.restricted(eRestrictedContext) == true)
        #expect(SecurityContext.restricted(EContextType(rawValue: 7)) == nil)
    }
}
