import CHostSec

/// Windows privileges as sets of Linux capabilities. Every capability belongs to exactly one
/// privilege; SeChangeNotifyPrivilege needs none and every token holds it, enabled. A token
/// holds a privilege when its permitted set has any of the privilege's capabilities; the
/// privilege is enabled when all of those are in its effective set. Windows' privileges
/// without a Linux counterpart are known by name (LookupPrivilegeValue) and never held.
struct Privilege {
    let name: String
    /// LUID.LowPart (HighPart is 0): Windows' value for Windows' privileges, 0x100 + the
    /// capability number for the Linux-only ones.
    let luid: UInt32
    let capabilities: UInt64
    let displayName: String

    static let changeNotifyLuid: UInt32 = 23

    private static func caps(_ list: Int32...) -> UInt64 { list.reduce(0) { $0 | Capability.bit(UInt32($1)) } }

    /// Windows' privileges (LUIDs 2-36), with the capabilities each stands for.
    static let windows: [Privilege] = [
        Privilege(name: "SeCreateTokenPrivilege", luid: 2, capabilities: 0, displayName: "Create a token object"),
        Privilege(
            name: "SeAssignPrimaryTokenPrivilege", luid: 3, capabilities: 0,
            displayName: "Replace a process level token"),
        Privilege(
            name: "SeLockMemoryPrivilege", luid: 4, capabilities: caps(CAP_IPC_LOCK),
            displayName: "Lock pages in memory"),
        Privilege(
            name: "SeIncreaseQuotaPrivilege", luid: 5, capabilities: caps(CAP_SYS_RESOURCE),
            displayName: "Adjust memory quotas for a process"),
        Privilege(
            name: "SeMachineAccountPrivilege", luid: 6, capabilities: 0, displayName: "Add workstations to domain"),
        Privilege(
            name: "SeTcbPrivilege", luid: 7, capabilities: caps(CAP_SETPCAP),
            displayName: "Act as part of the operating system"),
        Privilege(
            name: "SeSecurityPrivilege", luid: 8, capabilities: caps(CAP_AUDIT_CONTROL, CAP_AUDIT_READ),
            displayName: "Manage auditing and security log"),
        Privilege(
            name: "SeTakeOwnershipPrivilege", luid: 9, capabilities: 0,
            displayName: "Take ownership of files or other objects"),
        Privilege(
            name: "SeLoadDriverPrivilege", luid: 10, capabilities: caps(CAP_SYS_MODULE),
            displayName: "Load and unload device drivers"),
        Privilege(
            name: "SeSystemProfilePrivilege", luid: 11, capabilities: caps(CAP_PERFMON),
            displayName: "Profile system performance"),
        Privilege(
            name: "SeSystemtimePrivilege", luid: 12, capabilities: caps(CAP_SYS_TIME),
            displayName: "Change the system time"),
        Privilege(
            name: "SeProfileSingleProcessPrivilege", luid: 13, capabilities: 0, displayName: "Profile single process"),
        Privilege(
            name: "SeIncreaseBasePriorityPrivilege", luid: 14, capabilities: caps(CAP_SYS_NICE),
            displayName: "Increase scheduling priority"),
        Privilege(name: "SeCreatePagefilePrivilege", luid: 15, capabilities: 0, displayName: "Create a pagefile"),
        Privilege(
            name: "SeCreatePermanentPrivilege", luid: 16, capabilities: 0,
            displayName: "Create permanent shared objects"),
        Privilege(
            name: "SeBackupPrivilege", luid: 17, capabilities: caps(CAP_DAC_READ_SEARCH),
            displayName: "Back up files and directories"),
        Privilege(
            name: "SeRestorePrivilege", luid: 18, capabilities: caps(CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER),
            displayName: "Restore files and directories"),
        Privilege(
            name: "SeShutdownPrivilege", luid: 19, capabilities: caps(CAP_SYS_BOOT), displayName: "Shut down the system"
        ),
        Privilege(
            name: "SeDebugPrivilege", luid: 20, capabilities: caps(CAP_SYS_PTRACE), displayName: "Debug programs"),
        Privilege(
            name: "SeAuditPrivilege", luid: 21, capabilities: caps(CAP_AUDIT_WRITE),
            displayName: "Generate security audits"),
        Privilege(
            name: "SeSystemEnvironmentPrivilege", luid: 22, capabilities: 0,
            displayName: "Modify firmware environment values"),
        Privilege(name: "SeChangeNotifyPrivilege", luid: 23, capabilities: 0, displayName: "Bypass traverse checking"),
        Privilege(
            name: "SeRemoteShutdownPrivilege", luid: 24, capabilities: 0,
            displayName: "Force shutdown from a remote system"),
        Privilege(
            name: "SeUndockPrivilege", luid: 25, capabilities: 0, displayName: "Remove computer from docking station"),
        Privilege(
            name: "SeSyncAgentPrivilege", luid: 26, capabilities: 0, displayName: "Synchronize directory service data"),
        Privilege(
            name: "SeEnableDelegationPrivilege", luid: 27, capabilities: 0,
            displayName: "Enable computer and user accounts to be trusted for delegation"),
        Privilege(
            name: "SeManageVolumePrivilege", luid: 28, capabilities: 0, displayName: "Perform volume maintenance tasks"),
        Privilege(
            name: "SeImpersonatePrivilege", luid: 29, capabilities: caps(CAP_SETGID, CAP_SETUID),
            displayName: "Impersonate a client after authentication"),
        Privilege(name: "SeCreateGlobalPrivilege", luid: 30, capabilities: 0, displayName: "Create global objects"),
        Privilege(
            name: "SeTrustedCredManAccessPrivilege", luid: 31, capabilities: 0,
            displayName: "Access Credential Manager as a trusted caller"),
        Privilege(
            name: "SeRelabelPrivilege", luid: 32, capabilities: caps(CAP_MAC_OVERRIDE, CAP_MAC_ADMIN),
            displayName: "Modify an object label"),
        Privilege(
            name: "SeIncreaseWorkingSetPrivilege", luid: 33, capabilities: 0,
            displayName: "Increase a process working set"),
        Privilege(name: "SeTimeZonePrivilege", luid: 34, capabilities: 0, displayName: "Change the time zone"),
        Privilege(
            name: "SeCreateSymbolicLinkPrivilege", luid: 35, capabilities: 0, displayName: "Create symbolic links"),
        Privilege(
            name: "SeDelegateSessionUserImpersonatePrivilege", luid: 36, capabilities: 0,
            displayName: "Obtain an impersonation token for another user in the same session"),
    ]

