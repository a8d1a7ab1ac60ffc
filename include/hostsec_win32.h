/*
 * hostsec_win32.h - Windows' token, SID and privilege API with Windows' names, over hostsec.
 *
 * A program ported from Windows includes <windows.h> and <sddl.h> (this directory's win32/
 * folder, on the include path with -I<include>/win32, or pkg-config hostsec-win32) and calls
 * OpenProcessToken, GetTokenInformation(TokenUser), AdjustTokenPrivileges, ... unchanged:
 * the names, types, structure layouts and signatures are those of winnt.h, securitybaseapi.h,
 * processthreadsapi.h, winbase.h and sddl.h (64-bit layouts), results are BOOL with the
 * reason in GetLastError(), as on Windows. Each function's doc block below lists every result
 * it gives and when; docs/win32.md shows the behaviour with the tests that check it, and the
 * SID and privilege mappings.
 *
 * Exports. libhostsec.so exports no Windows name: a host may load other libraries that
 * define them. Each function is exported as HostSecW32_<Windows name> (HostSecW32_
 * OpenProcessToken, ...), and this header declares the Windows name once, with an asm label
 * that names the exported symbol (gcc and clang), so the name, its prototype and
 * &OpenProcessToken work as in C on Windows: one function, one address in every file.
 * Define HOSTSEC_W32_NO_WINDOWS_NAMES to get only the prefixed functions (for a program that
 * also has its own Windows layer, or a compiler without asm labels).
 *
 * Mapping (details in docs/win32.md):
 *   - tokens and handles are hostsec's (hostsec.h): a token HANDLE from these functions works
 *     with HostSec_* and IHostSecurityManager, and the other way round;
 *   - SIDs: Unix users S-1-22-1-<uid>, Unix groups S-1-22-2-<gid> (Samba's "Unix User" and
 *     "Unix Group" domains); Everyone S-1-1-0, LOCAL S-1-2-0, Authenticated Users S-1-5-11 in
 *     every token's groups; BUILTIN\Administrators S-1-5-32-544 in uid 0's tokens;
 *   - privileges: each is a set of Linux capabilities, every capability belongs to exactly
 *     one privilege; SeChangeNotifyPrivilege needs none and is always held and enabled.
 *
 * Threads: every function may be called from any thread at any time; GetLastError's value
 * is per thread.
 */
#ifndef HOSTSEC_WIN32_H
#define HOSTSEC_WIN32_H

#include "hostsec.h"

/* ---------------------------------------------------------------------------------------
 * Base types (windef.h / winnt.h names; 64-bit Linux widths as in hostsec_base.h)
 * ------------------------------------------------------------------------------------- */
#ifndef HOSTSEC_NO_BASE_TYPES
#ifndef _HOSTSEC_W32_BASE_TYPES
#define _HOSTSEC_W32_BASE_TYPES
typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef int32_t LONG;
typedef int64_t LONGLONG;
typedef uint8_t UCHAR;
typedef char CHAR;
typedef intptr_t LONG_PTR;
typedef uintptr_t ULONG_PTR;
typedef void *PVOID;
typedef void *LPVOID;
typedef CHAR *LPSTR;
typedef const CHAR *LPCSTR;
typedef BYTE *PBYTE;
typedef UCHAR *PUCHAR;
typedef DWORD *PDWORD;
typedef DWORD *LPDWORD;
typedef BOOL *PBOOL;
typedef BOOL *LPBOOL;
typedef BYTE BOOLEAN;
typedef ULONG *PULONG;
typedef HANDLE *PHANDLE;
typedef HANDLE HLOCAL;
/** A 64-bit signed value with its halves addressable (winnt.h's union). */
typedef union _LARGE_INTEGER {
    struct {
        DWORD LowPart;
        LONG HighPart;
    } u;
    LONGLONG QuadPart;
} LARGE_INTEGER, *PLARGE_INTEGER;
#endif
#endif /* HOSTSEC_NO_BASE_TYPES */

#ifndef WINAPI
#define WINAPI
#endif
#ifndef ANYSIZE_ARRAY
#define ANYSIZE_ARRAY 1
#endif
/** The value Windows' functions that return a HANDLE use for "no handle". */
#ifndef INVALID_HANDLE_VALUE
#define INVALID_HANDLE_VALUE ((HANDLE)(LONG_PTR)-1)
#endif

/* ---------------------------------------------------------------------------------------
 * Win32 error codes (winerror.h values) GetLastError() reports here
 * ------------------------------------------------------------------------------------- */
#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS 0L
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY 8L
#endif
#ifndef ERROR_NOT_ALL_ASSIGNED
#define ERROR_NOT_ALL_ASSIGNED 1300L
#endif
#ifndef ERROR_NO_SUCH_PRIVILEGE
#define ERROR_NO_SUCH_PRIVILEGE 1313L
#endif
#ifndef ERROR_UNKNOWN_REVISION
#define ERROR_UNKNOWN_REVISION 1305L
#endif
#ifndef ERROR_REVISION_MISMATCH
#define ERROR_REVISION_MISMATCH 1306L
#endif
#ifndef ERROR_INVALID_OWNER
#define ERROR_INVALID_OWNER 1307L
#endif
#ifndef ERROR_INVALID_PRIMARY_GROUP
#define ERROR_INVALID_PRIMARY_GROUP 1308L
#endif
#ifndef ERROR_INVALID_ACL
#define ERROR_INVALID_ACL 1336L
#endif
#ifndef ERROR_INVALID_SID
#define ERROR_INVALID_SID 1337L
#endif
#ifndef ERROR_INVALID_SECURITY_DESCR
#define ERROR_INVALID_SECURITY_DESCR 1338L
#endif
#ifndef ERROR_ALLOTTED_SPACE_EXCEEDED
#define ERROR_ALLOTTED_SPACE_EXCEEDED 1344L
#endif
#ifndef ERROR_GENERIC_NOT_MAPPED
#define ERROR_GENERIC_NOT_MAPPED 1360L
#endif
#ifndef ERROR_BAD_DESCRIPTOR_FORMAT
#define ERROR_BAD_DESCRIPTOR_FORMAT 1361L
#endif
#ifndef ERROR_INTERNAL_ERROR
#define ERROR_INTERNAL_ERROR 1359L
#endif
#ifndef ERROR_INVALID_OPERATION
#define ERROR_INVALID_OPERATION 4317L
#endif

/* ---------------------------------------------------------------------------------------
 * SIDs (winnt.h)
 * ------------------------------------------------------------------------------------- */
#define SID_REVISION 1
#define SID_MAX_SUB_AUTHORITIES 15
/** Bytes of the largest SID: 8 + 15 * 4. */
#define SECURITY_MAX_SID_SIZE 68

/** The 48-bit authority of a SID, most significant byte first. */
typedef struct _SID_IDENTIFIER_AUTHORITY {
    BYTE Value[6];
} SID_IDENTIFIER_AUTHORITY, *PSID_IDENTIFIER_AUTHORITY;

/** A security identifier: 8 bytes, then SubAuthorityCount 32-bit sub-authorities. */
typedef struct _SID {
    BYTE Revision;
    BYTE SubAuthorityCount;
    SID_IDENTIFIER_AUTHORITY IdentifierAuthority;
    DWORD SubAuthority[ANYSIZE_ARRAY];
} SID, *PISID;
/** SIDs are passed as untyped pointers, as in winnt.h. */
typedef PVOID PSID;

#define SECURITY_NULL_SID_AUTHORITY {{0, 0, 0, 0, 0, 0}}
#define SECURITY_WORLD_SID_AUTHORITY {{0, 0, 0, 0, 0, 1}}
#define SECURITY_LOCAL_SID_AUTHORITY {{0, 0, 0, 0, 0, 2}}
#define SECURITY_NT_AUTHORITY {{0, 0, 0, 0, 0, 5}}
/** Samba's authority for Unix accounts: S-1-22-1-<uid> users, S-1-22-2-<gid> groups. */
#define HOSTSEC_UNIX_SID_AUTHORITY {{0, 0, 0, 0, 0, 22}}
#define HOSTSEC_UNIX_USERS_RID 1
#define HOSTSEC_UNIX_GROUPS_RID 2

#define SECURITY_WORLD_RID 0x00000000L
#define SECURITY_LOCAL_RID 0x00000000L
#define SECURITY_AUTHENTICATED_USER_RID 0x0000000BL
#define SECURITY_LOCAL_SYSTEM_RID 0x00000012L
#define SECURITY_BUILTIN_DOMAIN_RID 0x00000020L
#define DOMAIN_ALIAS_RID_ADMINS 0x00000220L

/** What LookupAccountSid / LookupAccountName say a SID names. */
typedef enum _SID_NAME_USE {
    SidTypeUser = 1,
    SidTypeGroup,
    SidTypeDomain,
    SidTypeAlias,
    SidTypeWellKnownGroup,
    SidTypeDeletedAccount,
    SidTypeInvalid,
    SidTypeUnknown,
    SidTypeComputer,
    SidTypeLabel,
    SidTypeLogonSession
} SID_NAME_USE, *PSID_NAME_USE;

/** A SID with attributes (SE_GROUP_* for groups; 0 for the user). */
typedef struct _SID_AND_ATTRIBUTES {
    PSID Sid;
    DWORD Attributes;
} SID_AND_ATTRIBUTES, *PSID_AND_ATTRIBUTES;

#define SE_GROUP_MANDATORY 0x00000001L
#define SE_GROUP_ENABLED_BY_DEFAULT 0x00000002L
#define SE_GROUP_ENABLED 0x00000004L
#define SE_GROUP_OWNER 0x00000008L
#define SE_GROUP_USE_FOR_DENY_ONLY 0x00000010L
#define SE_GROUP_LOGON_ID 0xC0000000L

/* ---------------------------------------------------------------------------------------
 * LUIDs and privileges (winnt.h)
 * ------------------------------------------------------------------------------------- */

/** A locally unique identifier: privileges, token ids, logon ids. */
typedef struct _LUID {
    DWORD LowPart;
    LONG HighPart;
} LUID, *PLUID;

/** A privilege and its SE_PRIVILEGE_* attributes (4-byte aligned: 12 bytes). */
typedef struct _LUID_AND_ATTRIBUTES {
    LUID Luid;
    DWORD Attributes;
} LUID_AND_ATTRIBUTES, *PLUID_AND_ATTRIBUTES;

#ifndef SE_PRIVILEGE_ENABLED
#define SE_PRIVILEGE_ENABLED_BY_DEFAULT 0x00000001L
#define SE_PRIVILEGE_ENABLED 0x00000002L
#endif
#define SE_PRIVILEGE_REMOVED 0x00000004L
#define SE_PRIVILEGE_USED_FOR_ACCESS 0x80000000L

/** PrivilegeCheck's question: all of them (PRIVILEGE_SET_ALL_NECESSARY) or any. */
#define PRIVILEGE_SET_ALL_NECESSARY 1

typedef struct _PRIVILEGE_SET {
    DWORD PrivilegeCount;
    DWORD Control;
    LUID_AND_ATTRIBUTES Privilege[ANYSIZE_ARRAY];
} PRIVILEGE_SET, *PPRIVILEGE_SET;

