import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// HostSec_SpawnAsUser: a child process with exactly a token's credentials. The credential
/// change itself is `hs_spawn`'s (C, raw system calls in the child between fork and execve);
/// here the token becomes the request, prepared before the fork.
/// A child `spawnAsUser` started: its pid, and a pidfd made by the clone that made it (-1 on a
/// kernel without `CLONE_PIDFD`), which names that child even once its pid is another
/// process's. The caller owns the pidfd.
package struct SpawnedChild: Sendable {
    package let pid: pid_t
    package let pidfd: Int32
}

extension Engine {
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

    /// What the child gets at descriptors 0-2 and where it starts: `HostSec_SpawnAsUser` keeps
    /// the caller's own 0-2 that are a terminal, a pipe or a socket; `CreateProcessAsUserA`
    /// passes descriptors or `/dev/null` (hostsec.h, hostsec_win32.h).
    package struct ChildStart {
        /// Descriptors 0, 1, 2: `HS_STDIO_*` or a descriptor of the caller.
        package var stdio: (Int32, Int32, Int32) = (HS_STDIO_PASSED, HS_STDIO_PASSED, HS_STDIO_PASSED)
        /// A terminal left at 0-2 becomes `/dev/null` (DETACHED_PROCESS, CREATE_NO_WINDOW).
        package var detachTerminal = false
        /// The working folder; nil: the account's home folder, or "/" when it may not enter it.
        package var directory: UnsafePointer<CChar>? = nil
        /// Every descriptor but 0-2 closes at exec.
        package var closeDescriptors = true
        package init() {}
    }

    package func spawnAsUser(
        _ handle: TokenHandle, path: UnsafePointer<CChar>,
        argv: UnsafePointer<UnsafeMutablePointer<CChar>?>,
        envp: UnsafePointer<UnsafeMutablePointer<CChar>?>?,
        start: ChildStart = ChildStart()
    ) throws(HostSecError) -> SpawnedChild {
        try ensureOpen()
        let (token, rights) = try handles.lookup(handle)
        if token.kind != .primary { throw .badTokenType }
        if !rights.isSuperset(of: [.assignPrimary, .duplicate, .query]) { throw .accessDenied }
        let me = selfCredentials(try threadState())
        let identity = token.currentIdentity
        guard identity.isRepresentable else { throw .invalidArg }
        // Restricting and deny-only SIDs have no kernel form: a child could do more than the
        // token (TokenRestrictions.kernelCanHold).
        if token.restrictions?.kernelCanHold == false { throw HostSecError(HResult.notSupported) }
        let lostPrivileges = token.restrictions != nil || token.identity.capPermitted & ~identity.capPermitted != 0
        let caps = Self.childCapabilities(identity)
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
        let emptyEnvironment: [UnsafeMutablePointer<CChar>?] = [nil]
        // The program as the calling thread resolves it now: the child runs this very file.
        let program = hs_open_program(path)
        if program < 0 { throw Self.spawnError(errno) }
        defer { close(program) }
        let entryHome = start.directory == nil ? Accounts.loginEntry(identity.uid)?.home ?? [] : []
        let home = (entryHome.isEmpty ? Array("/".utf8) : entryHome).map(CChar.init(bitPattern:)) + [0]
        var pid: pid_t = 0
        var pidfd: Int32 = -1
        let error: Int32 = identity.groups.withRawValues { groups in
            me.groups.withRawValues { selfGroups in
                emptyEnvironment.withUnsafeBufferPointer { empty in
                    home.withUnsafeBufferPointer { home in
                        var request = hs_spawn_request(
                            self_ruid: me.ruid.rawValue, self_euid: me.euid.rawValue, self_suid: me.suid.rawValue,
                            self_rgid: me.rgid.rawValue, self_egid: me.egid.rawValue, self_sgid: me.sgid.rawValue,
                            self_groups: selfGroups.baseAddress, self_ngroups: selfGroups.count,
                            self_effective: me.caps.effective, self_permitted: me.caps.permitted,
                            self_inheritable: me.caps.inheritable,
                            uid: identity.uid.rawValue, gid: identity.gid.rawValue, groups: groups.baseAddress,
                            ngroups: groups.count,
                            effective: caps.effective, permitted: caps.permitted, inheritable: caps.inheritable,
                            ambient: caps.ambient, bounding: caps.bounding, no_new_privs: lostPrivileges,
                            program: program,
                            argv: UnsafeMutableRawPointer(mutating: argv).assumingMemoryBound(
                                to: UnsafeMutablePointer<CChar>?.self),
                            envp: UnsafeMutableRawPointer(mutating: envp ?? empty.baseAddress!)
                                .assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self),
                            directory: start.directory ?? home.baseAddress!,
                            directory_or_root: start.directory == nil,
                            stdio: start.stdio, detach_terminal: start.detachTerminal,
                            close_descriptors: start.closeDescriptors,
                            max_fd: Int32(clamping: min(limit.rlim_cur, 1 << 20)))
                        return hs_spawn(&request, &pid, &pidfd)
                    }
                }
            }
        }
        if error != 0 { throw Self.spawnError(error) }
        return SpawnedChild(pid: pid, pidfd: pidfd)
    }

    /// The result for an errno of the program's open, the fork, or the child before exec.
    static func spawnError(_ error: Int32) -> HostSecError {
        switch error {
        case EPERM, EACCES: return .accessDenied
        case ENOENT, ENOTDIR, ELOOP, ENAMETOOLONG: return HostSecError(HResult.fileNotFound)
        case ENOEXEC: return HostSecError(HResult.badExeFormat)
        case ENOMEM, EAGAIN: return .outOfMemory
        case EINVAL: return .invalidArg
        default: return .unexpected
        }
    }
}
