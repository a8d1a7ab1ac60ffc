import Testing
@testable import HostSec

@Suite struct AccessCheckTests {
    let user = AccessSubject(Identity(uid: 1000, gid: 1000, groups: [1000], capEffective: 0, capPermitted: 0))
    let stranger = AccessSubject(Identity(uid: 2000, gid: 2000, groups: [2000], capEffective: 0, capPermitted: 0))
    var sd: SecurityDescriptor {
        SecurityDescriptor(owner: .user(0), group: .group(0), dacl: Token.defaultDacl(user: 1000, creator: 0))
    }

    @Test func generic_rights_map_through_the_token_mapping() {
        #expect(AccessCheck.mapGeneric(TokenRights.genericRead).rawValue == 0x2001A)
        #expect(AccessCheck.mapGeneric(TokenRights.genericWrite).rawValue == 0x201E0)
        #expect(AccessCheck.mapGeneric(TokenRights.genericExecute).rawValue == 0x20005)
        #expect(AccessCheck.mapGeneric(TokenRights.genericAll).rawValue == 0xF01FF)
        #expect(AccessCheck.mapGeneric(TokenRights.query) == TokenRights.query)
    }

    @Test func zero_desired_access_is_a_handle_with_no_rights() throws {
        #expect(try AccessCheck.check(desired: [], subject: stranger, descriptor: sd).isEmpty)
    }

    @Test func maximum_allowed_grants_all_the_dacl_allows() throws {
        #expect(
            try AccessCheck.check(desired: TokenRights.maximumAllowed, subject: user, descriptor: sd) == TokenRights.all
        )
    }

    @Test func maximum_allowed_with_nothing_granted_is_denied() {
        #expect(throws: HostSecError.accessDenied) {
            try AccessCheck.check(desired: TokenRights.maximumAllowed, subject: stranger, descriptor: sd)
        }
    }

    @Test func a_right_the_dacl_does_not_grant_is_denied() {
        #expect(throws: HostSecError.accessDenied) {
            try AccessCheck.check(desired: TokenRights.query, subject: stranger, descriptor: sd)
        }
    }

    @Test func rights_a_token_cannot_have_are_denied() {
        #expect(throws: HostSecError.accessDenied) {
            try AccessCheck.check(desired: .synchronize, subject: user, descriptor: sd)
        }
    }

    @Test func dac_override_passes_as_root_does_for_files() throws {
        var admin = stranger
        admin.capEffective = Capability.bit(Capability.dacOverride)
        #expect(try AccessCheck.check(desired: TokenRights.all, subject: admin, descriptor: sd) == TokenRights.all)
    }

    @Test func group_entries_grant_to_members() throws {
        let groupSd = SecurityDescriptor(
            owner: .user(0), group: .group(0),
            dacl: [AccessControlEntry(.group(2000), TokenRights.query)])
        #expect(
            try AccessCheck.check(desired: TokenRights.query, subject: stranger, descriptor: groupSd)
                == TokenRights.query)
    }

    @Test func a_deny_entry_before_an_allow_one_wins() {
        let deny = AccessControlEntry(
            type: AccessControlEntry.deniedType, mask: TokenRights.query.rawValue, sid: .user(2000))
        let denyFirst = SecurityDescriptor(
            owner: .user(0), group: .group(0),
            dacl: [deny, AccessControlEntry(.user(2000), TokenRights.all)])
        #expect(AccessCheck.allowed(to: stranger, by: denyFirst) == TokenRights.all.subtracting(.query))
        let allowFirst = SecurityDescriptor(
            owner: .user(0), group: .group(0),
            dacl: [AccessControlEntry(.user(2000), TokenRights.all), deny])
        #expect(AccessCheck.allowed(to: stranger, by: allowFirst) == TokenRights.all)
    }
}

@Suite struct AccessCheckEvaluationTests {
    let me = Identity(uid: 1000, gid: 1000, groups: [1000], capEffective: 0, capPermitted: 0)
    let mapping = GenericMapping(read: 1, write: 2, execute: 4, all: 7)
    func sd(owner: SecurityIdentifier = .system, _ dacl: [AccessControlEntry]?) -> SecurityDescriptor {
        SecurityDescriptor(owner: owner, group: .system, dacl: dacl)
    }
    func allow(_ sid: SecurityIdentifier, _ mask: UInt32) -> AccessControlEntry {
        AccessControlEntry(type: AccessControlEntry.allowedType, mask: mask, sid: sid)
    }
    func deny(_ sid: SecurityIdentifier, _ mask: UInt32) -> AccessControlEntry {
        AccessControlEntry(type: AccessControlEntry.deniedType, mask: mask, sid: sid)
    }

    @Test func null_dacl_grants_everything_and_empty_dacl_nothing() {
        let subject = AccessSubject(me)
        #expect(AccessCheck.evaluate(sd(nil), subject: subject, desired: 0x1234, mapping: mapping).granted == 0x1234)
        #expect(AccessCheck.evaluate(sd([]), subject: subject, desired: 1, mapping: mapping).status == .accessDenied)
        #expect(AccessCheck.evaluate(sd(nil), subject: subject, desired: 0, mapping: mapping).status == .accessDenied)
    }

    @Test func owner_rights_come_before_the_dacl() {
        let decision = AccessCheck.evaluate(
            sd(owner: .user(1000), [deny(.user(1000), AccessRights.readControl)]),
            subject: AccessSubject(me), desired: AccessRights.readControl, mapping: mapping)
        #expect(decision.granted == AccessRights.readControl)
    }