/* Privilege names Windows defines (winnt.h's SE_*_NAME, narrow strings). */
#define SE_CREATE_TOKEN_NAME "SeCreateTokenPrivilege"
#define SE_ASSIGNPRIMARYTOKEN_NAME "SeAssignPrimaryTokenPrivilege"
#define SE_LOCK_MEMORY_NAME "SeLockMemoryPrivilege"
#define SE_INCREASE_QUOTA_NAME "SeIncreaseQuotaPrivilege"
#define SE_MACHINE_ACCOUNT_NAME "SeMachineAccountPrivilege"
#define SE_TCB_NAME "SeTcbPrivilege"
#define SE_SECURITY_NAME "SeSecurityPrivilege"
#define SE_TAKE_OWNERSHIP_NAME "SeTakeOwnershipPrivilege"
#define SE_LOAD_DRIVER_NAME "SeLoadDriverPrivilege"
#define SE_SYSTEM_PROFILE_NAME "SeSystemProfilePrivilege"
#define SE_SYSTEMTIME_NAME "SeSystemtimePrivilege"
#define SE_PROF_SINGLE_PROCESS_NAME "SeProfileSingleProcessPrivilege"
#define SE_INC_BASE_PRIORITY_NAME "SeIncreaseBasePriorityPrivilege"
#define SE_CREATE_PAGEFILE_NAME "SeCreatePagefilePrivilege"
#define SE_CREATE_PERMANENT_NAME "SeCreatePermanentPrivilege"
#define SE_BACKUP_NAME "SeBackupPrivilege"
#define SE_RESTORE_NAME "SeRestorePrivilege"
#define SE_SHUTDOWN_NAME "SeShutdownPrivilege"
#define SE_DEBUG_NAME "SeDebugPrivilege"
#define SE_AUDIT_NAME "SeAuditPrivilege"
#define SE_SYSTEM_ENVIRONMENT_NAME "SeSystemEnvironmentPrivilege"
#define SE_CHANGE_NOTIFY_NAME "SeChangeNotifyPrivilege"
#define SE_REMOTE_SHUTDOWN_NAME "SeRemoteShutdownPrivilege"
#define SE_UNDOCK_NAME "SeUndockPrivilege"
#define SE_SYNC_AGENT_NAME "SeSyncAgentPrivilege"
#define SE_ENABLE_DELEGATION_NAME "SeEnableDelegationPrivilege"
#define SE_MANAGE_VOLUME_NAME "SeManageVolumePrivilege"
#define SE_IMPERSONATE_NAME "SeImpersonatePrivilege"
#define SE_CREATE_GLOBAL_NAME "SeCreateGlobalPrivilege"
#define SE_TRUSTED_CREDMAN_ACCESS_NAME "SeTrustedCredManAccessPrivilege"
#define SE_RELABEL_NAME "SeRelabelPrivilege"
#define SE_INC_WORKING_SET_NAME "SeIncreaseWorkingSetPrivilege"
#define SE_TIME_ZONE_NAME "SeTimeZonePrivilege"
#define SE_CREATE_SYMBOLIC_LINK_NAME "SeCreateSymbolicLinkPrivilege"
#define SE_DELEGATE_SESSION_USER_IMPERSONATE_NAME "SeDelegateSessionUserImpersonatePrivilege"

/* ---------------------------------------------------------------------------------------
 * Token information in Windows' layouts (GetTokenInformation). TOKEN_TYPE,
 * SECURITY_IMPERSONATION_LEVEL, TOKEN_INFORMATION_CLASS and the TOKEN_* rights come from
 * hostsec.h with winnt.h's values.
 * ------------------------------------------------------------------------------------- */

typedef struct _TOKEN_USER {
    SID_AND_ATTRIBUTES User;
} TOKEN_USER, *PTOKEN_USER;

typedef struct _TOKEN_GROUPS {
    DWORD GroupCount;
    SID_AND_ATTRIBUTES Groups[ANYSIZE_ARRAY];
} TOKEN_GROUPS, *PTOKEN_GROUPS;

typedef struct _TOKEN_PRIVILEGES {
    DWORD PrivilegeCount;
    LUID_AND_ATTRIBUTES Privileges[ANYSIZE_ARRAY];
} TOKEN_PRIVILEGES, *PTOKEN_PRIVILEGES;

typedef struct _TOKEN_OWNER {
    PSID Owner;
} TOKEN_OWNER, *PTOKEN_OWNER;

typedef struct _TOKEN_PRIMARY_GROUP {
    PSID PrimaryGroup;
} TOKEN_PRIMARY_GROUP, *PTOKEN_PRIMARY_GROUP;

#define TOKEN_SOURCE_LENGTH 8
typedef struct _TOKEN_SOURCE {
    CHAR SourceName[TOKEN_SOURCE_LENGTH];
    LUID SourceIdentifier;
} TOKEN_SOURCE, *PTOKEN_SOURCE;

typedef struct _TOKEN_STATISTICS {
    LUID TokenId;
    LUID AuthenticationId;
    LARGE_INTEGER ExpirationTime;
    TOKEN_TYPE TokenType;
    SECURITY_IMPERSONATION_LEVEL ImpersonationLevel;
    DWORD DynamicCharged;
    DWORD DynamicAvailable;
    DWORD GroupCount;
    DWORD PrivilegeCount;
    LUID ModifiedId;
} TOKEN_STATISTICS, *PTOKEN_STATISTICS;

/** DuplicateTokenEx's token attributes (lpSecurityDescriptor must be NULL here). */
typedef struct _SECURITY_ATTRIBUTES {
    DWORD nLength;
    LPVOID lpSecurityDescriptor;
    BOOL bInheritHandle;
} SECURITY_ATTRIBUTES, *PSECURITY_ATTRIBUTES, *LPSECURITY_ATTRIBUTES;

/* LogonUserA (winbase.h). */
#define LOGON32_LOGON_INTERACTIVE 2
#define LOGON32_LOGON_NETWORK 3
#define LOGON32_PROVIDER_DEFAULT 0

/* ---------------------------------------------------------------------------------------
 * Security descriptors and ACLs (winnt.h layouts, 64-bit)
 * ------------------------------------------------------------------------------------- */
typedef DWORD ACCESS_MASK, *PACCESS_MASK;
typedef DWORD SECURITY_INFORMATION, *PSECURITY_INFORMATION;
typedef WORD SECURITY_DESCRIPTOR_CONTROL, *PSECURITY_DESCRIPTOR_CONTROL;
/** A security descriptor, absolute or self-relative, passed untyped as in winnt.h. */
typedef PVOID PSECURITY_DESCRIPTOR;

#define OWNER_SECURITY_INFORMATION 0x00000001L
#define GROUP_SECURITY_INFORMATION 0x00000002L
#define DACL_SECURITY_INFORMATION 0x00000004L
#define SACL_SECURITY_INFORMATION 0x00000008L

#define SECURITY_DESCRIPTOR_REVISION 1
#define SECURITY_DESCRIPTOR_REVISION1 1
#define SE_OWNER_DEFAULTED 0x0001
#define SE_GROUP_DEFAULTED 0x0002
#define SE_DACL_PRESENT 0x0004
#define SE_DACL_DEFAULTED 0x0008
#define SE_SACL_PRESENT 0x0010
#define SE_SACL_DEFAULTED 0x0020
#define SE_DACL_AUTO_INHERIT_REQ 0x0100
#define SE_SACL_AUTO_INHERIT_REQ 0x0200
#define SE_DACL_AUTO_INHERITED 0x0400
#define SE_SACL_AUTO_INHERITED 0x0800
#define SE_DACL_PROTECTED 0x1000
#define SE_SACL_PROTECTED 0x2000
#define SE_SELF_RELATIVE 0x8000

/** An ACL header; the ACEs follow it, AclSize bytes in all. */
typedef struct _ACL {
    BYTE AclRevision;
    BYTE Sbz1;
    WORD AclSize;
    WORD AceCount;
    WORD Sbz2;
} ACL, *PACL;
#define ACL_REVISION 2
#define ACL_REVISION_DS 4
#define MIN_ACL_REVISION ACL_REVISION
#define MAX_ACL_REVISION ACL_REVISION_DS

typedef struct _ACE_HEADER {
    BYTE AceType;
    BYTE AceFlags;
    WORD AceSize;
} ACE_HEADER, *PACE_HEADER;
#define ACCESS_ALLOWED_ACE_TYPE 0x0
#define ACCESS_DENIED_ACE_TYPE 0x1
#define SYSTEM_AUDIT_ACE_TYPE 0x2
#define SYSTEM_ALARM_ACE_TYPE 0x3
#define OBJECT_INHERIT_ACE 0x1
#define CONTAINER_INHERIT_ACE 0x2
#define NO_PROPAGATE_INHERIT_ACE 0x4
#define INHERIT_ONLY_ACE 0x8
#define INHERITED_ACE 0x10
#define VALID_INHERIT_FLAGS 0x1F
#define SUCCESSFUL_ACCESS_ACE_FLAG 0x40
#define FAILED_ACCESS_ACE_FLAG 0x80

/** Header, mask, then the SID from SidStart on. */
typedef struct _ACCESS_ALLOWED_ACE {
    ACE_HEADER Header;
    ACCESS_MASK Mask;
    DWORD SidStart;
} ACCESS_ALLOWED_ACE, *PACCESS_ALLOWED_ACE;
typedef struct _ACCESS_DENIED_ACE {
    ACE_HEADER Header;
    ACCESS_MASK Mask;
    DWORD SidStart;
} ACCESS_DENIED_ACE, *PACCESS_DENIED_ACE;

typedef enum _ACL_INFORMATION_CLASS {
    AclRevisionInformation = 1,
    AclSizeInformation
} ACL_INFORMATION_CLASS;
typedef struct _ACL_REVISION_INFORMATION {
    DWORD AclRevision;
} ACL_REVISION_INFORMATION, *PACL_REVISION_INFORMATION;
typedef struct _ACL_SIZE_INFORMATION {
    DWORD AceCount;
    DWORD AclBytesInUse;
    DWORD AclBytesFree;
} ACL_SIZE_INFORMATION, *PACL_SIZE_INFORMATION;

/** The absolute form: pointers to the parts (40 bytes). */
typedef struct _SECURITY_DESCRIPTOR {
    BYTE Revision;
    BYTE Sbz1;
    SECURITY_DESCRIPTOR_CONTROL Control;
    PSID Owner;
    PSID Group;
    PACL Sacl;
    PACL Dacl;
} SECURITY_DESCRIPTOR, *PISECURITY_DESCRIPTOR;
/** The self-relative form: offsets from the start (0: absent), the parts follow (20 bytes). */
typedef struct _SECURITY_DESCRIPTOR_RELATIVE {
    BYTE Revision;
    BYTE Sbz1;
    SECURITY_DESCRIPTOR_CONTROL Control;
    DWORD Owner;
    DWORD Group;
    DWORD Sacl;
    DWORD Dacl;
} SECURITY_DESCRIPTOR_RELATIVE, *PISECURITY_DESCRIPTOR_RELATIVE;
#define SECURITY_DESCRIPTOR_MIN_LENGTH (sizeof(SECURITY_DESCRIPTOR))

