import Testing
@testable import HostSec
import CHostSec

/// The core's constants come from hostsec.h, and a raw syscall result becomes a typed failure
/// in one place.
struct NamesTests {
    @Test func tokenRightsAreTheHeadersRights() {
        #expect(TokenRights.query == 0x0008 && TokenRights.duplicate == 0x0002 && TokenRights.impersonate == 0x0004)
        #expect(TokenRights.assignPrimary == 0x0001 && TokenRights.querySource == 0x0010)
        #expect(TokenRights.maximumAllowed == 0x0200_0000 && TokenRights.genericRead == 0x8000_0000)
        #expect(TokenRights.genericWrite == 0x4000_0000 && TokenRights.genericExecute == 0x2000_0000)
        #expect(TokenRights.genericAll == 0x1000_0000 && TokenRights.all == 0x000F_01FF)
    }

    @Test func syscallResultBecomesATypedFailure() {
        #expect(throws: SyscallFailure(.setresuid, EPERM)) { try SyscallFailure.check(.setresuid, EPERM) }
        #expect(throws: Never.self) { try SyscallFailure.check(.capget, 0) }
    }

    @Test func contextTypesAreTheHeadersEnum() {
        #expect(SecurityContext.restricted(eCurrentContext) == false)
        #expect(SecurityContext.restricted(eRestrictedContext) == true)
        #expect(SecurityContext.restricted(EContextType(rawValue: 7)) == nil)
    }
}
