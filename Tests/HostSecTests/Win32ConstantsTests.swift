import Testing
@testable import HostSec
import CHostSec

/// The Win32 face reads its constants and structure layouts from hostsec.h and
/// hostsec_win32.h. These tests hold what it reads to Windows' documented values (winerror.h,
/// winnt.h, winbase.h, processthreadsapi.h; 64-bit layouts), as `HResultTests` holds the
/// HRESULTs to the header's table: a wrong value in a header, or a layout the face computes
/// differently from Windows', fails here.
struct Win32ConstantsTests {
    /// (name, the header's value, Windows' documented value).
    static func rows(_ rows: [(String, Int, Int)]) {
        for (name, header, windows) in rows { #expect(header == windows, "\(name)") }
    }

    @Test func error_codes_are_windows_values() {
        Self.rows([
            ("ERROR_SUCCESS", ERROR_SUCCESS, 0), ("ERROR_FILE_NOT_FOUND", ERROR_FILE_NOT_FOUND, 2),
            ("ERROR_ACCESS_DENIED", ERROR_ACCESS_DENIED, 5), ("ERROR_INVALID_HANDLE", ERROR_INVALID_HANDLE, 6),
            ("ERROR_NOT_ENOUGH_MEMORY", ERROR_NOT_ENOUGH_MEMORY, 8), ("ERROR_NOT_SUPPORTED", ERROR_NOT_SUPPORTED, 50),
            ("ERROR_INVALID_PARAMETER", ERROR_INVALID_PARAMETER, 87),
            ("ERROR_INSUFFICIENT_BUFFER", ERROR_INSUFFICIENT_BUFFER, 122),
            ("ERROR_BAD_EXE_FORMAT", ERROR_BAD_EXE_FORMAT, 193), ("ERROR_NOACCESS", ERROR_NOACCESS, 998),
            ("ERROR_NO_TOKEN", ERROR_NO_TOKEN, 1008), ("ERROR_NOT_ALL_ASSIGNED", ERROR_NOT_ALL_ASSIGNED, 1300),
            ("ERROR_UNKNOWN_REVISION", ERROR_UNKNOWN_REVISION, 1305),
            ("ERROR_REVISION_MISMATCH", ERROR_REVISION_MISMATCH, 1306),
            ("ERROR_INVALID_OWNER", ERROR_INVALID_OWNER, 1307),
            ("ERROR_INVALID_PRIMARY_GROUP", ERROR_INVALID_PRIMARY_GROUP, 1308),
            ("ERROR_NO_IMPERSONATION_TOKEN", ERROR_NO_IMPERSONATION_TOKEN, 1309),
            ("ERROR_NO_LOGON_SERVERS", ERROR_NO_LOGON_SERVERS, 1311),
            ("ERROR_NO_SUCH_PRIVILEGE", ERROR_NO_SUCH_PRIVILEGE, 1313),
            ("ERROR_PRIVILEGE_NOT_HELD", ERROR_PRIVILEGE_NOT_HELD, 1314),
            ("ERROR_LOGON_FAILURE", ERROR_LOGON_FAILURE, 1326),
            ("ERROR_PASSWORD_EXPIRED", ERROR_PASSWORD_EXPIRED, 1330),
            ("ERROR_ACCOUNT_DISABLED", ERROR_ACCOUNT_DISABLED, 1331), ("ERROR_NONE_MAPPED", ERROR_NONE_MAPPED, 1332),
            ("ERROR_INVALID_ACL", ERROR_INVALID_ACL, 1336), ("ERROR_INVALID_SID", ERROR_INVALID_SID, 1337),
            ("ERROR_INVALID_SECURITY_DESCR", ERROR_INVALID_SECURITY_DESCR, 1338),
            ("ERROR_ALLOTTED_SPACE_EXCEEDED", ERROR_ALLOTTED_SPACE_EXCEEDED, 1344),
            ("ERROR_BAD_IMPERSONATION_LEVEL", ERROR_BAD_IMPERSONATION_LEVEL, 1346),
            ("ERROR_CANT_OPEN_ANONYMOUS", ERROR_CANT_OPEN_ANONYMOUS, 1347),
            ("ERROR_BAD_TOKEN_TYPE", ERROR_BAD_TOKEN_TYPE, 1349), ("ERROR_INTERNAL_ERROR", ERROR_INTERNAL_ERROR, 1359),
            ("ERROR_GENERIC_NOT_MAPPED", ERROR_GENERIC_NOT_MAPPED, 1360),
            ("ERROR_BAD_DESCRIPTOR_FORMAT", ERROR_BAD_DESCRIPTOR_FORMAT, 1361),
            ("ERROR_CANNOT_IMPERSONATE", ERROR_CANNOT_IMPERSONATE, 1368),
            ("ERROR_LOGON_TYPE_NOT_GRANTED", ERROR_LOGON_TYPE_NOT_GRANTED, 1385),
            ("ERROR_ACCOUNT_EXPIRED", ERROR_ACCOUNT_EXPIRED, 1793),
            ("ERROR_INVALID_OPERATION", ERROR_INVALID_OPERATION, 4317),
        ])
    }

    @Test func core_failures_become_the_documented_win32_errors() {
        #expect(win32Error(.pointer) == ERROR_NOACCESS)
        #expect(win32Error(.outOfMemory) == ERROR_NOT_ENOUGH_MEMORY)
        #expect(win32Error(.accessDenied) == ERROR_ACCESS_DENIED)
        #expect(win32Error(.handle) == ERROR_INVALID_HANDLE)
        #expect(win32Error(.invalidArg) == ERROR_INVALID_PARAMETER)
        #expect(win32Error(.closed) == ERROR_INTERNAL_ERROR && win32Error(.fail) == ERROR_INTERNAL_ERROR)
        #expect(win32Error(.unexpected) == ERROR_INTERNAL_ERROR)
        #expect(win32Error(HostSecError(HResult.invalidOperation)) == ERROR_INVALID_OPERATION)
        // The errors of the core's Win32-only checks carry their Win32 codes.
        #expect(win32Error(.noImpersonationToken) == ERROR_NO_IMPERSONATION_TOKEN)
        #expect(win32Error(.invalidSecurityDescriptor) == ERROR_INVALID_SECURITY_DESCR)
        #expect(win32Error(.genericNotMapped) == ERROR_GENERIC_NOT_MAPPED)
        #expect(win32Error(.invalidOwner) == ERROR_INVALID_OWNER)
        #expect(win32Error(.invalidPrimaryGroup) == ERROR_INVALID_PRIMARY_GROUP)
        #expect(win32Error(.invalidSid) == ERROR_INVALID_SID)
    }

    @Test func token_information_classes_are_windows_values() {
        Self.rows([
            ("TokenUser", Int(TokenUser.rawValue), 1), ("TokenGroups", Int(TokenGroups.rawValue), 2),
            ("TokenPrivileges", Int(TokenPrivileges.rawValue), 3), ("TokenOwner", Int(TokenOwner.rawValue), 4),
            ("TokenPrimaryGroup", Int(TokenPrimaryGroup.rawValue), 5), ("TokenSource", Int(TokenSource.rawValue), 7),
            ("TokenType", Int(TokenType.rawValue), 8),
            ("TokenImpersonationLevel", Int(TokenImpersonationLevel.rawValue), 9),
            ("TokenStatistics", Int(TokenStatistics.rawValue), 10),
            ("TokenRestrictedSids", Int(TokenRestrictedSids.rawValue), 11),
        ])
    }

    @Test func attributes_and_flags_are_windows_values() {
        Self.rows([
            ("SE_PRIVILEGE_ENABLED_BY_DEFAULT", SE_PRIVILEGE_ENABLED_BY_DEFAULT, 0x1),
            ("SE_PRIVILEGE_ENABLED", SE_PRIVILEGE_ENABLED, 0x2), ("SE_PRIVILEGE_REMOVED", SE_PRIVILEGE_REMOVED, 0x4),
            ("SE_PRIVILEGE_USED_FOR_ACCESS", SE_PRIVILEGE_USED_FOR_ACCESS, 0x8000_0000),
            ("PRIVILEGE_SET_ALL_NECESSARY", Int(PRIVILEGE_SET_ALL_NECESSARY), 1),
            ("SE_GROUP_MANDATORY", SE_GROUP_MANDATORY, 0x1),
            ("SE_GROUP_ENABLED_BY_DEFAULT", SE_GROUP_ENABLED_BY_DEFAULT, 0x2),
            ("SE_GROUP_ENABLED", SE_GROUP_ENABLED, 0x4), ("SE_GROUP_OWNER", SE_GROUP_OWNER, 0x8),
            ("SE_GROUP_USE_FOR_DENY_ONLY", SE_GROUP_USE_FOR_DENY_ONLY, 0x10),
            ("OWNER_SECURITY_INFORMATION", OWNER_SECURITY_INFORMATION, 0x1),
            ("GROUP_SECURITY_INFORMATION", GROUP_SECURITY_INFORMATION, 0x2),
            ("DACL_SECURITY_INFORMATION", DACL_SECURITY_INFORMATION, 0x4),
            ("SACL_SECURITY_INFORMATION", SACL_SECURITY_INFORMATION, 0x8),
            ("LOGON32_LOGON_INTERACTIVE", Int(LOGON32_LOGON_INTERACTIVE), 2),
            ("LOGON32_LOGON_NETWORK", Int(LOGON32_LOGON_NETWORK), 3),
            ("LOGON32_PROVIDER_DEFAULT", Int(LOGON32_PROVIDER_DEFAULT), 0),
            ("DISABLE_MAX_PRIVILEGE", Int(DISABLE_MAX_PRIVILEGE), 0x1), ("SANDBOX_INERT", Int(SANDBOX_INERT), 0x2),
            ("SECURITY_DESCRIPTOR_REVISION", Int(SECURITY_DESCRIPTOR_REVISION), 1),
            ("MIN_ACL_REVISION", Int(MIN_ACL_REVISION), 2), ("MAX_ACL_REVISION", Int(MAX_ACL_REVISION), 4),
            ("SDDL_REVISION_1", Int(SDDL_REVISION_1), 1),
            ("AclRevisionInformation", Int(AclRevisionInformation.rawValue), 1),
            ("AclSizeInformation", Int(AclSizeInformation.rawValue), 2),
            ("SidTypeUser", Int(SidTypeUser.rawValue), 1), ("SidTypeGroup", Int(SidTypeGroup.rawValue), 2),
            ("SidTypeAlias", Int(SidTypeAlias.rawValue), 4),
            ("SidTypeWellKnownGroup", Int(SidTypeWellKnownGroup.rawValue), 5),
        ])
        // What the face and the core built from them.
        #expect(TokenGroupList.defaultAttributes == 0x7 && TokenGroupList.denyOnlyAttribute == 0x10)
        #expect(TokenGroupList.mandatoryAttribute == 0x1 && TokenGroupList.ownerAttribute == 0x8)
        #expect(Privilege.State.attributes(enabled: true, byDefault: true) == 0x3)
        #expect(Privilege.State.attributes(enabled: true, byDefault: false) == 0x2)
        #expect(
            [SecurityInformation.owner, .group, .dacl, .sacl].map(\.rawValue) == [0x1, 0x2, 0x4, 0x8])
    }