/** What each GENERIC_* right means for a kind of object. */
typedef struct _GENERIC_MAPPING {
    ACCESS_MASK GenericRead;
    ACCESS_MASK GenericWrite;
    ACCESS_MASK GenericExecute;
    ACCESS_MASK GenericAll;
} GENERIC_MAPPING, *PGENERIC_MAPPING;

#define SDDL_REVISION_1 1
#define SDDL_REVISION SDDL_REVISION_1

/* ---------------------------------------------------------------------------------------
 * Processes (processthreadsapi.h, winbase.h)
 * ------------------------------------------------------------------------------------- */
typedef WORD *LPWORD;
typedef BYTE *LPBYTE;

typedef struct _STARTUPINFOA {
    DWORD cb;
    LPSTR lpReserved;
    LPSTR lpDesktop;
    LPSTR lpTitle;
    DWORD dwX;
    DWORD dwY;
    DWORD dwXSize;
    DWORD dwYSize;
    DWORD dwXCountChars;
    DWORD dwYCountChars;
    DWORD dwFillAttribute;
    DWORD dwFlags;
    WORD wShowWindow;
    WORD cbReserved2;
    LPBYTE lpReserved2;
    HANDLE hStdInput;
    HANDLE hStdOutput;
    HANDLE hStdError;
} STARTUPINFOA, *LPSTARTUPINFOA;

typedef struct _PROCESS_INFORMATION {
    HANDLE hProcess;
    HANDLE hThread;
    DWORD dwProcessId;
    DWORD dwThreadId;
} PROCESS_INFORMATION, *PPROCESS_INFORMATION, *LPPROCESS_INFORMATION;

#define STARTF_USESTDHANDLES 0x00000100
#define DEBUG_PROCESS 0x00000001
#define DEBUG_ONLY_THIS_PROCESS 0x00000002
#define CREATE_SUSPENDED 0x00000004
#define DETACHED_PROCESS 0x00000008
#define CREATE_NEW_CONSOLE 0x00000010
#define CREATE_NEW_PROCESS_GROUP 0x00000200
#define CREATE_UNICODE_ENVIRONMENT 0x00000400
#define CREATE_DEFAULT_ERROR_MODE 0x04000000
#define CREATE_NO_WINDOW 0x08000000

#define INFINITE 0xFFFFFFFF
#define WAIT_OBJECT_0 0x00000000L
#define WAIT_TIMEOUT 0x00000102L
#define WAIT_FAILED 0xFFFFFFFF
#define STILL_ACTIVE 259
/* GetExitCodeProcess of a process that ended but whose exit status someone else took first
 * (the host reaped it: SIGCHLD set to SIG_IGN, or its own waitpid). hostsec's own value. */
#define HS_EXIT_CODE_UNKNOWN 0xFFFFFFFF

/* CreateRestrictedToken flags (winnt.h). */
#define DISABLE_MAX_PRIVILEGE 0x1
#define SANDBOX_INERT 0x2
#define LUA_TOKEN 0x4
#define WRITE_RESTRICTED 0x8

/* ---------------------------------------------------------------------------------------
 * The exported functions (prefixed). Each doc block lists every result: TRUE, or FALSE (or the
 * failure value it names) with the reason in GetLastError(), and when.
 *
 * Results from hostsec.h's core become Win32 errors this way: HRESULT_FROM_WIN32(x) is x
 * (E_ACCESSDENIED is ERROR_ACCESS_DENIED, E_HANDLE ERROR_INVALID_HANDLE, E_INVALIDARG
 * ERROR_INVALID_PARAMETER); E_POINTER is ERROR_NOACCESS; E_OUTOFMEMORY ERROR_NOT_ENOUGH_MEMORY;
 * HOST_E_INVALIDOPERATION ERROR_INVALID_OPERATION; E_FAIL, HOST_E_CLRNOTAVAILABLE and
 * E_UNEXPECTED ERROR_INTERNAL_ERROR. "Closed" below is hostsec.h's Failing closed: the library
 * refuses for good after a thread's credentials could not be restored.
 *
 * A doc block that ends with "Common results." may also fail with these (the others never do):
 *
 * Common results.
 *   - ERROR_INVALID_OPERATION: called while the same thread is already inside the library (a
 *     signal handler that interrupted a call on that thread); nothing is changed.
 *   - ERROR_INTERNAL_ERROR: the thread's first call found it holding credentials it could not
 *     be put back from (hostsec.h's E_FAIL: the library is now closed), or the library was
 *     closed already and the first call found such credentials; or another copy of the
 *     engine in this process was in use first (hostsec.h's HOST_E_CLRNOTAVAILABLE in Common
 *     results): this copy refuses from its first use, changing nothing.
 *   - ERROR_ACCESS_DENIED, ERROR_NOT_ENOUGH_MEMORY, ERROR_INVALID_PARAMETER,
 *     ERROR_INTERNAL_ERROR: a system call that reads or sets the thread's own credentials
 *     failed, as hostsec.h's Common results say (EPERM or EACCES, ENOMEM, EINVAL, another
 *     errno). Linux does not fail these in practice.
 *
 * A switch of the thread's kernel credentials (ImpersonateLoggedOnUser, SetThreadToken,
 * AdjustTokenPrivileges on the thread's token) that the kernel refuses or applies differently
 * is rolled back, as in hostsec.h (the thread is left at the process token, not
 * impersonating): ERROR_ACCESS_DENIED (EPERM, EACCES), ERROR_INVALID_PARAMETER (EINVAL),
 * ERROR_NOT_ENOUGH_MEMORY (ENOMEM), ERROR_INTERNAL_ERROR (another errno, or other
 * credentials than applied). One that cannot be rolled back, or credentials the library did
 * not apply, are ERROR_INTERNAL_ERROR too: the library closes.
 * ------------------------------------------------------------------------------------- */
HOSTSEC_BEGIN_DECLS

/** (HANDLE)-1: the calling process, as GetCurrentProcess() returns it. Never fails; the last
 *  error is unchanged. */
HANDLE HostSecW32_GetCurrentProcess(void);
/** (HANDLE)-2: the calling thread, as GetCurrentThread() returns it. Never fails; the last
 *  error is unchanged. */
HANDLE HostSecW32_GetCurrentThread(void);
/** Closes a token or process handle. TRUE: closed (a process handle's last close reaps the
 *  process, at once or when it ends); a pseudo-handle: TRUE, nothing happens. FALSE:
 *  ERROR_INVALID_HANDLE (NULL, closed, never issued or forged). Works after the library
 *  closed. Common results. */
BOOL HostSecW32_CloseHandle(HANDLE hObject);
/** The calling thread's last-error value (a new thread's is ERROR_SUCCESS). Never fails. */
DWORD HostSecW32_GetLastError(void);
/** Sets the calling thread's last-error value. Never fails. */
void HostSecW32_SetLastError(DWORD dwErrCode);

/** The process token, as hostsec.h's HostSec_OpenProcessToken opens it. FALSE:
 *  ERROR_NOACCESS (TokenHandle NULL); ERROR_INVALID_HANDLE (ProcessHandle is not
 *  GetCurrentProcess()); ERROR_ACCESS_DENIED (the token's DACL does not grant DesiredAccess to
 *  the calling thread's current identity, or a right no token has); ERROR_BAD_IMPERSONATION_LEVEL
 *  (the thread impersonates at SecurityIdentification or SecurityAnonymous);
 *  ERROR_NOT_ENOUGH_MEMORY (no handle slot left); ERROR_INTERNAL_ERROR (closed).
 *  *TokenHandle = NULL on failure. Common results. */
BOOL HostSecW32_OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle);
/** The calling thread's impersonation token, as IHostSecurityManager::OpenThreadToken opens
 *  it. FALSE: ERROR_NOACCESS (TokenHandle NULL); ERROR_INVALID_HANDLE (ThreadHandle is not
 *  GetCurrentThread()); ERROR_NO_TOKEN (not impersonating); ERROR_CANT_OPEN_ANONYMOUS (its
 *  token is at SecurityAnonymous); ERROR_BAD_IMPERSONATION_LEVEL (at SecurityIdentification,
 *  OpenAsSelf FALSE); ERROR_ACCESS_DENIED (the DACL does not grant DesiredAccess);
 *  ERROR_NOT_ENOUGH_MEMORY (no handle slot left); ERROR_INTERNAL_ERROR (closed).
 *  *TokenHandle = NULL on failure. Common results. */
BOOL HostSecW32_OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf, PHANDLE TokenHandle);
/** The thread impersonates a copy of the process token at ImpersonationLevel (no kernel
 *  change). FALSE: ERROR_INVALID_PARAMETER (level not 0-3: nothing changes);
 *  ERROR_INTERNAL_ERROR (an earlier kernel-level impersonation could not be reverted: closed;
 *  or closed already). Common results. */
BOOL HostSecW32_ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL ImpersonationLevel);
/** Ends the thread's impersonation (TRUE when there is none). FALSE: ERROR_INTERNAL_ERROR
 *  (the credentials could not be restored, or the thread held credentials the library did
 *  not apply: closed; or closed already, and the thread was still reverted). Common
 *  results. */
BOOL HostSecW32_RevertToSelf(void);
/** The thread impersonates hToken (a primary token needs TOKEN_QUERY | TOKEN_DUPLICATE, an
 *  impersonation token TOKEN_QUERY | TOKEN_IMPERSONATE). Without CAP_SETUID/CAP_SETGID another
 *  account's token is held at SecurityIdentification, as Windows does without
 *  SeImpersonatePrivilege. FALSE: ERROR_INVALID_HANDLE (not a live token handle);
 *  ERROR_ACCESS_DENIED (the handle lacks the rights above; or the kernel refused a step:
 *  rolled back); ERROR_PRIVILEGE_NOT_HELD (another account without CAP_SETUID/CAP_SETGID under
 *  HOSTSEC_POLICY_REQUIRE_ENFORCEMENT: nothing changes); ERROR_NOT_SUPPORTED (a restricted
 *  token with deny-only SIDs at SecurityImpersonation or SecurityDelegation: the kernel has
 *  no form for them; nothing changes); ERROR_INVALID_PARAMETER,
 *  ERROR_NOT_ENOUGH_MEMORY (the kernel refused a step: rolled back); ERROR_INTERNAL_ERROR (the
 *  kernel refused otherwise: rolled back; or closed). Common results. */
BOOL HostSecW32_ImpersonateLoggedOnUser(HANDLE hToken);
/** Thread NULL or pointing at GetCurrentThread(): the calling thread impersonates Token (an
 *  impersonation token with TOKEN_IMPERSONATE), or reverts when Token is NULL (RevertToSelf's
 *  results). FALSE: ERROR_INVALID_HANDLE (*Thread another thread, or Token not a live token
 *  handle); ERROR_BAD_TOKEN_TYPE (a primary token); ERROR_ACCESS_DENIED (no TOKEN_IMPERSONATE;
 *  or the kernel refused a step: rolled back); ERROR_PRIVILEGE_NOT_HELD, ERROR_NOT_SUPPORTED,
 *  ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, ERROR_INTERNAL_ERROR (as for
 *  ImpersonateLoggedOnUser). Common results. */
