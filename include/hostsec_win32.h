/*
 * hostsec_win32.h - Windows' token, SID and privilege API with Windows' names, over hostsec.
 *
 * A program ported from Windows includes <windows.h> and <sddl.h> (this directory's win32/
 * folder, on the include path with -I<include>/win32, or pkg-config hostsec-win32) and calls
 * OpenProcessToken, GetTokenInformation(TokenUser), AdjustTokenPrivileges, ... unchanged:
 * the names, types, structure layouts and signatures are those of winnt.h, securitybaseapi.h,
 * processthreadsapi.h, winbase.h and sddl.h (64-bit layouts), results are BOOL with the
 * reason in GetLastError(), as on Windows. docs/win32.md gives each function's behaviour
 * here, each result with the test that shows it, and the SID and privilege mappings.
 *
 * Exports. libhostsec.so exports no Windows name: a host may load other libraries that
 * define them. Each function is exported as HostSecW32_<Windows name> (HostSecW32_
 * OpenProcessToken, ...), and this header gives the Windows name as a static inline function
 * that calls it, so the name, its prototype and &OpenProcessToken all work as in C on
 * Windows (each translation unit gets its own copy, so function addresses taken in two files
 * differ; compare results, not addresses). Define HOSTSEC_W32_NO_WINDOWS_NAMES to get only the
 * prefixed functions (for a program that also has its own Windows layer).
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
#ifndef ERROR_INVALID_SID
#define ERROR_INVALID_SID 1337L
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
 * The exported functions (prefixed). Results: TRUE, or FALSE with GetLastError() set;
 * docs/win32.md lists every error each one reports and the test that shows it.
 * ------------------------------------------------------------------------------------- */
HOSTSEC_BEGIN_DECLS

/** (HANDLE)-1: the calling process, as GetCurrentProcess() returns it. */
HANDLE HostSecW32_GetCurrentProcess(void);
/** (HANDLE)-2: the calling thread, as GetCurrentThread() returns it. */
HANDLE HostSecW32_GetCurrentThread(void);
/** Closes a token handle. A pseudo-handle: TRUE, nothing happens.
 *  ERROR_INVALID_HANDLE: not a live handle. */
BOOL HostSecW32_CloseHandle(HANDLE hObject);
/** The calling thread's last-error value. */
DWORD HostSecW32_GetLastError(void);
/** Sets the calling thread's last-error value. */
void HostSecW32_SetLastError(DWORD dwErrCode);

/** The process token. ProcessHandle must be GetCurrentProcess() (ERROR_INVALID_HANDLE
 *  otherwise); ERROR_NOACCESS (TokenHandle NULL); ERROR_ACCESS_DENIED;
 *  ERROR_BAD_IMPERSONATION_LEVEL (the thread impersonates at identification level). */
BOOL HostSecW32_OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle);
/** The calling thread's impersonation token. ThreadHandle must be GetCurrentThread().
 *  ERROR_NO_TOKEN (not impersonating); ERROR_CANT_OPEN_ANONYMOUS; ERROR_BAD_IMPERSONATION_LEVEL
 *  (identification level and OpenAsSelf FALSE); ERROR_ACCESS_DENIED; ERROR_INVALID_HANDLE;
 *  ERROR_NOACCESS. *TokenHandle = NULL on failure. */
BOOL HostSecW32_OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf, PHANDLE TokenHandle);
/** The thread impersonates a copy of the process token. ERROR_INVALID_PARAMETER (level). */
BOOL HostSecW32_ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL ImpersonationLevel);
/** Ends the thread's impersonation (TRUE when there is none). */
BOOL HostSecW32_RevertToSelf(void);
/** The thread impersonates hToken (a primary token needs TOKEN_QUERY | TOKEN_DUPLICATE, an
 *  impersonation token TOKEN_QUERY | TOKEN_IMPERSONATE). ERROR_INVALID_HANDLE;
 *  ERROR_ACCESS_DENIED. Without CAP_SETUID/CAP_SETGID another account's token is held at
 *  SecurityIdentification, as Windows does without SeImpersonatePrivilege. */
BOOL HostSecW32_ImpersonateLoggedOnUser(HANDLE hToken);
/** Thread NULL or pointing at GetCurrentThread(): the calling thread impersonates Token (an
 *  impersonation token with TOKEN_IMPERSONATE), or reverts when Token is NULL.
 *  ERROR_INVALID_HANDLE (another thread, or a bad token handle); ERROR_BAD_TOKEN_TYPE;
 *  ERROR_ACCESS_DENIED. */
