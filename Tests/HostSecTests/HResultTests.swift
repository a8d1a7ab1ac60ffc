import Testing
@testable import HostSec
import CHostSec

/// The Swift HRESULT constants are hostsec.h's: `HResult.named` and the header's table of
/// returned codes (`HOSTSEC_HRESULT_RETURNED`, expanded in the shim) hold the same names with
/// the same values, and every name is what `HostSec_HResultName` says.
struct HResultTests {
    static func headerRows() -> [(name: String, value: HRESULT)] {
        var count: UInt32 = 0
        let rows = hs_hresult_returned(&count)!
        return (0..<Int(count)).map { (String(cString: rows[$0].name), rows[$0].value) }
    }

    @Test func swift_constants_are_the_headers_returned_codes() {
        let header = Self.headerRows()
        #expect(header.count == 31)
        #expect(HResult.named.map(\.name).sorted() == header.map(\.name).sorted())
        for row in header {
            let swift = HResult.named.first { $0.name == row.name }
            #expect(swift?.value == row.value, "\(row.name)")
        }
    }

    @Test func every_constant_has_its_header_name() {
        for (name, value) in HResult.named {
            #expect(String(cString: hs_hresult_name(value)) == name)
        }
    }

    @Test func error_constants_carry_their_hresults() {
        #expect(HostSecError.privilegeNotHeld.hr == HRESULT(bitPattern: 0x8007_0522))
        #expect(HostSecError.noToken.hr == HResult.noToken)
        #expect(HResult.fromWin32(0) == 0 && HResult.fromWin32(1008) == HResult.noToken)
    }
}