BOOL HostSecW32_SetThreadToken(PHANDLE Thread, HANDLE Token);
/** An impersonation token at ImpersonationLevel whose handle has TOKEN_IMPERSONATE |
 *  TOKEN_QUERY (checked against the copy's DACL for the calling thread's current identity).
 *  Level rules as DuplicateTokenEx. FALSE: ERROR_NOACCESS (DuplicateTokenHandle NULL);
 *  ERROR_INVALID_HANDLE; ERROR_ACCESS_DENIED (no TOKEN_DUPLICATE, or the DACL refuses);
 *  ERROR_INVALID_PARAMETER (level not 0-3); ERROR_BAD_IMPERSONATION_LEVEL (above an
 *  impersonation source's level, or the thread impersonates below SecurityImpersonation);
 *  ERROR_NOT_ENOUGH_MEMORY (no handle slot left); ERROR_INTERNAL_ERROR (closed).
 *  *DuplicateTokenHandle = NULL on failure. Common results. */
BOOL HostSecW32_DuplicateToken(HANDLE ExistingTokenHandle, SECURITY_IMPERSONATION_LEVEL ImpersonationLevel,
                               PHANDLE DuplicateTokenHandle);
/** A new token of TokenType at ImpersonationLevel, as hostsec.h's HostSec_DuplicateTokenEx
 *  makes it. dwDesiredAccess 0: the source handle's rights. FALSE: ERROR_NOACCESS (phNewToken
 *  NULL); ERROR_INVALID_PARAMETER (lpTokenAttributes with a security descriptor; type or level
 *  out of range); ERROR_INVALID_HANDLE; ERROR_ACCESS_DENIED (no TOKEN_DUPLICATE, or the copy's
 *  DACL does not grant dwDesiredAccess); ERROR_BAD_IMPERSONATION_LEVEL (above an impersonation
 *  source's level; a primary token from one below SecurityImpersonation; or dwDesiredAccess
 *  not 0 while the thread impersonates below SecurityImpersonation); ERROR_NOT_ENOUGH_MEMORY
 *  (no handle slot left); ERROR_INTERNAL_ERROR (closed). *phNewToken = NULL on failure.
 *  Common results. */
BOOL HostSecW32_DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
                                 LPSECURITY_ATTRIBUTES lpTokenAttributes,
                                 SECURITY_IMPERSONATION_LEVEL ImpersonationLevel, TOKEN_TYPE TokenType,
                                 PHANDLE phNewToken);
/** TokenUser, TokenGroups, TokenPrivileges, TokenOwner, TokenPrimaryGroup, TokenSource,
 *  TokenType, TokenImpersonationLevel, TokenStatistics, TokenRestrictedSids in the structures
 *  above; SIDs follow the structure inside the buffer. FALSE: ERROR_NOACCESS (ReturnLength
 *  NULL; or TokenInformation NULL with a length that would do); ERROR_INVALID_HANDLE;
 *  ERROR_ACCESS_DENIED (no TOKEN_QUERY; TokenSource: TOKEN_QUERY_SOURCE);
 *  ERROR_INVALID_PARAMETER (another class, TokenDefaultDacl included: hostsec.h's
 *  HostSec_GetTokenInformation has it; or TokenImpersonationLevel of a primary token);
 *  ERROR_INSUFFICIENT_BUFFER (TokenInformationLength too small, NULL with 0 included);
 *  ERROR_INTERNAL_ERROR (closed). *ReturnLength receives the bytes needed on TRUE,
 *  ERROR_INSUFFICIENT_BUFFER and ERROR_NOACCESS for the buffer; 0 after ERROR_ACCESS_DENIED
 *  and ERROR_INVALID_PARAMETER; it is unchanged after the others. Common results. */
BOOL HostSecW32_GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                    LPVOID TokenInformation, DWORD TokenInformationLength, PDWORD ReturnLength);
/** Logs a local account on through PAM, as hostsec.h's HostSec_LogonUserWithPassword (the
 *  same rules: root, system accounts and accounts without a login shell are refused unless
 *  HostSec_SetPolicy allows them, a stack that never asks for the password is refused; the
 *  same time rules: the failure delay is slept on the calling thread). lpszDomain NULL, "",
 *  "." or "Unix User". LOGON32_LOGON_INTERACTIVE: a primary token; LOGON32_LOGON_NETWORK: an
 *  impersonation token (SecurityImpersonation), as Windows gives. FALSE: ERROR_NOACCESS
 *  (phToken NULL); ERROR_INVALID_PARAMETER (lpszUsername or lpszPassword NULL, lpszUsername
 *  "", another logon type or provider, another domain); ERROR_LOGON_FAILURE;
 *  ERROR_LOGON_TYPE_NOT_GRANTED; ERROR_ACCOUNT_EXPIRED; ERROR_PASSWORD_EXPIRED;
 *  ERROR_ACCOUNT_DISABLED; ERROR_NO_LOGON_SERVERS (each as HostSec_LogonUserWithPassword
 *  says); ERROR_NOT_ENOUGH_MEMORY (PAM ran out of memory, or no handle slot left);
 *  ERROR_INTERNAL_ERROR (closed). *phToken = NULL on failure. Common results. */
BOOL HostSecW32_LogonUserA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                           DWORD dwLogonProvider, PHANDLE phToken);

/** TRUE when pSid is a valid SID (revision 1, at most 15 sub-authorities); FALSE otherwise,
 *  NULL included. The last error is unchanged. */
BOOL HostSecW32_IsValidSid(PSID pSid);
/** Bytes of the SID: 8 + 4 per sub-authority. 0 with ERROR_INVALID_SID for NULL or an invalid
 *  SID; the last error is unchanged on success. */
DWORD HostSecW32_GetLengthSid(PSID pSid);
/** TRUE when the two SIDs are equal, FALSE when not: both with ERROR_SUCCESS. FALSE with
 *  ERROR_INVALID_SID: either is NULL or invalid. */
BOOL HostSecW32_EqualSid(PSID pSid1, PSID pSid2);
/** Copies pSourceSid into pDestinationSid. FALSE: ERROR_INVALID_SID (the source NULL or
 *  invalid); ERROR_INSUFFICIENT_BUFFER (nDestinationSidLength below GetLengthSid's);
 *  ERROR_NOACCESS (pDestinationSid NULL). */
BOOL HostSecW32_CopySid(DWORD nDestinationSidLength, PSID pDestinationSid, PSID pSourceSid);
/** A SID allocated by the library; free it with FreeSid. FALSE: ERROR_NOACCESS (pSid or
 *  pIdentifierAuthority NULL); ERROR_INVALID_PARAMETER (nSubAuthorityCount above 8);
 *  ERROR_NOT_ENOUGH_MEMORY. *pSid = NULL on failure. */
BOOL HostSecW32_AllocateAndInitializeSid(PSID_IDENTIFIER_AUTHORITY pIdentifierAuthority, BYTE nSubAuthorityCount,
                                         DWORD nSubAuthority0, DWORD nSubAuthority1, DWORD nSubAuthority2,
                                         DWORD nSubAuthority3, DWORD nSubAuthority4, DWORD nSubAuthority5,
                                         DWORD nSubAuthority6, DWORD nSubAuthority7, PSID *pSid);
/** Frees a SID from AllocateAndInitializeSid and returns NULL (NULL too for NULL). Any other
 *  pointer, or one freed already, is returned unfreed, with ERROR_INVALID_PARAMETER. */
PVOID HostSecW32_FreeSid(PSID pSid);
/** A pointer to sub-authority nSubAuthority of a valid SID (the index is not checked against
 *  the count, as on Windows), with ERROR_SUCCESS. NULL with ERROR_INVALID_SID for NULL or an
 *  invalid SID. */
PDWORD HostSecW32_GetSidSubAuthority(PSID pSid, DWORD nSubAuthority);
/** A pointer to the SID's sub-authority count, with ERROR_SUCCESS. NULL with
 *  ERROR_INVALID_SID for NULL or an invalid SID. */
PUCHAR HostSecW32_GetSidSubAuthorityCount(PSID pSid);
/** "S-1-..." allocated by the library; free it with LocalFree. FALSE: ERROR_INVALID_PARAMETER
 *  (StringSid NULL); ERROR_INVALID_SID (Sid NULL or invalid); ERROR_NOT_ENOUGH_MEMORY.
 *  *StringSid = NULL on failure. */
BOOL HostSecW32_ConvertSidToStringSidA(PSID Sid, LPSTR *StringSid);
/** A SID from "S-1-..." or an SDDL alias (WD, AU, BA, SY); free it with LocalFree. FALSE:
 *  ERROR_INVALID_PARAMETER (Sid or StringSid NULL); ERROR_INVALID_SID (malformed);
 *  ERROR_NOT_ENOUGH_MEMORY. *Sid = NULL on failure. */
BOOL HostSecW32_ConvertStringSidToSidA(LPCSTR StringSid, PSID *Sid);
/** The account name and domain of a SID (docs/win32.md's table). The counts are in
 *  characters: on TRUE each receives its string's length without the NUL. FALSE:
 *  ERROR_INVALID_PARAMETER (lpSystemName neither NULL nor ""); ERROR_NOACCESS (cchName,
 *  cchReferencedDomainName or peUse NULL); ERROR_INVALID_SID (Sid NULL or invalid);
 *  ERROR_NONE_MAPPED (no user, group or well-known SID it names); ERROR_INSUFFICIENT_BUFFER
 *  (Name or ReferencedDomainName NULL or too small: both counts receive the sizes with the
 *  NUL, nothing is written). */
BOOL HostSecW32_LookupAccountSidA(LPCSTR lpSystemName, PSID Sid, LPSTR Name, LPDWORD cchName,
                                  LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                  PSID_NAME_USE peUse);
/** The SID of an account name ("name", "Unix User\name", "Unix Group\name", a well-known name;
 *  case-insensitive). FALSE: ERROR_INVALID_PARAMETER (lpSystemName neither NULL nor "");
 *  ERROR_NOACCESS (lpAccountName, cbSid, cchReferencedDomainName or peUse NULL);
 *  ERROR_NONE_MAPPED (no such account); ERROR_INSUFFICIENT_BUFFER (Sid or ReferencedDomainName
 *  NULL or too small: *cbSid and *cchReferencedDomainName receive the sizes needed, nothing is
 *  written). */
BOOL HostSecW32_LookupAccountNameA(LPCSTR lpSystemName, LPCSTR lpAccountName, PSID Sid, LPDWORD cbSid,
                                   LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                   PSID_NAME_USE peUse);