    /// Capabilities Windows has no privilege for: a privilege each, named after it.
    static let linuxOnly: [(Int32, String, String)] = [
        (
            CAP_FSETID, "SeLinuxFsetidPrivilege",
            "Keep set-user-ID and set-group-ID bits when modifying files (CAP_FSETID)"
        ),
        (CAP_KILL, "SeLinuxKillPrivilege", "Send signals to any process (CAP_KILL)"),
        (
            CAP_LINUX_IMMUTABLE, "SeLinuxImmutablePrivilege",
            "Set the immutable and append-only file attributes (CAP_LINUX_IMMUTABLE)"
        ),
        (CAP_NET_BIND_SERVICE, "SeLinuxNetBindServicePrivilege", "Bind to ports below 1024 (CAP_NET_BIND_SERVICE)"),
        (CAP_NET_BROADCAST, "SeLinuxNetBroadcastPrivilege", "Broadcast and listen to multicast (CAP_NET_BROADCAST)"),
        (CAP_NET_ADMIN, "SeLinuxNetAdminPrivilege", "Administer the network (CAP_NET_ADMIN)"),
        (CAP_NET_RAW, "SeLinuxNetRawPrivilege", "Use raw and packet sockets (CAP_NET_RAW)"),
        (CAP_IPC_OWNER, "SeLinuxIpcOwnerPrivilege", "Bypass permission checks on IPC objects (CAP_IPC_OWNER)"),
        (CAP_SYS_RAWIO, "SeLinuxSysRawioPrivilege", "Perform raw I/O (CAP_SYS_RAWIO)"),
        (CAP_SYS_CHROOT, "SeLinuxSysChrootPrivilege", "Change the root directory (CAP_SYS_CHROOT)"),
        (CAP_SYS_PACCT, "SeLinuxSysPacctPrivilege", "Switch process accounting (CAP_SYS_PACCT)"),
        (CAP_SYS_ADMIN, "SeLinuxSysAdminPrivilege", "Perform system administration (CAP_SYS_ADMIN)"),
        (CAP_SYS_TTY_CONFIG, "SeLinuxSysTtyConfigPrivilege", "Configure terminals (CAP_SYS_TTY_CONFIG)"),
        (CAP_MKNOD, "SeLinuxMknodPrivilege", "Create device files (CAP_MKNOD)"),
        (CAP_LEASE, "SeLinuxLeasePrivilege", "Take leases on any file (CAP_LEASE)"),
        (CAP_SETFCAP, "SeLinuxSetfcapPrivilege", "Set file capabilities (CAP_SETFCAP)"),
        (CAP_SYSLOG, "SeLinuxSyslogPrivilege", "Use the kernel log (CAP_SYSLOG)"),
        (CAP_WAKE_ALARM, "SeLinuxWakeAlarmPrivilege", "Set alarms that wake the system (CAP_WAKE_ALARM)"),
        (CAP_BLOCK_SUSPEND, "SeLinuxBlockSuspendPrivilege", "Block system suspend (CAP_BLOCK_SUSPEND)"),
        (CAP_BPF, "SeLinuxBpfPrivilege", "Use BPF (CAP_BPF)"),
        (
            CAP_CHECKPOINT_RESTORE, "SeLinuxCheckpointRestorePrivilege",
            "Checkpoint and restore processes (CAP_CHECKPOINT_RESTORE)"
        ),
    ]

