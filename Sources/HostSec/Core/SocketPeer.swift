import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// Clients as users: the peer of a connected Unix domain socket as a token (Windows'
/// ImpersonateNamedPipeClient on Linux), from what the kernel recorded at connect time.
extension Engine {
    /// The peer's uid, gid and supplementary groups, or the error hostsec.h documents.
    static func socketPeer(_ fd: Int32) throws(HostSecError) -> Identity {
        var pid: Int32 = 0, uid: UInt32 = 0, gid: UInt32 = 0
        switch hs_peer_cred(fd, &pid, &uid, &gid) {
        case 0: break
        case EBADF, ENOTSOCK: throw .handle
        default: throw HostSecError(HResult.cannotImpersonate)
        }
        // An unconnected Unix socket answers with no process and ids -1.
        guard pid != 0, UserID(rawValue: uid).isRepresentable, GroupID(rawValue: gid).isRepresentable else {
            throw HostSecError(HResult.cannotImpersonate)
        }
        var groups = [UInt32](repeating: 0, count: 64)
        while true {
            var count = UInt32(groups.count)
            let error = hs_peer_groups(fd, &groups, &count)
            if error == 0 {
                groups.removeLast(groups.count - Int(count))
                break
            }
            if error == ERANGE, Int(count) > groups.count, count < 1 << 18 {
                groups = [UInt32](repeating: 0, count: Int(count))
                continue
            }
            if error == ENOMEM { throw .outOfMemory }
            throw HostSecError(HResult.cannotImpersonate)
        }
        let identity = Identity(
            uid: UserID(rawValue: uid), gid: GroupID(rawValue: gid), groups: groups.map(GroupID.init),
            capEffective: 0, capPermitted: 0)
        guard identity.isRepresentable else { throw HostSecError(HResult.cannotImpersonate) }
        return identity
    }

    /// The peer as an impersonation token at SecurityImpersonation whose DACL grants the peer
    /// and the caller's current identity.
    func socketClientToken(_ fd: Int32) throws(HostSecError) -> (Token, ThreadState) {
        try ensureOpen()
        let identity = try Self.socketPeer(fd)
        let state = try threadState()
        let token = Token(
            identity: identity, kind: .impersonation, level: .impersonation,
            dacl: Token.defaultDacl(user: identity.uid, creator: try creator(state)), origin: .socketPeer)
        return (token, state)
    }

    /// `HostSec_OpenSocketClientToken`.
    package func openSocketClientToken(_ fd: Int32, desiredAccess: TokenRights) throws(HostSecError) -> TokenHandle {
        let (token, state) = try socketClientToken(fd)
        let granted = try AccessCheck.check(
            desired: desiredAccess, subject: currentSubject(state),
            descriptor: token.descriptor)
        return try handles.insert(token, rights: granted)
    }

    /// `HostSec_ImpersonateSocketClient`.
    package func impersonateSocketClient(_ fd: Int32) throws(HostSecError) {
        let (token, state) = try socketClientToken(fd)
        try assign(token, to: state)
    }
}
