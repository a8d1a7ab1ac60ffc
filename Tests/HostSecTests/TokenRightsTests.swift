import Testing
@testable import HostSec
import CHostSec

/// `TokenRights` is hostsec.h's: every right and combination the header defines (evaluated by
/// the C compiler from the header's own expressions, `hs_token_access_rights` in the shim)
/// has a Swift member of the same value, and the names the call tracer prints are the header's.
struct TokenRightsTests {
    /// Every member by the header name it stands for.
    static let members: [String: TokenRights] = Dictionary(
        uniqueKeysWithValues: (TokenRights.rightNames + TokenRights.combinationNames).map { ($0.name, $0.rights) }
            + [("STANDARD_RIGHTS_REQUIRED", .standardRequired), ("TOKEN_EXECUTE", .execute)])

    @Test func token_rights_raw_values_are_the_headers_constants() {
        var count: UInt32 = 0
        let header = UnsafeBufferPointer(start: hs_token_access_rights(&count), count: Int(count))
        #expect(header.count == 25)
        #expect(Set(header.map { String(cString: $0.name) }) == Set(Self.members.keys))
        for row in header {
            let name = String(cString: row.name)
            #expect(Self.members[name]?.rawValue == row.value, "\(name)")
        }
    }

    @Test func each_named_right_is_one_bit_and_the_combinations_are_their_unions() {
        #expect(TokenRights.rightNames.allSatisfy { $0.rights.rawValue.nonzeroBitCount == 1 })
        #expect(Set(TokenRights.rightNames.map(\.rights.rawValue)).count == TokenRights.rightNames.count)
        #expect(
            TokenRights.all == [
                .standardRequired, .assignPrimary, .duplicate, .impersonate, .query, .querySource,
                .adjustPrivileges, .adjustGroups, .adjustDefault, .adjustSessionId,
            ])
        #expect(TokenRights.all.isDisjoint(with: [.synchronize, .accessSystemSecurity, .maximumAllowed]))
        #expect(AccessCheck.mapGeneric(.genericAll) == .all)
        #expect(AccessCheck.mapGeneric(.genericRead) == TokenRights.read.union([.querySource, .duplicate]))
        #expect(AccessCheck.mapGeneric(.genericWrite) == TokenRights.write.union(.adjustSessionId))
        #expect(AccessCheck.mapGeneric(.genericExecute) == TokenRights.execute.union([.assignPrimary, .impersonate]))
    }

    @Test func the_tracer_names_rights_by_the_headers_names() {
        #expect(TraceFormat.accessMask(TokenRights.all.rawValue) == "TOKEN_ALL_ACCESS")
        #expect(TraceFormat.accessMask(TokenRights.read.rawValue) == "TOKEN_READ")
        #expect(TraceFormat.accessMask(TokenRights([.query, .duplicate]).rawValue) == "TOKEN_DUPLICATE|TOKEN_QUERY")
        #expect(TraceFormat.accessMask(TokenRights.maximumAllowed.rawValue | 0x400) == "MAXIMUM_ALLOWED|0x00000400")
        #expect(TraceFormat.accessMask(0) == "0")
    }
}