BOOL HostSecW32_SetThreadToken(PHANDLE Thread, HANDLE Token);
/** An impersonation token (TOKEN_IMPERSONATE | TOKEN_QUERY access) at ImpersonationLevel.
 *  Level rules as DuplicateTokenEx. */
BOOL HostSecW32_DuplicateToken(HANDLE ExistingTokenHandle, SECURITY_IMPERSONATION_LEVEL ImpersonationLevel,
                               PHANDLE DuplicateTokenHandle);
/** A new token of TokenType at ImpersonationLevel. dwDesiredAccess 0: the source handle's
 *  rights. ERROR_BAD_IMPERSONATION_LEVEL (above an impersonation source's level, or a primary
 *  token from one below SecurityImpersonation); ERROR_ACCESS_DENIED (no TOKEN_DUPLICATE);
 *  ERROR_INVALID_PARAMETER (type or level out of range, or lpTokenAttributes with a security
 *  descriptor); ERROR_INVALID_HANDLE; ERROR_NOACCESS. */
BOOL HostSecW32_DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
                                 LPSECURITY_ATTRIBUTES lpTokenAttributes,
                                 SECURITY_IMPERSONATION_LEVEL ImpersonationLevel, TOKEN_TYPE TokenType,
                                 PHANDLE phNewToken);
/** TokenUser, TokenGroups, TokenPrivileges, TokenOwner, TokenPrimaryGroup, TokenSource,
 *  TokenType, TokenImpersonationLevel, TokenStatistics in the structures above; SIDs follow
 *  the structure inside the buffer. *ReturnLength receives the bytes needed.
 *  ERROR_INSUFFICIENT_BUFFER (buffer too small, NULL with 0 included); ERROR_ACCESS_DENIED
 *  (no TOKEN_QUERY; TokenSource: TOKEN_QUERY_SOURCE); ERROR_INVALID_PARAMETER (another class,
 *  or TokenImpersonationLevel of a primary token); ERROR_INVALID_HANDLE; ERROR_NOACCESS
 *  (ReturnLength NULL). */
BOOL HostSecW32_GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                    LPVOID TokenInformation, DWORD TokenInformationLength, PDWORD ReturnLength);
/** Logs a local account on through PAM (as HostSec_LogonUserWithPassword). lpszDomain NULL,
 *  "", "." or "Unix User". LOGON32_LOGON_INTERACTIVE: a primary token;
 *  LOGON32_LOGON_NETWORK: an impersonation token (SecurityImpersonation), as Windows gives.
 *  ERROR_LOGON_FAILURE; ERROR_ACCOUNT_EXPIRED; ERROR_PASSWORD_EXPIRED; ERROR_ACCOUNT_DISABLED;
 *  ERROR_NO_LOGON_SERVERS; ERROR_INVALID_PARAMETER (logon type or provider, another domain);
 *  ERROR_NOACCESS (a NULL pointer). *phToken = NULL on failure. */
BOOL HostSecW32_LogonUserA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                           DWORD dwLogonProvider, PHANDLE phToken);

BOOL HostSecW32_IsValidSid(PSID pSid);
DWORD HostSecW32_GetLengthSid(PSID pSid);
BOOL HostSecW32_EqualSid(PSID pSid1, PSID pSid2);
BOOL HostSecW32_CopySid(DWORD nDestinationSidLength, PSID pDestinationSid, PSID pSourceSid);
/** A SID allocated by the library; free it with FreeSid. */
BOOL HostSecW32_AllocateAndInitializeSid(PSID_IDENTIFIER_AUTHORITY pIdentifierAuthority, BYTE nSubAuthorityCount,
                                         DWORD nSubAuthority0, DWORD nSubAuthority1, DWORD nSubAuthority2,
                                         DWORD nSubAuthority3, DWORD nSubAuthority4, DWORD nSubAuthority5,
                                         DWORD nSubAuthority6, DWORD nSubAuthority7, PSID *pSid);
