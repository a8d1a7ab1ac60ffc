import Foundation
import Testing
@testable import HostSec
import HostSecTestSupport

/// Uids and gids are types of their own (`UserID`, `GroupID`): they keep their value through
/// SIDs and the syscall seam, and `(uid_t)-1` is still refused before any syscall.
struct CredentialIDTests {
    @Test func user_and_group_ids_round_trip_through_raw_values_sids_and_the_kernel() {
        let uid = UserID(rawValue: 65534), gid = GroupID(rawValue: 4242)
        #expect(uid.rawValue == 65534 && gid.rawValue == 4242 && uid == 65534 && gid == 4242)
        #expect("\(uid) \(gid)" == "65534 4242" && [GroupID(7), 3, 5].sorted() == [3, 5, 7])
        #expect(SecurityIdentifier.user(uid).unixUser == uid && SecurityIdentifier.group(gid).unixGroup == gid)
        #expect(SecurityIdentifier.user(uid).unixGroup == nil && SecurityIdentifier.group(gid).unixUser == nil)
        #expect(SecurityIdentifier.user(uid).string == "S-1-22-1-65534")
        let kernelAgrees = onFreshThread { () -> Bool in
            let sys = KernelCredentialSyscalls()
            guard let (ruid, euid, _) = try? sys.getresuid(), let (rgid, egid, _) = try? sys.getresgid(),
                let groups = try? sys.getgroups()
            else { return false }
            var raw = [gid_t](repeating: 0, count: Int(getgroups(0, nil)))
            raw.removeLast(raw.count - Int(getgroups(Int32(raw.count), &raw)))
            let same =
                ruid.rawValue == getuid() && euid.rawValue == geteuid() && rgid.rawValue == getgid()
                && egid.rawValue == getegid() && groups.map(\.rawValue) == raw
                && sys.setfsuid(.unrepresentable) == euid && sys.setfsgid(.unrepresentable) == egid
            // Setting the list the thread holds changes nothing and reads back the same.
            guard privileged else { return same }
            return same && (try? sys.setgroups(groups)) != nil && (try? sys.getgroups()) == groups
        }
        #expect(kernelAgrees)
    }

    @Test func each_thread_and_account_has_its_own_reserved_real_uid_and_only_those_are_reserved() {
        typealias Switch = KernelCredentialSwitch
        var seen = Set<UInt32>()
        for nonce: UInt64 in [1, 2, 0xDEAD_BEEF, .max] {
            for account: UserID in [0, 1, 65534, 1000, 1001, 0xFFFF_FFFE] {
                let uid = Switch.impersonationRealUid(nonce: nonce, account: account)
                #expect(
                    Switch.isReservedRealUid(uid) && uid == Switch.impersonationRealUid(nonce: nonce, account: account))
                seen.insert(uid.rawValue)
            }
        }
        #expect(seen.count == 24)  // every thread key and account its own
        #expect(Switch.isReservedRealUid(0xF000_0000) && Switch.isReservedRealUid(0xFFFF_FFFD))
        for uid: UserID in [0xEFFF_FFFF, 0xFFFF_FFFE, 65534] {
            #expect(!Switch.isReservedRealUid(uid))
            #expect(Identity(uid: uid, gid: 0, groups: [0], capEffective: 0, capPermitted: 0).isRepresentable)
        }
    }

    @Test func an_unrepresentable_uid_or_gid_is_refused_before_any_syscall() {
        #expect(UserID.unrepresentable.rawValue == UInt32.max && !UserID.unrepresentable.isRepresentable)
        #expect(GroupID.unrepresentable.rawValue == UInt32.max && !GroupID.unrepresentable.isRepresentable)
        #expect(UserID.root.isRepresentable && GroupID(rawValue: UInt32.max - 1).isRepresentable)
        let identities = [
            Identity(uid: .unrepresentable, gid: 0, groups: [0], capEffective: 0, capPermitted: 0),
            Identity(uid: 0, gid: .unrepresentable, groups: [0], capEffective: 0, capPermitted: 0),
            Identity(uid: 0, gid: 0, groups: [0, .unrepresentable], capEffective: 0, capPermitted: 0),
            // The reserved real uids of impersonating threads, first and last: an account of such
            // a uid could signal the thread whose real uid it is (ADV3-01, ADV3-02).
            Identity(uid: 0xF000_0000, gid: 0, groups: [0], capEffective: 0, capPermitted: 0),
            Identity(uid: 0xFFFF_FFFD, gid: 0, groups: [0], capEffective: 0, capPermitted: 0),
        ]
        for identity in identities {
            #expect(!identity.isRepresentable)
            let refusedAndUnchanged = onFreshThread { () -> Bool in
                let before = kernelNow()
                do throws(KernelCredentialSwitch.ApplyFailure) {
                    _ = try KernelCredentialSwitch(sys: KernelCredentialSyscalls()).apply(identity, over: before)
                    return false
                } catch {
                    guard case .refused(let failure) = error else { return false }
                    return failure == SyscallFailure(.setresuid, EINVAL) && kernelNow() == before
                }
            }
            #expect(refusedAndUnchanged, "\(identity)")
        }
    }
}