/** *IsMember: whether SidToCheck is the user or an enabled group of TokenHandle (an
 *  impersonation token at SecurityIdentification or above, with TOKEN_QUERY), or with
 *  TokenHandle NULL of the thread token, or else the process token. FALSE: ERROR_NOACCESS
 *  (IsMember NULL); ERROR_INVALID_SID (SidToCheck NULL or invalid); ERROR_INVALID_HANDLE;
 *  ERROR_NO_IMPERSONATION_TOKEN (a primary token); ERROR_ACCESS_DENIED (no TOKEN_QUERY);
 *  ERROR_BAD_IMPERSONATION_LEVEL (SecurityAnonymous). *IsMember = FALSE on failure. Works
 *  after the library closed. Common results. */
BOOL HostSecW32_CheckTokenMembership(HANDLE TokenHandle, PSID SidToCheck, PBOOL IsMember);

/** The LUID of a privilege name (matched without case). FALSE: ERROR_INVALID_PARAMETER
 *  (lpSystemName neither NULL nor ""); ERROR_NOACCESS (lpName or lpLuid NULL);
 *  ERROR_NO_SUCH_PRIVILEGE. */
BOOL HostSecW32_LookupPrivilegeValueA(LPCSTR lpSystemName, LPCSTR lpName, PLUID lpLuid);
/** The name of a privilege LUID; *cchName in characters (on TRUE the length without the NUL).
 *  FALSE: ERROR_INVALID_PARAMETER (lpSystemName neither NULL nor ""); ERROR_NOACCESS (lpLuid or
 *  cchName NULL); ERROR_NO_SUCH_PRIVILEGE; ERROR_INSUFFICIENT_BUFFER (lpName NULL or too
 *  small: *cchName receives the size with the NUL). */
BOOL HostSecW32_LookupPrivilegeNameA(LPCSTR lpSystemName, PLUID lpLuid, LPSTR lpName, LPDWORD cchName);
/** The description of a privilege name, in English (*lpLanguageId 0x0409). FALSE:
 *  ERROR_INVALID_PARAMETER (lpSystemName neither NULL nor ""); ERROR_NOACCESS (lpName,
 *  cchDisplayName or lpLanguageId NULL); ERROR_NO_SUCH_PRIVILEGE; ERROR_INSUFFICIENT_BUFFER
 *  (lpDisplayName NULL or too small: *cchDisplayName receives the size with the NUL). */
BOOL HostSecW32_LookupPrivilegeDisplayNameA(LPCSTR lpSystemName, LPCSTR lpName, LPSTR lpDisplayName,
                                            LPDWORD cchDisplayName, LPDWORD lpLanguageId);
/** Enables, disables or removes privileges (their capabilities). TRUE with ERROR_SUCCESS, or
 *  TRUE with ERROR_NOT_ALL_ASSIGNED when the token lacks one asked for, or its LUID is
 *  unknown (the others are changed). The calling thread's kernel capabilities follow at once
 *  when it acts as the token (the process token: see docs/win32.md). FALSE:
 *  ERROR_INVALID_HANDLE; ERROR_ACCESS_DENIED (no TOKEN_ADJUST_PRIVILEGES: nothing changes);
 *  ERROR_INVALID_PARAMETER (NewState NULL with DisableAllPrivileges FALSE); ERROR_NOACCESS
 *  (PreviousState without ReturnLength); ERROR_INSUFFICIENT_BUFFER (PreviousState too small:
 *  *ReturnLength receives the size, nothing changes); ERROR_ACCESS_DENIED,
 *  ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, ERROR_INTERNAL_ERROR (the token changed
 *  but the kernel refused the calling thread's new capabilities: a thread impersonating the
 *  token is rolled back to the process token, one acting as the process token keeps its
 *  capabilities); ERROR_INTERNAL_ERROR (closed). Common results. */
BOOL HostSecW32_AdjustTokenPrivileges(HANDLE TokenHandle, BOOL DisableAllPrivileges, PTOKEN_PRIVILEGES NewState,
                                      DWORD BufferLength, PTOKEN_PRIVILEGES PreviousState, PDWORD ReturnLength);
/** Whether ClientToken (an impersonation token, TOKEN_QUERY) has the privileges enabled (all
 *  of them with PRIVILEGE_SET_ALL_NECESSARY, else any); marks those it has
 *  SE_PRIVILEGE_USED_FOR_ACCESS. FALSE: ERROR_NOACCESS (RequiredPrivileges or pfResult NULL);
 *  ERROR_INVALID_HANDLE; ERROR_NO_IMPERSONATION_TOKEN (a primary token); ERROR_ACCESS_DENIED
 *  (no TOKEN_QUERY); ERROR_BAD_IMPERSONATION_LEVEL (SecurityAnonymous); ERROR_INTERNAL_ERROR
 *  (closed). Common results. */
BOOL HostSecW32_PrivilegeCheck(HANDLE ClientToken, PPRIVILEGE_SET RequiredPrivileges, LPBOOL pfResult);
/** Frees what ConvertSidToStringSidA, ConvertStringSidToSidA and the SDDL conversions
 *  allocated, and returns NULL (NULL too for NULL). Anything else, or a block freed already,
 *  is not freed: it is returned, with ERROR_INVALID_HANDLE. */
HLOCAL HostSecW32_LocalFree(HLOCAL hMem);

/* Security descriptors, ACLs, SDDL and AccessCheck (docs/access-control.md has the tests).
 * Absolute descriptors hold pointers the caller owns (nothing is copied); self-relative ones
 * hold everything in one block. None of these needs the library open, and none has the
 * Common results but AccessCheck, GetKernelObjectSecurity and SetKernelObjectSecurity. */

/** An empty absolute descriptor: no owner, group, DACL or SACL. FALSE: ERROR_NOACCESS
 *  (pSecurityDescriptor NULL); ERROR_UNKNOWN_REVISION (dwRevision not
 *  SECURITY_DESCRIPTOR_REVISION). */
BOOL HostSecW32_InitializeSecurityDescriptor(PSECURITY_DESCRIPTOR pSecurityDescriptor, DWORD dwRevision);
/** TRUE when the revision is 1 and each part present is valid (SIDs, ACLs and their ACEs).
 *  FALSE: ERROR_UNKNOWN_REVISION (another revision); ERROR_INVALID_SECURITY_DESCR (NULL, or an
 *  invalid part). */
BOOL HostSecW32_IsValidSecurityDescriptor(PSECURITY_DESCRIPTOR pSecurityDescriptor);
/** A self-relative descriptor of SecurityDescriptorLength bytes checked without reading past
 *  them: every offset and part inside, parts valid, and the parts RequiredInformation names
 *  present (ntdll's RtlValidRelativeSecurityDescriptor; BOOLEAN). TRUE or FALSE (NULL
 *  included); the last error is unchanged. */
BOOLEAN HostSecW32_RtlValidRelativeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptorInput,
                                                      ULONG SecurityDescriptorLength,
                                                      SECURITY_INFORMATION RequiredInformation);
/** Bytes of the descriptor: its header (40 absolute, 20 self-relative) plus its parts. 0
 *  with ERROR_INVALID_SECURITY_DESCR for NULL or an invalid one; the last error is unchanged
 *  on success. */
DWORD HostSecW32_GetSecurityDescriptorLength(PSECURITY_DESCRIPTOR pSecurityDescriptor);
/** The control bits and the revision. FALSE: ERROR_NOACCESS (an argument NULL);
 *  ERROR_UNKNOWN_REVISION (revision not 1; *lpdwRevision still receives it). */
BOOL HostSecW32_GetSecurityDescriptorControl(PSECURITY_DESCRIPTOR pSecurityDescriptor,
                                             PSECURITY_DESCRIPTOR_CONTROL pControl, LPDWORD lpdwRevision);
/** Stores pOwner (the caller's pointer; NULL: none) in an absolute descriptor. FALSE:
 *  ERROR_NOACCESS (pSecurityDescriptor NULL); ERROR_UNKNOWN_REVISION (revision not 1);
 *  ERROR_INVALID_SECURITY_DESCR (a self-relative descriptor); ERROR_INVALID_SID (pOwner
 *  invalid). */
BOOL HostSecW32_SetSecurityDescriptorOwner(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID pOwner,
                                           BOOL bOwnerDefaulted);
/** The owner (NULL: none) of an absolute or self-relative descriptor (a pointer into it).
 *  FALSE: ERROR_NOACCESS (an argument NULL); ERROR_UNKNOWN_REVISION (revision not 1). */
BOOL HostSecW32_GetSecurityDescriptorOwner(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID *pOwner,
                                           LPBOOL lpbOwnerDefaulted);
/** Stores pGroup (the caller's pointer; NULL: none) in an absolute descriptor. FALSE:
 *  ERROR_NOACCESS (pSecurityDescriptor NULL); ERROR_UNKNOWN_REVISION (revision not 1);
 *  ERROR_INVALID_SECURITY_DESCR (a self-relative descriptor); ERROR_INVALID_SID (pGroup
 *  invalid). */
BOOL HostSecW32_SetSecurityDescriptorGroup(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID pGroup,
                                           BOOL bGroupDefaulted);
/** The primary group (NULL: none) of an absolute or self-relative descriptor. FALSE:
 *  ERROR_NOACCESS (an argument NULL); ERROR_UNKNOWN_REVISION (revision not 1). */
BOOL HostSecW32_GetSecurityDescriptorGroup(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID *pGroup,
                                           LPBOOL lpbGroupDefaulted);
/** bDaclPresent FALSE: no DACL; TRUE with pDacl NULL: a NULL DACL (everyone, every right);
 *  else pDacl (the caller's pointer), in an absolute descriptor. FALSE: ERROR_NOACCESS
 *  (pSecurityDescriptor NULL); ERROR_UNKNOWN_REVISION (revision not 1);
 *  ERROR_INVALID_SECURITY_DESCR (a self-relative descriptor); ERROR_INVALID_ACL (pDacl
 *  invalid). */
BOOL HostSecW32_SetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR pSecurityDescriptor, BOOL bDaclPresent, PACL pDacl,
                                          BOOL bDaclDefaulted);
/** Whether a DACL is present and, when it is, the DACL (NULL: a NULL DACL) and its defaulted
 *  flag (else those two are not written, as on Windows). FALSE: ERROR_NOACCESS (an argument
 *  NULL); ERROR_UNKNOWN_REVISION (revision not 1). */
BOOL HostSecW32_GetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR pSecurityDescriptor, LPBOOL lpbDaclPresent,
                                          PACL *pDacl, LPBOOL lpbDaclDefaulted);
/** The self-relative form of an absolute descriptor. FALSE: ERROR_NOACCESS
 *  (pAbsoluteSecurityDescriptor or lpdwBufferLength NULL); ERROR_BAD_DESCRIPTOR_FORMAT
 *  (already self-relative); ERROR_UNKNOWN_REVISION (revision not 1);
 *  ERROR_INVALID_SECURITY_DESCR (an invalid part); ERROR_INSUFFICIENT_BUFFER
 *  (pSelfRelativeSecurityDescriptor NULL or *lpdwBufferLength too small: it receives the
 *  bytes needed). */
