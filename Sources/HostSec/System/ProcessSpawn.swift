import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// HostSec_SpawnAsUser: a child process with exactly a token's credentials. The credential
/// change itself is `hs_spawn`'s (C, raw system calls in the child between fork and execve);
/// here the token becomes the request, prepared before the fork.
extension HostSecurity {
    /// The capability sets a child of `identity` gets (see hostsec.h): uid 0 keeps the
    /// token's permitted set (root's programs start with it effective); any other uid carries
    /// the enabled privileges as permitted, effective, inheritable and ambient, so they
    /// survive execve. The bounding set is the token's permitted set either way.
    static func childCapabilities(_ identity: Identity) -> (
        effective: UInt64, permitted: UInt64, inheritable: UInt64,
        ambient: UInt64, bounding: UInt64
    ) {
        if identity.uid == .root {
            return (identity.capEffective, identity.capPermitted, 0, 0, identity.capPermitted)
        }
        let enabled = identity.capEffective & identity.capPermitted
        return (enabled, enabled, enabled, enabled, identity.capPermitted)
    }

    public func spawnAsUser(
        _ handle: TokenHandle, path: UnsafePointer<CChar>,
        argv: UnsafePointer<UnsafeMutablePointer<CChar>?>,
        envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
        directory: UnsafePointer<CChar>? = nil,
        closeDescriptors: Bool = true
    ) throws(HostSecError) -> pid_t {
        try ensureOpen()
        let (token, rights) = try handles.lookup(handle)
        if token.kind != .primary { throw .badTokenType }
        if !rights.isSuperset(of: [.assignPrimary, .duplicate, .query]) { throw .accessDenied }
        let me = selfCredentials(try threadState())
        let identity = token.currentIdentity
        guard identity.isRepresentable else { throw .invalidArg }
        let caps = Self.childCapabilities(identity)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let emptyEnvironment: [UnsafeMutablePointer<CChar>?] = [nil]
        var pid: pid_t = 0
        let error: Int32 = identity.groups.withRawValues { groups in
            me.groups.withRawValues { selfGroups in
                emptyEnvironment.withUnsafeBufferPointer { empty in
                    var request = hs_spawn_request(
                        self_ruid: me.ruid.rawValue, self_euid: me.euid.rawValue, self_suid: me.suid.rawValue,
                        self_rgid: me.rgid.rawValue, self_egid: me.egid.rawValue, self_sgid: me.sgid.rawValue,
                        self_groups: selfGroups.baseAddress, self_ngroups: selfGroups.count,
                        self_effective: me.caps.effective, self_permitted: me.caps.permitted,
                        self_inheritable: me.caps.inheritable,
                        uid: identity.uid.rawValue, gid: identity.gid.rawValue, groups: groups.baseAddress,
                        ngroups: groups.count,
                        effective: caps.effective, permitted: caps.permitted, inheritable: caps.inheritable,
                        ambient: caps.ambient, bounding: caps.bounding, path: path,
                        argv: UnsafeMutableRawPointer(mutating: argv).assumingMemoryBound(
                            to: UnsafeMutablePointer<CChar>?.self),
                        envp: UnsafeMutableRawPointer(mutating: envp ?? empty.baseAddress!)
                            .assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self),
                        directory: directory, close_descriptors: closeDescriptors,
                        max_fd: Int32(clamping: min(limit.rlim_cur, 1 << 20)))
                    return hs_spawn(&request, &pid)
                }
            }
        }
        switch error {
        case 0: return pid
        case EPERM, EACCES: throw .accessDenied
        case ENOENT, ENOTDIR: throw HostSecError(HResult.fileNotFound)
        case ENOEXEC: throw HostSecError(HResult.badExeFormat)
        case ENOMEM, EAGAIN: throw .outOfMemory
        case EINVAL: throw .invalidArg
        default: throw .unexpected
        }
    }
}