    @Test func processes_and_waits_use_windows_values() {
        Self.rows([
            ("INFINITE", Int(INFINITE), 0xFFFF_FFFF), ("WAIT_OBJECT_0", WAIT_OBJECT_0, 0),
            ("WAIT_TIMEOUT", WAIT_TIMEOUT, 0x102), ("WAIT_FAILED", Int(WAIT_FAILED), 0xFFFF_FFFF),
            ("STILL_ACTIVE", Int(STILL_ACTIVE), 259), ("STARTF_USESTDHANDLES", Int(STARTF_USESTDHANDLES), 0x100),
            ("DETACHED_PROCESS", Int(DETACHED_PROCESS), 0x8), ("CREATE_NEW_CONSOLE", Int(CREATE_NEW_CONSOLE), 0x10),
            ("CREATE_NEW_PROCESS_GROUP", Int(CREATE_NEW_PROCESS_GROUP), 0x200),
            ("CREATE_DEFAULT_ERROR_MODE", Int(CREATE_DEFAULT_ERROR_MODE), 0x0400_0000),
            ("CREATE_NO_WINDOW", Int(CREATE_NO_WINDOW), 0x0800_0000),
        ])
        #expect(ChildProcess.unknownExitCode == 0xFFFF_FFFF)
    }

    @Test func structures_have_windows_64_bit_layouts() {
        Self.rows([
            ("sizeof(TOKEN_USER)", MemoryLayout<TOKEN_USER>.size, 16),
            ("sizeof(TOKEN_OWNER)", MemoryLayout<TOKEN_OWNER>.size, 8),
            ("sizeof(TOKEN_PRIMARY_GROUP)", MemoryLayout<TOKEN_PRIMARY_GROUP>.size, 8),
            ("offsetof(TOKEN_GROUPS, Groups)", Win32Layout.tokenGroupsArray, 8),
            ("sizeof(SID_AND_ATTRIBUTES)", Win32Layout.sidAndAttributes, 16),
            ("offsetof(TOKEN_PRIVILEGES, Privileges)", Win32Layout.tokenPrivilegesArray, 4),
            ("offsetof(PRIVILEGE_SET, Privilege)", Win32Layout.privilegeSetArray, 8),
            ("sizeof(LUID_AND_ATTRIBUTES)", Win32Layout.luidAndAttributes, 12),
            ("sizeof(TOKEN_SOURCE)", MemoryLayout<TOKEN_SOURCE>.size, 16),
            ("sizeof(TOKEN_STATISTICS)", MemoryLayout<TOKEN_STATISTICS>.size, 56),
            ("offsetof(TOKEN_STATISTICS, TokenType)", MemoryLayout<TOKEN_STATISTICS>.offset(of: \.TokenType)!, 24),
            ("offsetof(TOKEN_STATISTICS, ModifiedId)", MemoryLayout<TOKEN_STATISTICS>.offset(of: \.ModifiedId)!, 48),
            ("sizeof(SECURITY_DESCRIPTOR)", DescriptorLayout.absoluteSize, 40),
            ("sizeof(SECURITY_DESCRIPTOR_RELATIVE)", DescriptorLayout.relativeSize, 20),
            ("offsetof(SECURITY_DESCRIPTOR, Control)", DescriptorLayout.control, 2),
            ("offsetof(SECURITY_DESCRIPTOR, Owner)", DescriptorLayout.absoluteOwner, 8),
            ("offsetof(SECURITY_DESCRIPTOR, Group)", DescriptorLayout.absoluteGroup, 16),
            ("offsetof(SECURITY_DESCRIPTOR, Sacl)", DescriptorLayout.absoluteSacl, 24),
            ("offsetof(SECURITY_DESCRIPTOR, Dacl)", DescriptorLayout.absoluteDacl, 32),
            ("sizeof(ACL)", DescriptorLayout.aclHeaderSize, 8), ("offsetof(ACL, AclSize)", DescriptorLayout.aclSize, 2),
            ("offsetof(ACL, AceCount)", DescriptorLayout.aclCount, 4),
            ("offsetof(ACE_HEADER, AceFlags)", DescriptorLayout.aceFlags, 1),
            ("offsetof(ACE_HEADER, AceSize)", DescriptorLayout.aceSize, 2),
            ("offsetof(ACCESS_ALLOWED_ACE, Mask)", DescriptorLayout.aceMask, 4),
            ("offsetof(ACCESS_ALLOWED_ACE, SidStart)", DescriptorLayout.aceSid, 8),
            ("offsetof(SID, SubAuthority)", DescriptorLayout.smallestSid, 8),
            ("sizeof(ACL_SIZE_INFORMATION)", MemoryLayout<ACL_SIZE_INFORMATION>.size, 12),
        ])
        #expect(DescriptorLayout.relativeParts == [4, 8, 12, 16])
    }

    @Test func privileges_stand_for_the_capabilities_linux_numbers() {
        func privilege(_ name: String) -> Privilege? { Privilege.all.first { $0.name == name } }
        func capabilities(_ name: String) -> UInt64? { privilege(name)?.capabilities }
        // Linux's capability numbers (capability.h): CAP_CHOWN 0, CAP_DAC_OVERRIDE 1,
        // CAP_DAC_READ_SEARCH 2, CAP_FOWNER 3, CAP_SETGID 6, CAP_SETUID 7, CAP_BPF 39.
        #expect(capabilities("SeRestorePrivilege") == 0b1011)
        #expect(capabilities("SeBackupPrivilege") == 1 << 2)
        #expect(capabilities("SeImpersonatePrivilege") == 1 << 6 | 1 << 7)
        let bpf = privilege("SeLinuxBpfPrivilege")
        #expect(bpf?.luid == 0x100 + 39 && bpf?.capabilities == 1 << 39)
        // Every capability belongs to exactly one privilege.
        var seen: UInt64 = 0
        for p in Privilege.all {
            #expect(seen & p.capabilities == 0, "\(p.name)")
            seen |= p.capabilities
        }
        #expect(seen == UInt64.max)
    }
}