BOOL HostSecW32_MakeSelfRelativeSD(PSECURITY_DESCRIPTOR pAbsoluteSecurityDescriptor,
                                   PSECURITY_DESCRIPTOR pSelfRelativeSecurityDescriptor, LPDWORD lpdwBufferLength);
/** An empty ACL of nAclLength bytes. FALSE: ERROR_NOACCESS (pAcl NULL);
 *  ERROR_INSUFFICIENT_BUFFER (below sizeof(ACL)); ERROR_INVALID_PARAMETER (revision outside
 *  2-4, length above 65535 or not a multiple of 4). */
BOOL HostSecW32_InitializeAcl(PACL pAcl, DWORD nAclLength, DWORD dwAclRevision);
/** TRUE for a valid ACL (revision 2-4, every entry inside AclSize and valid). FALSE with
 *  ERROR_INVALID_ACL otherwise, NULL included. */
BOOL HostSecW32_IsValidAcl(PACL pAcl);
/** Appends an access-allowed entry. FALSE: ERROR_NOACCESS (pAcl NULL); ERROR_REVISION_MISMATCH
 *  (dwAceRevision outside 2-4); ERROR_INVALID_ACL; ERROR_INVALID_SID (pSid NULL or invalid);
 *  ERROR_ALLOTTED_SPACE_EXCEEDED (no room: the ACL is unchanged). */
BOOL HostSecW32_AddAccessAllowedAce(PACL pAcl, DWORD dwAceRevision, DWORD AccessMask, PSID pSid);
/** Appends an access-denied entry. FALSE: ERROR_NOACCESS (pAcl NULL); ERROR_REVISION_MISMATCH
 *  (dwAceRevision outside 2-4); ERROR_INVALID_ACL; ERROR_INVALID_SID (pSid NULL or invalid);
 *  ERROR_ALLOTTED_SPACE_EXCEEDED (no room: the ACL is unchanged). */
BOOL HostSecW32_AddAccessDeniedAce(PACL pAcl, DWORD dwAceRevision, DWORD AccessMask, PSID pSid);
/** A pointer to entry dwAceIndex inside the ACL. FALSE: ERROR_NOACCESS (pAcl or pAce NULL);
 *  ERROR_INVALID_ACL; ERROR_INVALID_PARAMETER (index out of range). */
BOOL HostSecW32_GetAce(PACL pAcl, DWORD dwAceIndex, LPVOID *pAce);
/** ACL_REVISION_INFORMATION or ACL_SIZE_INFORMATION. FALSE: ERROR_NOACCESS (pAcl or
 *  pAclInformation NULL); ERROR_INVALID_ACL; ERROR_INSUFFICIENT_BUFFER
 *  (nAclInformationLength below the structure); ERROR_INVALID_PARAMETER (another class). */
BOOL HostSecW32_GetAclInformation(PACL pAcl, LPVOID pAclInformation, DWORD nAclInformationLength,
                                  ACL_INFORMATION_CLASS dwAclInformationClass);
/** Replaces the GENERIC_* bits of *AccessMask by what the mapping gives for them. Either
 *  argument NULL: nothing happens. The last error is unchanged. */
void HostSecW32_MapGenericMask(PDWORD AccessMask, PGENERIC_MAPPING GenericMapping);
/** SDDL ("O:<sid>G:<sid>D:<flags>(<ace>)...", ACE types A and D, flags CI OI NP IO ID, rights
 *  as 0x hex or two-letter codes, SIDs as S-1-... or two-letter aliases) to a self-relative
 *  descriptor freed with LocalFree; SecurityDescriptorSize may be NULL. FALSE:
 *  ERROR_INVALID_PARAMETER (SecurityDescriptor or StringSecurityDescriptor NULL, or
 *  malformed); ERROR_UNKNOWN_REVISION (StringSDRevision not SDDL_REVISION_1);
 *  ERROR_INVALID_SID (a malformed SID); ERROR_NOT_ENOUGH_MEMORY. *SecurityDescriptor = NULL on
 *  failure. */
BOOL HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(LPCSTR StringSecurityDescriptor,
                                                                     DWORD StringSDRevision,
                                                                     PSECURITY_DESCRIPTOR *SecurityDescriptor,
                                                                     PULONG SecurityDescriptorSize);
/** The SDDL of the parts SecurityInformation names, freed with LocalFree; the length (may be
 *  NULL) counts the NUL. FALSE: ERROR_INVALID_PARAMETER (StringSecurityDescriptor NULL);
 *  ERROR_UNKNOWN_REVISION (RequestedStringSDRevision not SDDL_REVISION_1);
 *  ERROR_INVALID_SECURITY_DESCR (SecurityDescriptor NULL or invalid);
 *  ERROR_NOT_ENOUGH_MEMORY. *StringSecurityDescriptor = NULL on failure. */
BOOL HostSecW32_ConvertSecurityDescriptorToStringSecurityDescriptorA(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                                     DWORD RequestedStringSDRevision,
                                                                     SECURITY_INFORMATION SecurityInformation,
                                                                     LPSTR *StringSecurityDescriptor,
                                                                     PULONG StringSecurityDescriptorLen);
/** Whether the descriptor grants ClientToken (an impersonation token at
 *  SecurityIdentification or above, with TOKEN_QUERY) DesiredAccess: TRUE with *AccessStatus
 *  and *GrantedAccess, and GetLastError ERROR_SUCCESS, or ERROR_ACCESS_DENIED (or
 *  ERROR_PRIVILEGE_NOT_HELD: ACCESS_SYSTEM_SECURITY without SeSecurityPrivilege) when
 *  *AccessStatus is FALSE. FALSE: ERROR_NOACCESS (GenericMapping, PrivilegeSetLength,
 *  GrantedAccess or AccessStatus NULL; or PrivilegeSet NULL with a length that would do);
 *  ERROR_INVALID_HANDLE; ERROR_NO_IMPERSONATION_TOKEN (a primary token);
 *  ERROR_BAD_IMPERSONATION_LEVEL (SecurityAnonymous); ERROR_ACCESS_DENIED (no TOKEN_QUERY);
 *  ERROR_INVALID_SECURITY_DESCR (NULL, invalid, or no owner or group);
 *  ERROR_GENERIC_NOT_MAPPED (GENERIC_* bits in DesiredAccess); ERROR_INSUFFICIENT_BUFFER
 *  (*PrivilegeSetLength too small: it receives the size, nothing else is written);
 *  ERROR_INTERNAL_ERROR (closed). Common results. */
BOOL HostSecW32_AccessCheck(PSECURITY_DESCRIPTOR pSecurityDescriptor, HANDLE ClientToken, DWORD DesiredAccess,
                            PGENERIC_MAPPING GenericMapping, PPRIVILEGE_SET PrivilegeSet,
                            LPDWORD PrivilegeSetLength, LPDWORD GrantedAccess, LPBOOL AccessStatus);
/** The token object's security descriptor (self-relative): the parts RequestedInformation
 *  names. FALSE: ERROR_NOACCESS (lpnLengthNeeded NULL; or pSecurityDescriptor NULL with an
 *  nLength that would do); ERROR_INVALID_HANDLE; ERROR_PRIVILEGE_NOT_HELD
 *  (SACL_SECURITY_INFORMATION); ERROR_ACCESS_DENIED (no READ_CONTROL on the handle);
 *  ERROR_INSUFFICIENT_BUFFER (nLength too small: *lpnLengthNeeded receives the size);
 *  ERROR_INTERNAL_ERROR (closed). Common results. */
BOOL HostSecW32_GetKernelObjectSecurity(HANDLE Handle, SECURITY_INFORMATION RequestedInformation,
                                        PSECURITY_DESCRIPTOR pSecurityDescriptor, DWORD nLength,
                                        LPDWORD lpnLengthNeeded);
/** Replaces the token object's owner (WRITE_OWNER; the caller's own user SID unless it holds
 *  CAP_CHOWN), group (WRITE_OWNER) and/or DACL (WRITE_DAC; none in the descriptor: a NULL
 *  DACL): every later OpenThreadToken, OpenProcessToken and DuplicateTokenEx checks the new
 *  DACL. FALSE: ERROR_INVALID_HANDLE; ERROR_PRIVILEGE_NOT_HELD (SACL_SECURITY_INFORMATION);
 *  ERROR_ACCESS_DENIED (the handle lacks a right above); ERROR_INVALID_SECURITY_DESCR
 *  (SecurityDescriptor NULL or invalid); ERROR_INVALID_OWNER (no owner in it, or another SID
 *  than the caller's without CAP_CHOWN); ERROR_BAD_IMPERSONATION_LEVEL (an owner asked for
 *  while the thread impersonates below SecurityImpersonation); ERROR_INVALID_PRIMARY_GROUP (no
 *  group in it); ERROR_INTERNAL_ERROR (closed). Nothing changes on failure. Common
 *  results. */
BOOL HostSecW32_SetKernelObjectSecurity(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                        PSECURITY_DESCRIPTOR SecurityDescriptor);
/** A restricted copy of a token (TOKEN_DUPLICATE; same type and level, the source handle's
 *  rights): SidsToDisable (the token's user or groups; others are ignored) become deny-only
 *  (they count for AccessCheck only; the ids stay the account's. A Linux user or group both
 *  grants and denies, so the kernel has no deny-only form: a token with deny-only SIDs starts
 *  no process and is impersonated at SecurityIdentification only, ERROR_NOT_SUPPORTED
 *  otherwise; one with restricting SIDs starts no process either), the privileges deleted (their capabilities gone from the
 *  token: impersonating it drops them from the thread's kernel credentials;
 *  DISABLE_MAX_PRIVILEGE deletes all but
 *  SeChangeNotifyPrivilege; unknown LUIDs are ignored), SidsToRestrict make AccessCheck's
 *  second pass. Restricting a restricted token only narrows it: its restricting SIDs become
 *  those also in SidsToRestrict (none given: unchanged; none in both: no restricting SID and a
 *  second pass that grants nothing); deny-only SIDs and deleted privileges add up. FALSE: ERROR_NOACCESS (NewTokenHandle NULL); ERROR_INVALID_PARAMETER (flags
 *  other than DISABLE_MAX_PRIVILEGE and SANDBOX_INERT, or a count with a NULL array);
 *  ERROR_INVALID_HANDLE; ERROR_ACCESS_DENIED (no TOKEN_DUPLICATE); ERROR_INVALID_SID (a SID in
 *  SidsToDisable or SidsToRestrict); ERROR_NOT_ENOUGH_MEMORY (no handle slot left);
 *  ERROR_INTERNAL_ERROR (closed). *NewTokenHandle = NULL on failure. Common results. */
BOOL HostSecW32_CreateRestrictedToken(HANDLE ExistingTokenHandle, DWORD Flags, DWORD DisableSidCount,
                                      PSID_AND_ATTRIBUTES SidsToDisable, DWORD DeletePrivilegeCount,
                                      PLUID_AND_ATTRIBUTES PrivilegesToDelete, DWORD RestrictedSidCount,
                                      PSID_AND_ATTRIBUTES SidsToRestrict, PHANDLE NewTokenHandle);
