import Testing
@testable import HostSec

@Suite struct AccessCheckTests {
    let user = Identity(uid: 1000, gid: 1000, groups: [1000], capEffective: 0, capPermitted: 0)
    let stranger = Identity(uid: 2000, gid: 2000, groups: [2000], capEffective: 0, capPermitted: 0)
    var dacl: [AccessControlEntry] { Token.defaultDacl(user: 1000, creator: 0) }

    @Test func genericRightsMapThroughTheTokenMapping() {
        #expect(AccessCheck.mapGeneric(TokenRights.genericRead) == 0x2001A)
        #expect(AccessCheck.mapGeneric(TokenRights.genericWrite) == 0x201E0)
        #expect(AccessCheck.mapGeneric(TokenRights.genericExecute) == 0x20005)
        #expect(AccessCheck.mapGeneric(TokenRights.genericAll) == 0xF01FF)
        #expect(AccessCheck.mapGeneric(TokenRights.query) == TokenRights.query)
    }

    @Test func zeroDesiredAccessIsAHandleWithNoRights() throws {
        #expect(try AccessCheck.check(desired: 0, subject: stranger, dacl: dacl) == 0)
    }

    @Test func maximumAllowedGrantsAllTheDaclAllows() throws {
        #expect(
            try AccessCheck.check(desired: TokenRights.maximumAllowed, subject: user, dacl: dacl) == TokenRights.all)
    }

    @Test func maximumAllowedWithNothingGrantedIsDenied() {
        #expect(throws: HostSecError.accessDenied) {
            try AccessCheck.check(desired: TokenRights.maximumAllowed, subject: stranger, dacl: dacl)
        }
    }

    @Test func aRightTheDaclDoesNotGrantIsDenied() {
        #expect(throws: HostSecError.accessDenied) {
            try AccessCheck.check(desired: TokenRights.query, subject: stranger, dacl: dacl)
        }
    }

    @Test func rightsATokenCannotHaveAreDenied() {
        #expect(throws: HostSecError.accessDenied) {
            try AccessCheck.check(desired: 0x0010_0000, subject: user, dacl: dacl)  // SYNCHRONIZE
        }
    }

    @Test func dacOverridePassesAsRootDoesForFiles() throws {
        var admin = stranger
        admin.capEffective = Capability.bit(Capability.dacOverride)
        #expect(try AccessCheck.check(desired: TokenRights.all, subject: admin, dacl: dacl) == TokenRights.all)
    }

    @Test func groupEntriesGrantToMembers() throws {
        let groupDacl = [AccessControlEntry(.group(2000), TokenRights.query)]
        #expect(
            try AccessCheck.check(desired: TokenRights.query, subject: stranger, dacl: groupDacl) == TokenRights.query)
    }
}