    @Test func restricting_sids_need_the_second_pass() {
        let restricted = AccessSubject(me, restrictions: TokenRestrictions(restricting: [.everyone]))
        let dacl = [allow(.user(1000), 1), allow(.everyone, 2)]
        #expect(
            AccessCheck.evaluate(sd(dacl), subject: restricted, desired: 1, mapping: mapping).status == .accessDenied)
        #expect(AccessCheck.evaluate(sd(dacl), subject: restricted, desired: 2, mapping: mapping).granted == 2)
    }

    @Test func deny_only_sids_match_deny_entries_only() {
        let subject = AccessSubject(me, restrictions: TokenRestrictions(denyOnly: [.everyone]))
        #expect(
            AccessCheck.evaluate(sd([allow(.everyone, 1)]), subject: subject, desired: 1, mapping: mapping).granted == 0
        )
        #expect(
            AccessCheck.evaluate(
                sd([deny(.everyone, 1), allow(.user(1000), 1)]), subject: subject, desired: 1,
                mapping: mapping
            ).granted == 0)
    }

    @Test func backup_reads_past_a_deny_all_dacl_and_is_recorded() {
        var backup = me
        backup.capEffective = Capability.bit(2)
        let decision = AccessCheck.evaluate(
            sd([deny(.user(1000), 7)]), subject: AccessSubject(backup), desired: 1,
            mapping: mapping)
        #expect(decision.granted == 1 && decision.privilegesUsed == [17])
        #expect(
            AccessCheck.evaluate(
                sd([deny(.user(1000), 7)]), subject: AccessSubject(backup), desired: 2,
                mapping: mapping
            ).status == .accessDenied)
    }

    @Test func the_own_identity_shortcut_agrees_with_the_full_check() {
        let identities = [
            me, Identity(uid: 0, gid: 0, groups: [0, 5], capEffective: ~0, capPermitted: ~0),
            Identity(
                uid: 7, gid: 8, groups: [9], capEffective: Capability.bit(2) | Capability.bit(0),
                capPermitted: ~0),
        ]
        let dacls: [[AccessControlEntry]?] = [
            Token.defaultDacl(user: 1000, creator: 0), Token.defaultDacl(user: 7, creator: 1000),
            [AccessControlEntry(.group(9), TokenRights.genericRead)],
            [AccessControlEntry(.group(5), TokenRights.query)], [],
            [
                AccessControlEntry(
                    type: AccessControlEntry.allowedType, mask: TokenRights.query.rawValue, sid: .ownerRights)
            ],
            [
                AccessControlEntry(
                    type: AccessControlEntry.allowedType, flags: AccessControlEntry.inheritOnly,
                    mask: TokenRights.query.rawValue, sid: .ownerRights)
            ],
        ]
        for identity in identities {
            for dacl in dacls {
                for owner: SecurityIdentifier in [.user(identity.uid), .user(4242), .group(identity.gid)] {
                    let descriptor = SecurityDescriptor(owner: owner, group: .group(0), dacl: dacl)
                    #expect(
                        AccessCheck.allowedToOwn(identity, restrictions: nil, descriptor: descriptor)
                            == AccessCheck.allowed(to: AccessSubject(identity), by: descriptor))
                }
            }
        }
    }

    @Test func a_tokens_descriptor_change_reaches_its_cached_check() {
        let token = Token(
            identity: me, kind: .impersonation, level: .impersonation,
            dacl: Token.defaultDacl(user: 1000, creator: 1000), origin: .copy)
        #expect(token.allowedToOwnIdentity == TokenRights.all)
        token.setDescriptor(owner: nil, group: nil, dacl: .some([AccessControlEntry(.user(1000), TokenRights.query)]))
        #expect(token.allowedToOwnIdentity == [.query, .readControl, .writeDac])
    }

    @Test func a_tokens_capability_change_reaches_its_cached_check() {
        let root = Identity(uid: 0, gid: 0, groups: [], capEffective: ~0, capPermitted: ~0)
        let token = Token(
            identity: root, kind: .impersonation, level: .impersonation, dacl: [], origin: .copy,
            descriptorOwner: .user(65534))
        #expect(token.allowedToOwnIdentity == TokenRights.all)
        token.adjustCapabilities(enable: 0, disable: ~0, remove: 0)
        #expect(token.allowedToOwnIdentity.isEmpty)
        token.adjustCapabilities(enable: ~0, disable: 0, remove: 0)
        #expect(token.allowedToOwnIdentity == TokenRights.all)
        token.adjustCapabilities(enable: 0, disable: 0, remove: ~0)
        #expect(token.allowedToOwnIdentity.isEmpty)
    }
}

@Suite struct CommandLineTests {
    func split(_ s: String) -> [String] { CommandLine.split(Array(s.utf8)).map { String(decoding: $0, as: UTF8.self) } }

    @Test func command_lines_split_as_windows_runtime_splits_them() {
        #expect(split("prog a  b") == ["prog", "a", "b"])
        #expect(split(#""C:\Program Files\x\" a"#) == [#"C:\Program Files\x\"#, "a"])
        #expect(split(#"p "a b" c"#) == ["p", "a b", "c"])
        #expect(split(#"p a\\\"b"#) == [#"p"#, #"a\"b"#])
        #expect(split(#"p a\\\\"b c""#) == ["p", #"a\\b c"#])
        #expect(split(#"p a\b"#) == ["p", #"a\b"#])
        #expect(split(#"p "a""b""#) == ["p", #"a"b"#])
        #expect(split(#"p """#) == ["p", ""])
        #expect(split("p\ta") == ["p", "a"])
    }
}