/** TRUE with ERROR_SUCCESS when the token has restricting SIDs or was restricted again to none
 *  it had (its second pass grants nothing), FALSE with ERROR_SUCCESS when it has none. FALSE: ERROR_INVALID_HANDLE; ERROR_ACCESS_DENIED (no TOKEN_QUERY). Works after
 *  the library closed. Common results. */
BOOL HostSecW32_IsTokenRestricted(HANDLE TokenHandle);

/** A process as the account of hToken (a primary token with TOKEN_QUERY, TOKEN_DUPLICATE and
 *  TOKEN_ASSIGN_PRIMARY), with the credentials, session, keyring, umask, rlimits and
 *  no_new_privs rules HostSec_SpawnAsUser gives (hostsec.h: no PAM session, the caller's
 *  rlimits and audit login uid; a uid-0 token with its privileges deleted is root without
 *  capabilities, owner of every file root owns; a set-user-ID or file-capability program
 *  never takes a child of a non-root token above the token: no_new_privs; the child is not
 *  dumpable until its execve). lpCommandLine is split into argv as
 *  Windows' C runtime splits it (docs/access-control.md); the program is lpApplicationName
 *  (a path; a relative one is completed from the caller's current folder, as Windows does)
 *  or else the first word: with a '/', a path the same way; without, searched in the
 *  caller's PATH, absolute entries only (an empty, "." or relative entry is skipped). The
 *  caller opens the program and the child runs that very file: never one from
 *  lpCurrentDirectory. lpEnvironment: NULL is the account's minimal environment (HOME, USER,
 *  LOGNAME and SHELL from its passwd entry, none of them without one, and
 *  PATH=/usr/local/bin:/usr/bin:/bin), never the caller's; else a block of "NAME=value"
 *  strings ending with an empty one. lpCurrentDirectory NULL: the account's home folder, or
 *  "/" when it has none or may not enter it. Descriptors 0-2: with STARTF_USESTDHANDLES,
 *  hStdInput, hStdOutput and hStdError are descriptors of the caller as HANDLE values
 *  ((HANDLE)(intptr_t)fd, so NULL is descriptor 0) or INVALID_HANDLE_VALUE for /dev/null;
 *  without it, /dev/null, except a terminal there (the caller's console, shared as Windows
 *  shares it with a console child). bInheritHandles FALSE closes every other descriptor, TRUE
 *  keeps those without FD_CLOEXEC. The child always leads a session of its own without a
 *  controlling terminal (so CREATE_NEW_PROCESS_GROUP is always the case); DETACHED_PROCESS,
 *  CREATE_NEW_CONSOLE and CREATE_NO_WINDOW also put /dev/null in place of a terminal at 0-2
 *  (no console is made); CREATE_DEFAULT_ERROR_MODE changes nothing.
 *  *lpProcessInformation: process and thread handles (both wait for the process; close both
 *  with CloseHandle), its pid, and the pid as thread id (Linux's main thread id).
 *  FALSE: ERROR_NOACCESS (lpStartupInfo or lpProcessInformation NULL);
 *  ERROR_INVALID_PARAMETER (no program, CREATE_SUSPENDED, CREATE_UNICODE_ENVIRONMENT, another
 *  flag, attributes with a security descriptor; the token has more groups than a process can
 *  hold; execve answered EINVAL); ERROR_INVALID_HANDLE (hToken; or with STARTF_USESTDHANDLES a
 *  standard handle that is no open descriptor); ERROR_BAD_TOKEN_TYPE; ERROR_NOT_SUPPORTED (a
 *  restricted token with restricting or deny-only SIDs: nothing starts); ERROR_ACCESS_DENIED (rights, or starting another account without
 *  CAP_SETUID/CAP_SETGID, or a program or lpCurrentDirectory the account may not use);
 *  ERROR_FILE_NOT_FOUND (no such program, a name on no absolute PATH entry, or no such
 *  lpCurrentDirectory); ERROR_BAD_EXE_FORMAT; ERROR_NOT_ENOUGH_MEMORY (no memory, or the
 *  process limit); ERROR_INTERNAL_ERROR (fork or execve failed otherwise; or closed). Common
 *  results. */
BOOL HostSecW32_CreateProcessAsUserA(HANDLE hToken, LPCSTR lpApplicationName, LPSTR lpCommandLine,
                                     LPSECURITY_ATTRIBUTES lpProcessAttributes,
                                     LPSECURITY_ATTRIBUTES lpThreadAttributes, BOOL bInheritHandles,
                                     DWORD dwCreationFlags, LPVOID lpEnvironment, LPCSTR lpCurrentDirectory,
                                     LPSTARTUPINFOA lpStartupInfo, LPPROCESS_INFORMATION lpProcessInformation);
/** A process handle: WAIT_OBJECT_0 once the process has ended (also when the host reaped it
 *  itself), WAIT_TIMEOUT after dwMilliseconds (INFINITE: no limit; the wait sleeps, it never
 *  spins). WAIT_FAILED with ERROR_INVALID_HANDLE for anything else (token handles cannot be
 *  waited on). The last error is unchanged otherwise. Closing the handles while another
 *  thread waits does not end that wait early: it returns when the process ends. */
DWORD HostSecW32_WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
/** STILL_ACTIVE while the process runs; then its exit status, or 128 + the signal that ended
 *  it, or HS_EXIT_CODE_UNKNOWN when the host reaped it first (its status is lost). FALSE: ERROR_INVALID_HANDLE (not a process handle); ERROR_NOACCESS (lpExitCode NULL). */
BOOL HostSecW32_GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode);

HOSTSEC_END_DECLS

/* ---------------------------------------------------------------------------------------
 * The Windows names: each the HostSecW32_ function above under its Windows name (an asm
 * label: the same symbol, not a copy), with the doc block of that function.
 * ------------------------------------------------------------------------------------- */
#ifndef HOSTSEC_W32_NO_WINDOWS_NAMES

#if defined(__GNUC__) || defined(__clang__)
#define HOSTSEC_W32_STR_(x) #x
#define HOSTSEC_W32_STR(x) HOSTSEC_W32_STR_(x)
/* The symbol of a Windows name: HostSecW32_<name>, with the platform's prefix for C symbols. */
#define HOSTSEC_W32_NAME(name) __asm__(HOSTSEC_W32_STR(__USER_LABEL_PREFIX__) "HostSecW32_" #name)
#else
#error "hostsec_win32.h: the Windows names need asm labels (gcc, clang); define HOSTSEC_W32_NO_WINDOWS_NAMES and call the HostSecW32_ functions"
#endif

HOSTSEC_BEGIN_DECLS
HANDLE WINAPI GetCurrentProcess(void) HOSTSEC_W32_NAME(GetCurrentProcess);
HANDLE WINAPI GetCurrentThread(void) HOSTSEC_W32_NAME(GetCurrentThread);
BOOL WINAPI CloseHandle(HANDLE hObject) HOSTSEC_W32_NAME(CloseHandle);
DWORD WINAPI GetLastError(void) HOSTSEC_W32_NAME(GetLastError);
void WINAPI SetLastError(DWORD dwErrCode) HOSTSEC_W32_NAME(SetLastError);
BOOL WINAPI OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess,
                             PHANDLE TokenHandle) HOSTSEC_W32_NAME(OpenProcessToken);
BOOL WINAPI OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf,
                            PHANDLE TokenHandle) HOSTSEC_W32_NAME(OpenThreadToken);
BOOL WINAPI ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL ImpersonationLevel) HOSTSEC_W32_NAME(ImpersonateSelf);
BOOL WINAPI RevertToSelf(void) HOSTSEC_W32_NAME(RevertToSelf);
BOOL WINAPI ImpersonateLoggedOnUser(HANDLE hToken) HOSTSEC_W32_NAME(ImpersonateLoggedOnUser);
BOOL WINAPI SetThreadToken(PHANDLE Thread, HANDLE Token) HOSTSEC_W32_NAME(SetThreadToken);
BOOL WINAPI DuplicateToken(HANDLE ExistingTokenHandle, SECURITY_IMPERSONATION_LEVEL ImpersonationLevel,
                           PHANDLE DuplicateTokenHandle) HOSTSEC_W32_NAME(DuplicateToken);
BOOL WINAPI DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess, LPSECURITY_ATTRIBUTES lpTokenAttributes,
                             SECURITY_IMPERSONATION_LEVEL ImpersonationLevel, TOKEN_TYPE TokenType,
                             PHANDLE phNewToken) HOSTSEC_W32_NAME(DuplicateTokenEx);
BOOL WINAPI GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                LPVOID TokenInformation, DWORD TokenInformationLength,
                                PDWORD ReturnLength) HOSTSEC_W32_NAME(GetTokenInformation);
BOOL WINAPI LogonUserA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                       DWORD dwLogonProvider, PHANDLE phToken) HOSTSEC_W32_NAME(LogonUserA);
BOOL WINAPI IsValidSid(PSID pSid) HOSTSEC_W32_NAME(IsValidSid);
DWORD WINAPI GetLengthSid(PSID pSid) HOSTSEC_W32_NAME(GetLengthSid);
BOOL WINAPI EqualSid(PSID pSid1, PSID pSid2) HOSTSEC_W32_NAME(EqualSid);
BOOL WINAPI CopySid(DWORD nDestinationSidLength, PSID pDestinationSid, PSID pSourceSid) HOSTSEC_W32_NAME(CopySid);
BOOL WINAPI AllocateAndInitializeSid(PSID_IDENTIFIER_AUTHORITY pIdentifierAuthority, BYTE nSubAuthorityCount,
                                     DWORD nSubAuthority0, DWORD nSubAuthority1, DWORD nSubAuthority2,
                                     DWORD nSubAuthority3, DWORD nSubAuthority4, DWORD nSubAuthority5,
                                     DWORD nSubAuthority6, DWORD nSubAuthority7,
                                     PSID *pSid) HOSTSEC_W32_NAME(AllocateAndInitializeSid);
PVOID WINAPI FreeSid(PSID pSid) HOSTSEC_W32_NAME(FreeSid);
PDWORD WINAPI GetSidSubAuthority(PSID pSid, DWORD nSubAuthority) HOSTSEC_W32_NAME(GetSidSubAuthority);
PUCHAR WINAPI GetSidSubAuthorityCount(PSID pSid) HOSTSEC_W32_NAME(GetSidSubAuthorityCount);
BOOL WINAPI ConvertSidToStringSidA(PSID Sid, LPSTR *StringSid) HOSTSEC_W32_NAME(ConvertSidToStringSidA);
BOOL WINAPI ConvertStringSidToSidA(LPCSTR StringSid, PSID *Sid) HOSTSEC_W32_NAME(ConvertStringSidToSidA);
BOOL WINAPI LookupAccountSidA(LPCSTR lpSystemName, PSID Sid, LPSTR Name, LPDWORD cchName, LPSTR ReferencedDomainName,
                              LPDWORD cchReferencedDomainName, PSID_NAME_USE peUse) HOSTSEC_W32_NAME(LookupAccountSidA);