/** Frees a SID from AllocateAndInitializeSid: NULL; anything else is returned unfreed. */
PVOID HostSecW32_FreeSid(PSID pSid);
PDWORD HostSecW32_GetSidSubAuthority(PSID pSid, DWORD nSubAuthority);
PUCHAR HostSecW32_GetSidSubAuthorityCount(PSID pSid);
/** "S-1-..." allocated by the library; free it with LocalFree. */
BOOL HostSecW32_ConvertSidToStringSidA(PSID Sid, LPSTR *StringSid);
/** A SID from "S-1-..." or an SDDL alias (WD, AU, BA, SY); free it with LocalFree. */
BOOL HostSecW32_ConvertStringSidToSidA(LPCSTR StringSid, PSID *Sid);
BOOL HostSecW32_LookupAccountSidA(LPCSTR lpSystemName, PSID Sid, LPSTR Name, LPDWORD cchName,
                                  LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                  PSID_NAME_USE peUse);
BOOL HostSecW32_LookupAccountNameA(LPCSTR lpSystemName, LPCSTR lpAccountName, PSID Sid, LPDWORD cbSid,
                                   LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                   PSID_NAME_USE peUse);
BOOL HostSecW32_CheckTokenMembership(HANDLE TokenHandle, PSID SidToCheck, PBOOL IsMember);

BOOL HostSecW32_LookupPrivilegeValueA(LPCSTR lpSystemName, LPCSTR lpName, PLUID lpLuid);
BOOL HostSecW32_LookupPrivilegeNameA(LPCSTR lpSystemName, PLUID lpLuid, LPSTR lpName, LPDWORD cchName);
BOOL HostSecW32_LookupPrivilegeDisplayNameA(LPCSTR lpSystemName, LPCSTR lpName, LPSTR lpDisplayName,
                                            LPDWORD cchDisplayName, LPDWORD lpLanguageId);
/** Enables, disables or removes privileges (their capabilities). TRUE with ERROR_SUCCESS, or
 *  TRUE with ERROR_NOT_ALL_ASSIGNED when the token lacks one asked for, or its LUID is
 *  unknown (the others are changed). The calling thread's kernel capabilities follow at once when it acts as the
 *  token (the process token: see docs/win32.md). FALSE: ERROR_ACCESS_DENIED (no
 *  TOKEN_ADJUST_PRIVILEGES); ERROR_INSUFFICIENT_BUFFER (PreviousState too small: nothing changed);
 *  ERROR_INVALID_PARAMETER; ERROR_INVALID_HANDLE; ERROR_NOACCESS. */
BOOL HostSecW32_AdjustTokenPrivileges(HANDLE TokenHandle, BOOL DisableAllPrivileges, PTOKEN_PRIVILEGES NewState,
                                      DWORD BufferLength, PTOKEN_PRIVILEGES PreviousState, PDWORD ReturnLength);
/** Whether ClientToken (an impersonation token, TOKEN_QUERY) has the privileges enabled;
 *  marks those it has SE_PRIVILEGE_USED_FOR_ACCESS. ERROR_NO_IMPERSONATION_TOKEN (a primary
 *  token); ERROR_BAD_IMPERSONATION_LEVEL (below SecurityIdentification). */
BOOL HostSecW32_PrivilegeCheck(HANDLE ClientToken, PPRIVILEGE_SET RequiredPrivileges, LPBOOL pfResult);
/** Frees what ConvertSidToStringSidA / ConvertStringSidToSidA allocated: NULL. Anything else
 *  is not freed: returned, with ERROR_INVALID_HANDLE. NULL: NULL. */
HLOCAL HostSecW32_LocalFree(HLOCAL hMem);

HOSTSEC_END_DECLS

/* ---------------------------------------------------------------------------------------
 * The Windows names.
 * ------------------------------------------------------------------------------------- */
#ifndef HOSTSEC_W32_NO_WINDOWS_NAMES

#if defined(__GNUC__)
#define HOSTSEC_W32_INLINE static inline __attribute__((unused))
#else
#define HOSTSEC_W32_INLINE static inline
#endif