    /// Every privilege, Windows' first (by LUID), then one per remaining capability number up
    /// to 63 (capabilities a newer kernel may add are named SeLinuxCapability<N>Privilege).
    static let all: [Privilege] = {
        var list = windows
        var covered = windows.reduce(UInt64(0)) { $0 | $1.capabilities }
        for (number, name, display) in linuxOnly {
            let cap = UInt32(number)
            list.append(
                Privilege(name: name, luid: 0x100 + cap, capabilities: Capability.bit(cap), displayName: display))
            covered |= Capability.bit(cap)
        }
        for cap in UInt32(0)..<64 where covered & Capability.bit(cap) == 0 {
            list.append(
                Privilege(
                    name: "SeLinuxCapability\(cap)Privilege", luid: 0x100 + cap,
                    capabilities: Capability.bit(cap), displayName: "Linux capability \(cap)"))
        }
        return list
    }()

    static func byLuid(low: UInt32, high: Int32) -> Privilege? {
        high == 0 ? all.first { $0.luid == low } : nil
    }

    /// By name, without regard to ASCII case (as Windows matches privilege names).
    static func byName(_ name: [UInt8]) -> Privilege? {
        let lowered = name.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return all.first { Array($0.name.lowercased().utf8) == lowered }
    }

    /// A privilege's state in a token.
    struct State {
        let privilege: Privilege
        let enabled: Bool
        let enabledByDefault: Bool
        var attributes: UInt32 { Self.attributes(enabled: enabled, byDefault: enabledByDefault) }

        /// SE_PRIVILEGE_ENABLED and SE_PRIVILEGE_ENABLED_BY_DEFAULT as they apply.
        static func attributes(enabled: Bool, byDefault: Bool) -> UInt32 {
            (enabled ? UInt32(SE_PRIVILEGE_ENABLED) : 0) | (byDefault ? UInt32(SE_PRIVILEGE_ENABLED_BY_DEFAULT) : 0)
        }
    }

    /// The privileges an identity holds, in LUID order: SeChangeNotifyPrivilege always
    /// (enabled, by default), and each privilege one of whose capabilities is permitted.
    /// `made` is the identity as the token was made: what is enabled by default.
    static func held(by identity: Identity, made: Identity) -> [State] {
        var states: [State] = []
        for p in all {
            if p.luid == changeNotifyLuid {
                states.append(State(privilege: p, enabled: true, enabledByDefault: true))
                continue
            }
            let have = p.capabilities & identity.capPermitted
            guard have != 0 else { continue }
            let byDefault =
                made.capPermitted & p.capabilities != 0
                && (made.capPermitted & p.capabilities) & ~made.capEffective == 0
            states.append(State(privilege: p, enabled: have & ~identity.capEffective == 0, enabledByDefault: byDefault))
        }
        return states
    }
}