BOOL WINAPI LookupAccountNameA(LPCSTR lpSystemName, LPCSTR lpAccountName, PSID Sid, LPDWORD cbSid,
                               LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                               PSID_NAME_USE peUse) HOSTSEC_W32_NAME(LookupAccountNameA);
BOOL WINAPI CheckTokenMembership(HANDLE TokenHandle, PSID SidToCheck,
                                 PBOOL IsMember) HOSTSEC_W32_NAME(CheckTokenMembership);
BOOL WINAPI LookupPrivilegeValueA(LPCSTR lpSystemName, LPCSTR lpName,
                                  PLUID lpLuid) HOSTSEC_W32_NAME(LookupPrivilegeValueA);
BOOL WINAPI LookupPrivilegeNameA(LPCSTR lpSystemName, PLUID lpLuid, LPSTR lpName,
                                 LPDWORD cchName) HOSTSEC_W32_NAME(LookupPrivilegeNameA);
BOOL WINAPI LookupPrivilegeDisplayNameA(LPCSTR lpSystemName, LPCSTR lpName, LPSTR lpDisplayName, LPDWORD cchDisplayName,
                                        LPDWORD lpLanguageId) HOSTSEC_W32_NAME(LookupPrivilegeDisplayNameA);
BOOL WINAPI AdjustTokenPrivileges(HANDLE TokenHandle, BOOL DisableAllPrivileges, PTOKEN_PRIVILEGES NewState,
                                  DWORD BufferLength, PTOKEN_PRIVILEGES PreviousState,
                                  PDWORD ReturnLength) HOSTSEC_W32_NAME(AdjustTokenPrivileges);
BOOL WINAPI PrivilegeCheck(HANDLE ClientToken, PPRIVILEGE_SET RequiredPrivileges,
                           LPBOOL pfResult) HOSTSEC_W32_NAME(PrivilegeCheck);
HLOCAL WINAPI LocalFree(HLOCAL hMem) HOSTSEC_W32_NAME(LocalFree);
BOOL WINAPI InitializeSecurityDescriptor(PSECURITY_DESCRIPTOR pSecurityDescriptor,
                                         DWORD dwRevision) HOSTSEC_W32_NAME(InitializeSecurityDescriptor);
BOOL WINAPI IsValidSecurityDescriptor(
                                      PSECURITY_DESCRIPTOR pSecurityDescriptor)
    HOSTSEC_W32_NAME(IsValidSecurityDescriptor);
BOOLEAN WINAPI RtlValidRelativeSecurityDescriptor(PSECURITY_DESCRIPTOR SecurityDescriptorInput,
                                                  ULONG SecurityDescriptorLength,
                                                  SECURITY_INFORMATION RequiredInformation)
    HOSTSEC_W32_NAME(RtlValidRelativeSecurityDescriptor);
DWORD WINAPI GetSecurityDescriptorLength(
                                         PSECURITY_DESCRIPTOR pSecurityDescriptor)
    HOSTSEC_W32_NAME(GetSecurityDescriptorLength);
BOOL WINAPI GetSecurityDescriptorControl(PSECURITY_DESCRIPTOR pSecurityDescriptor,
                                         PSECURITY_DESCRIPTOR_CONTROL pControl,
                                         LPDWORD lpdwRevision) HOSTSEC_W32_NAME(GetSecurityDescriptorControl);
BOOL WINAPI SetSecurityDescriptorOwner(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID pOwner,
                                       BOOL bOwnerDefaulted) HOSTSEC_W32_NAME(SetSecurityDescriptorOwner);
BOOL WINAPI GetSecurityDescriptorOwner(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID *pOwner,
                                       LPBOOL lpbOwnerDefaulted) HOSTSEC_W32_NAME(GetSecurityDescriptorOwner);
BOOL WINAPI SetSecurityDescriptorGroup(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID pGroup,
                                       BOOL bGroupDefaulted) HOSTSEC_W32_NAME(SetSecurityDescriptorGroup);
BOOL WINAPI GetSecurityDescriptorGroup(PSECURITY_DESCRIPTOR pSecurityDescriptor, PSID *pGroup,
                                       LPBOOL lpbGroupDefaulted) HOSTSEC_W32_NAME(GetSecurityDescriptorGroup);
BOOL WINAPI SetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR pSecurityDescriptor, BOOL bDaclPresent, PACL pDacl,
                                      BOOL bDaclDefaulted) HOSTSEC_W32_NAME(SetSecurityDescriptorDacl);
BOOL WINAPI GetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR pSecurityDescriptor, LPBOOL lpbDaclPresent, PACL *pDacl,
                                      LPBOOL lpbDaclDefaulted) HOSTSEC_W32_NAME(GetSecurityDescriptorDacl);
BOOL WINAPI MakeSelfRelativeSD(PSECURITY_DESCRIPTOR pAbsoluteSecurityDescriptor,
                               PSECURITY_DESCRIPTOR pSelfRelativeSecurityDescriptor,
                               LPDWORD lpdwBufferLength) HOSTSEC_W32_NAME(MakeSelfRelativeSD);
BOOL WINAPI InitializeAcl(PACL pAcl, DWORD nAclLength, DWORD dwAclRevision) HOSTSEC_W32_NAME(InitializeAcl);
BOOL WINAPI IsValidAcl(PACL pAcl) HOSTSEC_W32_NAME(IsValidAcl);
BOOL WINAPI AddAccessAllowedAce(PACL pAcl, DWORD dwAceRevision, DWORD AccessMask,
                                PSID pSid) HOSTSEC_W32_NAME(AddAccessAllowedAce);
BOOL WINAPI AddAccessDeniedAce(PACL pAcl, DWORD dwAceRevision, DWORD AccessMask,
                               PSID pSid) HOSTSEC_W32_NAME(AddAccessDeniedAce);
BOOL WINAPI GetAce(PACL pAcl, DWORD dwAceIndex, LPVOID *pAce) HOSTSEC_W32_NAME(GetAce);
BOOL WINAPI GetAclInformation(PACL pAcl, LPVOID pAclInformation, DWORD nAclInformationLength,
                              ACL_INFORMATION_CLASS dwAclInformationClass) HOSTSEC_W32_NAME(GetAclInformation);
void WINAPI MapGenericMask(PDWORD AccessMask, PGENERIC_MAPPING GenericMapping) HOSTSEC_W32_NAME(MapGenericMask);
BOOL WINAPI ConvertStringSecurityDescriptorToSecurityDescriptorA(LPCSTR StringSecurityDescriptor,
                                                                 DWORD StringSDRevision,
                                                                 PSECURITY_DESCRIPTOR *SecurityDescriptor,
                                                                 PULONG SecurityDescriptorSize)
    HOSTSEC_W32_NAME(ConvertStringSecurityDescriptorToSecurityDescriptorA);
BOOL WINAPI ConvertSecurityDescriptorToStringSecurityDescriptorA(PSECURITY_DESCRIPTOR SecurityDescriptor,
                                                                 DWORD RequestedStringSDRevision,
                                                                 SECURITY_INFORMATION SecurityInformation,
                                                                 LPSTR *StringSecurityDescriptor,
                                                                 PULONG StringSecurityDescriptorLen)
    HOSTSEC_W32_NAME(ConvertSecurityDescriptorToStringSecurityDescriptorA);
BOOL WINAPI AccessCheck(PSECURITY_DESCRIPTOR pSecurityDescriptor, HANDLE ClientToken, DWORD DesiredAccess,
                        PGENERIC_MAPPING GenericMapping, PPRIVILEGE_SET PrivilegeSet, LPDWORD PrivilegeSetLength,
                        LPDWORD GrantedAccess, LPBOOL AccessStatus) HOSTSEC_W32_NAME(AccessCheck);
BOOL WINAPI GetKernelObjectSecurity(HANDLE Handle, SECURITY_INFORMATION RequestedInformation,
                                    PSECURITY_DESCRIPTOR pSecurityDescriptor, DWORD nLength,
                                    LPDWORD lpnLengthNeeded) HOSTSEC_W32_NAME(GetKernelObjectSecurity);
BOOL WINAPI SetKernelObjectSecurity(HANDLE Handle, SECURITY_INFORMATION SecurityInformation,
                                    PSECURITY_DESCRIPTOR SecurityDescriptor) HOSTSEC_W32_NAME(SetKernelObjectSecurity);
BOOL WINAPI CreateRestrictedToken(HANDLE ExistingTokenHandle, DWORD Flags, DWORD DisableSidCount,
                                  PSID_AND_ATTRIBUTES SidsToDisable, DWORD DeletePrivilegeCount,
                                  PLUID_AND_ATTRIBUTES PrivilegesToDelete, DWORD RestrictedSidCount,
                                  PSID_AND_ATTRIBUTES SidsToRestrict,
                                  PHANDLE NewTokenHandle) HOSTSEC_W32_NAME(CreateRestrictedToken);
BOOL WINAPI IsTokenRestricted(HANDLE TokenHandle) HOSTSEC_W32_NAME(IsTokenRestricted);
BOOL WINAPI CreateProcessAsUserA(HANDLE hToken, LPCSTR lpApplicationName, LPSTR lpCommandLine,
                                 LPSECURITY_ATTRIBUTES lpProcessAttributes, LPSECURITY_ATTRIBUTES lpThreadAttributes,
                                 BOOL bInheritHandles, DWORD dwCreationFlags, LPVOID lpEnvironment,
                                 LPCSTR lpCurrentDirectory, LPSTARTUPINFOA lpStartupInfo,
                                 LPPROCESS_INFORMATION lpProcessInformation) HOSTSEC_W32_NAME(CreateProcessAsUserA);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds) HOSTSEC_W32_NAME(WaitForSingleObject);
BOOL WINAPI GetExitCodeProcess(HANDLE hProcess, LPDWORD lpExitCode) HOSTSEC_W32_NAME(GetExitCodeProcess);
HOSTSEC_END_DECLS

/* The A functions are the only ones: a program that names the generic (TCHAR) spelling
 * gets the narrow one, as a Windows build without UNICODE does. */
#define LogonUser LogonUserA
#define ConvertSidToStringSid ConvertSidToStringSidA
#define ConvertStringSidToSid ConvertStringSidToSidA
#define LookupAccountSid LookupAccountSidA
#define LookupAccountName LookupAccountNameA
#define LookupPrivilegeValue LookupPrivilegeValueA
#define LookupPrivilegeName LookupPrivilegeNameA
#define LookupPrivilegeDisplayName LookupPrivilegeDisplayNameA
#define ConvertStringSecurityDescriptorToSecurityDescriptor ConvertStringSecurityDescriptorToSecurityDescriptorA
#define CreateProcessAsUser CreateProcessAsUserA
#define STARTUPINFO STARTUPINFOA
#define LPSTARTUPINFO LPSTARTUPINFOA
#define ConvertSecurityDescriptorToStringSecurityDescriptor ConvertSecurityDescriptorToStringSecurityDescriptorA

#endif /* HOSTSEC_W32_NO_WINDOWS_NAMES */

#endif /* HOSTSEC_WIN32_H */