HOSTSEC_W32_INLINE HANDLE GetCurrentProcess(void) { return HostSecW32_GetCurrentProcess(); }
HOSTSEC_W32_INLINE HANDLE GetCurrentThread(void) { return HostSecW32_GetCurrentThread(); }
HOSTSEC_W32_INLINE BOOL CloseHandle(HANDLE hObject) { return HostSecW32_CloseHandle(hObject); }
HOSTSEC_W32_INLINE DWORD GetLastError(void) { return HostSecW32_GetLastError(); }
HOSTSEC_W32_INLINE void SetLastError(DWORD dwErrCode) { HostSecW32_SetLastError(dwErrCode); }
HOSTSEC_W32_INLINE BOOL OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle) {
    return HostSecW32_OpenProcessToken(ProcessHandle, DesiredAccess, TokenHandle);
}
HOSTSEC_W32_INLINE BOOL OpenThreadToken(HANDLE ThreadHandle, DWORD DesiredAccess, BOOL OpenAsSelf,
                                        PHANDLE TokenHandle) {
    return HostSecW32_OpenThreadToken(ThreadHandle, DesiredAccess, OpenAsSelf, TokenHandle);
}
HOSTSEC_W32_INLINE BOOL ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL ImpersonationLevel) {
    return HostSecW32_ImpersonateSelf(ImpersonationLevel);
}
HOSTSEC_W32_INLINE BOOL RevertToSelf(void) { return HostSecW32_RevertToSelf(); }
HOSTSEC_W32_INLINE BOOL ImpersonateLoggedOnUser(HANDLE hToken) { return HostSecW32_ImpersonateLoggedOnUser(hToken); }
HOSTSEC_W32_INLINE BOOL SetThreadToken(PHANDLE Thread, HANDLE Token) { return HostSecW32_SetThreadToken(Thread, Token); }
HOSTSEC_W32_INLINE BOOL DuplicateToken(HANDLE ExistingTokenHandle, SECURITY_IMPERSONATION_LEVEL ImpersonationLevel,
                                       PHANDLE DuplicateTokenHandle) {
    return HostSecW32_DuplicateToken(ExistingTokenHandle, ImpersonationLevel, DuplicateTokenHandle);
}
HOSTSEC_W32_INLINE BOOL DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
                                         LPSECURITY_ATTRIBUTES lpTokenAttributes,
                                         SECURITY_IMPERSONATION_LEVEL ImpersonationLevel, TOKEN_TYPE TokenType,
                                         PHANDLE phNewToken) {
    return HostSecW32_DuplicateTokenEx(hExistingToken, dwDesiredAccess, lpTokenAttributes, ImpersonationLevel,
                                       TokenType, phNewToken);
}
HOSTSEC_W32_INLINE BOOL GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                            LPVOID TokenInformation, DWORD TokenInformationLength,
                                            PDWORD ReturnLength) {
    return HostSecW32_GetTokenInformation(TokenHandle, TokenInformationClass, TokenInformation,
                                          TokenInformationLength, ReturnLength);
}
HOSTSEC_W32_INLINE BOOL LogonUserA(LPCSTR lpszUsername, LPCSTR lpszDomain, LPCSTR lpszPassword, DWORD dwLogonType,
                                   DWORD dwLogonProvider, PHANDLE phToken) {
    return HostSecW32_LogonUserA(lpszUsername, lpszDomain, lpszPassword, dwLogonType, dwLogonProvider, phToken);
}
HOSTSEC_W32_INLINE BOOL IsValidSid(PSID pSid) { return HostSecW32_IsValidSid(pSid); }
HOSTSEC_W32_INLINE DWORD GetLengthSid(PSID pSid) { return HostSecW32_GetLengthSid(pSid); }
HOSTSEC_W32_INLINE BOOL EqualSid(PSID pSid1, PSID pSid2) { return HostSecW32_EqualSid(pSid1, pSid2); }
HOSTSEC_W32_INLINE BOOL CopySid(DWORD nDestinationSidLength, PSID pDestinationSid, PSID pSourceSid) {
    return HostSecW32_CopySid(nDestinationSidLength, pDestinationSid, pSourceSid);
}
HOSTSEC_W32_INLINE BOOL AllocateAndInitializeSid(PSID_IDENTIFIER_AUTHORITY pIdentifierAuthority,
                                                 BYTE nSubAuthorityCount, DWORD nSubAuthority0,
                                                 DWORD nSubAuthority1, DWORD nSubAuthority2, DWORD nSubAuthority3,
                                                 DWORD nSubAuthority4, DWORD nSubAuthority5, DWORD nSubAuthority6,
                                                 DWORD nSubAuthority7, PSID *pSid) {
    return HostSecW32_AllocateAndInitializeSid(pIdentifierAuthority, nSubAuthorityCount, nSubAuthority0,
                                               nSubAuthority1, nSubAuthority2, nSubAuthority3, nSubAuthority4,
                                               nSubAuthority5, nSubAuthority6, nSubAuthority7, pSid);
}
HOSTSEC_W32_INLINE PVOID FreeSid(PSID pSid) { return HostSecW32_FreeSid(pSid); }
HOSTSEC_W32_INLINE PDWORD GetSidSubAuthority(PSID pSid, DWORD nSubAuthority) {
    return HostSecW32_GetSidSubAuthority(pSid, nSubAuthority);
}
HOSTSEC_W32_INLINE PUCHAR GetSidSubAuthorityCount(PSID pSid) { return HostSecW32_GetSidSubAuthorityCount(pSid); }
HOSTSEC_W32_INLINE BOOL ConvertSidToStringSidA(PSID Sid, LPSTR *StringSid) {
    return HostSecW32_ConvertSidToStringSidA(Sid, StringSid);
}
HOSTSEC_W32_INLINE BOOL ConvertStringSidToSidA(LPCSTR StringSid, PSID *Sid) {
    return HostSecW32_ConvertStringSidToSidA(StringSid, Sid);
}
HOSTSEC_W32_INLINE BOOL LookupAccountSidA(LPCSTR lpSystemName, PSID Sid, LPSTR Name, LPDWORD cchName,
                                          LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                          PSID_NAME_USE peUse) {
    return HostSecW32_LookupAccountSidA(lpSystemName, Sid, Name, cchName, ReferencedDomainName,
                                        cchReferencedDomainName, peUse);
}
HOSTSEC_W32_INLINE BOOL LookupAccountNameA(LPCSTR lpSystemName, LPCSTR lpAccountName, PSID Sid, LPDWORD cbSid,
                                           LPSTR ReferencedDomainName, LPDWORD cchReferencedDomainName,
                                           PSID_NAME_USE peUse) {
    return HostSecW32_LookupAccountNameA(lpSystemName, lpAccountName, Sid, cbSid, ReferencedDomainName,
                                         cchReferencedDomainName, peUse);
}
HOSTSEC_W32_INLINE BOOL CheckTokenMembership(HANDLE TokenHandle, PSID SidToCheck, PBOOL IsMember) {
    return HostSecW32_CheckTokenMembership(TokenHandle, SidToCheck, IsMember);
}
HOSTSEC_W32_INLINE BOOL LookupPrivilegeValueA(LPCSTR lpSystemName, LPCSTR lpName, PLUID lpLuid) {
    return HostSecW32_LookupPrivilegeValueA(lpSystemName, lpName, lpLuid);
}
HOSTSEC_W32_INLINE BOOL LookupPrivilegeNameA(LPCSTR lpSystemName, PLUID lpLuid, LPSTR lpName, LPDWORD cchName) {
    return HostSecW32_LookupPrivilegeNameA(lpSystemName, lpLuid, lpName, cchName);
}
HOSTSEC_W32_INLINE BOOL LookupPrivilegeDisplayNameA(LPCSTR lpSystemName, LPCSTR lpName, LPSTR lpDisplayName,
                                                    LPDWORD cchDisplayName, LPDWORD lpLanguageId) {
    return HostSecW32_LookupPrivilegeDisplayNameA(lpSystemName, lpName, lpDisplayName, cchDisplayName,
                                                  lpLanguageId);
}
HOSTSEC_W32_INLINE BOOL AdjustTokenPrivileges(HANDLE TokenHandle, BOOL DisableAllPrivileges,
                                              PTOKEN_PRIVILEGES NewState, DWORD BufferLength,
                                              PTOKEN_PRIVILEGES PreviousState, PDWORD ReturnLength) {
    return HostSecW32_AdjustTokenPrivileges(TokenHandle, DisableAllPrivileges, NewState, BufferLength,
                                            PreviousState, ReturnLength);
}
HOSTSEC_W32_INLINE BOOL PrivilegeCheck(HANDLE ClientToken, PPRIVILEGE_SET RequiredPrivileges, LPBOOL pfResult) {
    return HostSecW32_PrivilegeCheck(ClientToken, RequiredPrivileges, pfResult);
}
HOSTSEC_W32_INLINE HLOCAL LocalFree(HLOCAL hMem) { return HostSecW32_LocalFree(hMem); }

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

#endif /* HOSTSEC_W32_NO_WINDOWS_NAMES */

#endif /* HOSTSEC_WIN32_H */
