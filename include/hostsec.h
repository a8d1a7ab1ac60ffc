/*
 * hostsec.h - IHostSecurityManager and Windows thread-token semantics on Linux.
 *
 * This header is the whole contract of libhostsec.so: what is not declared here is not API.
 * It gives a host, in C (C99 and later) and C++ (C++11 and later), Microsoft's MSCorEE
 * hosting interfaces with their names, IIDs and slot order (IUnknown, IClassFactory,
 * IHostControl, IHostSecurityManager, IHostSecurityContext), the token vocabulary of
 * winnt.h, and hostsec's flat HostSec_* token API.
 *
 * Ownership rules, everywhere:
 *   - every interface pointer the library hands out carries one reference: the receiver
 *     calls Release once;
 *   - every HANDLE the library hands out, a token's or one of the process and thread handles
 *     of hostsec_win32.h's CreateProcessAsUserA, is closed with HostSec_CloseHandle (or
 *     hostsec_win32.h's CloseHandle): all come from one table;
 *   - on failure every out pointer is set to NULL (when the out pointer itself is not NULL).
 *
 * Threads: every function and method may be called from any thread at any time.
 * A thread's impersonation is that OS thread's alone: its kernel credentials change for it,
 * while the process's other threads keep theirs. Acting in the kernel as account t (primary
 * group g), the thread holds effective and filesystem uid t, a real uid reserved for that
 * thread and t (ids 0xF0000000-0xFFFFFFFD are reserved: no account may have one, so t's
 * processes cannot signal the thread, nor can a program started for another account or by
 * another thread), real, effective and filesystem gid g, t's groups, the token's capabilities as its
 * effective set; its saved uid and gid and its permitted set stay the process's (the way
 * back). A program it starts has nothing of the process (the thread's reserved real uid, the
 * others t's; a shell drops to the reserved uid), and access(2) checks as the reserved uid:
 * docs/design.md, "Which ids change".
 *
 * Self: a thread that is not impersonating acts as the process token: the process's
 * credentials when it first used the library. A thread created while its creator
 * impersonated inherits the creator's kernel credentials (Linux copies them at clone); its
 * first call into the library (any function whose doc block ends with "Common results.")
 * puts it back to the process token before doing anything else, and returns E_FAIL (the
 * library closes) only if that is impossible. Change the process's own identity before the
 * first call.
 *
 * Results: each function's and method's doc block below lists every result it returns and
 * when. A doc block that ends with "Common results." may also return these (the others never
 * do):
 *
 * Common results.
 *   - HOST_E_INVALIDOPERATION: called while the same thread is already inside the library (a
 *     signal handler that interrupted a call on that thread); nothing is changed. No function
 *     here is async-signal-safe: a handler that calls one while its thread is outside the
 *     library is served as any other call, one that interrupts the library is refused.
 *   - E_FAIL: the thread's first call found it holding credentials it could not be put back
 *     from, or credentials no impersonation gives (a glibc set*id call made after the
 *     library's first use, which reaches every thread); the library is now closed (Failing
 *     closed, below). HOST_E_CLRNOTAVAILABLE instead when it was closed already.
 *   - HOST_E_CLRNOTAVAILABLE: another copy of the engine in this process was in use first (a
 *     program that links the Swift HostSecurity product and loads this library holds two):
 *     this copy refuses from its first use, for good, changing nothing, so that neither
 *     reverts the other's impersonation. HostSec_GetStatistics reports FailedClosed 1.
 *   - E_ACCESSDENIED (EPERM, EACCES), E_OUTOFMEMORY (ENOMEM), E_INVALIDARG (EINVAL),
 *     E_UNEXPECTED (another errno): a system call that reads the calling thread's own
 *     credentials failed (on its first call, before a kernel-level switch, or in RevertToSelf),
 *     or, after AdjustTokenPrivileges (hostsec_win32.h) changed the process token's
 *     privileges, the kernel refused to give a thread that is not impersonating the new
 *     capability sets at its next call. The call does nothing further (a RevertToSelf that
 *     had already reverted stays reverted). Linux does not fail these in practice; the
 *     fault-injection tests do.
 *
 * Failing closed. When a thread's credentials cannot be restored, or the library finds
 * credentials it did not apply (a glibc set*id call changed an impersonating thread), the call
 * that finds it returns E_FAIL and the library closes for good: the thread is put back to the
 * process token where the kernel allows it, and from then on every function and method whose
 * doc block lists HOST_E_CLRNOTAVAILABLE returns it. Reverting still restores the calling
 * thread (RevertToSelf, SetThreadToken(NULL), SetSecurityContext with a context that captured
 * "not impersonating"), then reports HOST_E_CLRNOTAVAILABLE. What keeps working, so that a
 * host can clean up and report: IUnknown's methods, DllGetClassObject, DllCanUnloadNow,
 * IClassFactory's methods, HostSec_CloseHandle, HostSec_GetStatistics (FailedClosed is 1),
 * HostSec_SetPolicy, HostSec_GetVersion, HostSec_GetVersionString, HostSec_HResultName, the
 * type information, HostSec_Invoke and HostSec_SetTrace.
 */
#ifndef HOSTSEC_H
#define HOSTSEC_H

#include "hostsec_base.h"
#include <sys/types.h> /* pid_t */

/* ---------------------------------------------------------------------------------------
 * Version
 * ------------------------------------------------------------------------------------- */

/** Major version of this header: changes when the ABI changes incompatibly. */
#define HOSTSEC_VERSION_MAJOR 1
/** Minor version of this header: changes when API is added. */
#define HOSTSEC_VERSION_MINOR 1
/** Patch version of this header. */
#define HOSTSEC_VERSION_PATCH 0
/** The header version as one number: major * 1000000 + minor * 1000 + patch. */
#define HOSTSEC_VERSION_NUMBER \
    (HOSTSEC_VERSION_MAJOR * 1000000 + HOSTSEC_VERSION_MINOR * 1000 + HOSTSEC_VERSION_PATCH)
/** The header version as a string. */
#define HOSTSEC_VERSION_STRING "1.1.0"

/* ---------------------------------------------------------------------------------------
 * HRESULTs
 * ------------------------------------------------------------------------------------- */

/** True when an HRESULT reports success (S_OK, S_FALSE). */
#ifndef SUCCEEDED
#define SUCCEEDED(hr) (((HRESULT)(hr)) >= 0)
#endif
/** True when an HRESULT reports failure. */
#ifndef FAILED
#define FAILED(hr) (((HRESULT)(hr)) < 0)
#endif
/** Facility code of Win32 errors wrapped in an HRESULT. */
#ifndef FACILITY_WIN32
#define FACILITY_WIN32 7
#endif
/** Wraps a Win32 error code: x if x <= 0, else 0x80070000 | (x & 0xFFFF). */
#ifndef HRESULT_FROM_WIN32
#define HRESULT_FROM_WIN32(x)                                                    \
    ((HRESULT)(x) <= 0 ? ((HRESULT)(x))                                          \
                       : ((HRESULT)(((uint32_t)(x) & 0x0000FFFFu) |              \
                                    ((uint32_t)FACILITY_WIN32 << 16) | 0x80000000u)))
#endif

/*
 * The HRESULTs, as tables: X(name, value, meaning) for COM codes, W(ERROR_name, value, meaning)
 * for HRESULT_FROM_WIN32(ERROR_name). The #defines below, HostSec_HResultName() and the
 * library's own constants (checked against these tables by a test) all follow them.
 *
 * HOSTSEC_HRESULT_RETURNED: every code some hostsec function or method can return (each
 * function's comment says which and when).
 */
#define HOSTSEC_HRESULT_RETURNED(X, W) \
    X(S_OK, 0x00000000, "success")                                                                                     \
    X(S_FALSE, 0x00000001, "success, with a negative answer")                                                          \
    X(E_NOINTERFACE, 0x80004002, "the interface is not supported")                                                     \
    X(E_POINTER, 0x80004003, "a required pointer is NULL")                                                             \
    X(E_FAIL, 0x80004005, "catastrophic failure: the library is now closed")                                           \
    X(E_UNEXPECTED, 0x8000FFFF, "unexpected failure")                                                                  \
    X(E_ACCESSDENIED, 0x80070005, "access denied")                                                                     \
    X(E_HANDLE, 0x80070006, "invalid handle")                                                                          \
    X(E_OUTOFMEMORY, 0x8007000E, "out of memory")                                                                      \
    X(E_INVALIDARG, 0x80070057, "an argument is out of range")                                                         \
    X(CLASS_E_NOAGGREGATION, 0x80040110, "the class does not support aggregation")                                     \
    X(CLASS_E_CLASSNOTAVAILABLE, 0x80040111, "the class is not served here")                                           \
    X(HOST_E_INVALIDOPERATION, 0x80131022, "invalid operation")                                                        \
    X(HOST_E_CLRNOTAVAILABLE, 0x80131023, "the library failed closed and is unusable")                                 \
    W(ERROR_INSUFFICIENT_BUFFER, 0x8007007A, "the buffer is too small")                                                \
    W(ERROR_NO_TOKEN, 0x800703F0, "the thread is not impersonating")                                                   \
    W(ERROR_NONE_MAPPED, 0x80070534, "no such account")                                                                \
    W(ERROR_BAD_IMPERSONATION_LEVEL, 0x80070542, "bad impersonation level")                                            \
    W(ERROR_CANT_OPEN_ANONYMOUS, 0x80070543, "an anonymous token cannot be opened")                                    \
    W(ERROR_BAD_TOKEN_TYPE, 0x80070545, "wrong token type")                                                            \
    W(ERROR_NO_LOGON_SERVERS, 0x8007051F, "PAM is missing or misconfigured")                                           \
    W(ERROR_LOGON_FAILURE, 0x8007052E, "unknown account or wrong password")                                            \
    W(ERROR_PASSWORD_EXPIRED, 0x80070532, "the password has expired")                                                  \
    W(ERROR_ACCOUNT_DISABLED, 0x80070533, "the account is disabled")                                                   \
    W(ERROR_ACCOUNT_EXPIRED, 0x80070701, "the account has expired")                                                    \
    W(ERROR_LOGON_TYPE_NOT_GRANTED, 0x80070569, "the account may not log on with a password here")                     \
    W(ERROR_PRIVILEGE_NOT_HELD, 0x80070522, "the kernel cannot enforce the impersonation (no CAP_SETUID/CAP_SETGID)")  \
    W(ERROR_CANNOT_IMPERSONATE, 0x80070558, "the socket has no peer to impersonate")                                   \
    W(ERROR_FILE_NOT_FOUND, 0x80070002, "no such program")                                                             \
    W(ERROR_BAD_EXE_FORMAT, 0x800700C1, "not an executable format")                                                    \
    W(ERROR_NOT_SUPPORTED, 0x80070032, "the token has no kernel form (restricting or deny-only SIDs)")

/* HOSTSEC_HRESULT_MSCOREE_ONLY: defined for hosts written against mscoree.h (the CLR's
 * hosting interfaces use them); hostsec never returns them. */
#define HOSTSEC_HRESULT_MSCOREE_ONLY(X) \
    X(E_NOTIMPL, 0x80004001, "not implemented")                              \
    X(HOST_E_DEADLOCK, 0x80131020, "deadlock")                               \
    X(HOST_E_INTERRUPTED, 0x80131021, "interrupted")                         \
    X(HOST_E_TIMEOUT, 0x80131024, "timed out")                               \
    X(HOST_E_NOT_OWNER, 0x80131025, "the caller does not own the lock")      \
    X(HOST_E_ABANDONED, 0x80131026, "abandoned")                             \
    X(HOST_E_EXITPROCESS_THREADABORT, 0x80131027, "the process is exiting")

/* Both tables: every code HostSec_HResultName names. */
#define HOSTSEC_HRESULT_TABLE(X, W) HOSTSEC_HRESULT_RETURNED(X, W) HOSTSEC_HRESULT_MSCOREE_ONLY(X)

#ifndef S_OK
#define S_OK ((HRESULT)0x00000000)
#endif
#ifndef S_FALSE
#define S_FALSE ((HRESULT)0x00000001)
#endif
#ifndef E_NOTIMPL
#define E_NOTIMPL ((HRESULT)0x80004001)
#endif
#ifndef E_NOINTERFACE
#define E_NOINTERFACE ((HRESULT)0x80004002)
#endif
#ifndef E_POINTER
#define E_POINTER ((HRESULT)0x80004003)
#endif
#ifndef E_FAIL
#define E_FAIL ((HRESULT)0x80004005)
#endif
#ifndef E_UNEXPECTED
#define E_UNEXPECTED ((HRESULT)0x8000FFFF)
#endif
#ifndef E_ACCESSDENIED
#define E_ACCESSDENIED ((HRESULT)0x80070005)
#endif
#ifndef E_HANDLE
#define E_HANDLE ((HRESULT)0x80070006)
#endif
#ifndef E_OUTOFMEMORY
#define E_OUTOFMEMORY ((HRESULT)0x8007000E)
#endif
#ifndef E_INVALIDARG
#define E_INVALIDARG ((HRESULT)0x80070057)
#endif
#ifndef CLASS_E_NOAGGREGATION
#define CLASS_E_NOAGGREGATION ((HRESULT)0x80040110)
#endif
#ifndef CLASS_E_CLASSNOTAVAILABLE
#define CLASS_E_CLASSNOTAVAILABLE ((HRESULT)0x80040111)
#endif
#ifndef HOST_E_DEADLOCK
#define HOST_E_DEADLOCK ((HRESULT)0x80131020)
#endif
#ifndef HOST_E_INTERRUPTED
#define HOST_E_INTERRUPTED ((HRESULT)0x80131021)
#endif
#ifndef HOST_E_INVALIDOPERATION
#define HOST_E_INVALIDOPERATION ((HRESULT)0x80131022)
#endif
#ifndef HOST_E_CLRNOTAVAILABLE
#define HOST_E_CLRNOTAVAILABLE ((HRESULT)0x80131023)
#endif
#ifndef HOST_E_TIMEOUT
#define HOST_E_TIMEOUT ((HRESULT)0x80131024)
#endif
#ifndef HOST_E_NOT_OWNER
#define HOST_E_NOT_OWNER ((HRESULT)0x80131025)
#endif
#ifndef HOST_E_ABANDONED
#define HOST_E_ABANDONED ((HRESULT)0x80131026)
#endif
#ifndef HOST_E_EXITPROCESS_THREADABORT
#define HOST_E_EXITPROCESS_THREADABORT ((HRESULT)0x80131027)
#endif

/* Win32 error codes hostsec reports through HRESULT_FROM_WIN32. */
#ifndef ERROR_ACCESS_DENIED
#define ERROR_ACCESS_DENIED 5L
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE 6L
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER 87L
#endif
#ifndef ERROR_INSUFFICIENT_BUFFER
#define ERROR_INSUFFICIENT_BUFFER 122L
#endif
#ifndef ERROR_NOACCESS
#define ERROR_NOACCESS 998L
#endif
#ifndef ERROR_NO_TOKEN
#define ERROR_NO_TOKEN 1008L
#endif
#ifndef ERROR_NO_IMPERSONATION_TOKEN
#define ERROR_NO_IMPERSONATION_TOKEN 1309L
#endif
#ifndef ERROR_NO_LOGON_SERVERS
#define ERROR_NO_LOGON_SERVERS 1311L
#endif
#ifndef ERROR_LOGON_FAILURE
#define ERROR_LOGON_FAILURE 1326L
#endif
#ifndef ERROR_PASSWORD_EXPIRED
#define ERROR_PASSWORD_EXPIRED 1330L
#endif
#ifndef ERROR_ACCOUNT_DISABLED
#define ERROR_ACCOUNT_DISABLED 1331L
#endif
#ifndef ERROR_NONE_MAPPED
#define ERROR_NONE_MAPPED 1332L
#endif
#ifndef ERROR_BAD_IMPERSONATION_LEVEL
#define ERROR_BAD_IMPERSONATION_LEVEL 1346L
#endif
#ifndef ERROR_CANT_OPEN_ANONYMOUS
#define ERROR_CANT_OPEN_ANONYMOUS 1347L
#endif
#ifndef ERROR_BAD_TOKEN_TYPE
#define ERROR_BAD_TOKEN_TYPE 1349L
#endif
#ifndef ERROR_ACCOUNT_EXPIRED
#define ERROR_ACCOUNT_EXPIRED 1793L
#endif
#ifndef ERROR_LOGON_TYPE_NOT_GRANTED
#define ERROR_LOGON_TYPE_NOT_GRANTED 1385L
#endif
#ifndef ERROR_PRIVILEGE_NOT_HELD
#define ERROR_PRIVILEGE_NOT_HELD 1314L
#endif
#ifndef ERROR_CANNOT_IMPERSONATE
#define ERROR_CANNOT_IMPERSONATE 1368L
#endif
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND 2L
#endif
#ifndef ERROR_BAD_EXE_FORMAT
#define ERROR_BAD_EXE_FORMAT 193L
#endif
#ifndef ERROR_NOT_SUPPORTED
#define ERROR_NOT_SUPPORTED 50L
#endif

/* ---------------------------------------------------------------------------------------
 * Token vocabulary (winnt.h values). Skipped when winnt.h was included first.
 * ------------------------------------------------------------------------------------- */
#ifndef _WINNT_

/** Standard rights. */
#define DELETE 0x00010000L
#define READ_CONTROL 0x00020000L
#define WRITE_DAC 0x00040000L
#define WRITE_OWNER 0x00080000L
#define SYNCHRONIZE 0x00100000L
#define STANDARD_RIGHTS_REQUIRED 0x000F0000L
#define STANDARD_RIGHTS_READ READ_CONTROL
#define STANDARD_RIGHTS_WRITE READ_CONTROL
#define STANDARD_RIGHTS_EXECUTE READ_CONTROL
#define ACCESS_SYSTEM_SECURITY 0x01000000L
/** Asks for every right the object's DACL grants the caller. */
#define MAXIMUM_ALLOWED 0x02000000L
/** Generic rights, mapped through the token generic mapping (see TOKEN_READ...). */
#define GENERIC_READ 0x80000000L
#define GENERIC_WRITE 0x40000000L
#define GENERIC_EXECUTE 0x20000000L
#define GENERIC_ALL 0x10000000L

/** Token-specific rights. */
#define TOKEN_ASSIGN_PRIMARY 0x0001
#define TOKEN_DUPLICATE 0x0002
#define TOKEN_IMPERSONATE 0x0004
#define TOKEN_QUERY 0x0008
#define TOKEN_QUERY_SOURCE 0x0010
#define TOKEN_ADJUST_PRIVILEGES 0x0020
#define TOKEN_ADJUST_GROUPS 0x0040
#define TOKEN_ADJUST_DEFAULT 0x0080
#define TOKEN_ADJUST_SESSIONID 0x0100
#define TOKEN_ALL_ACCESS                                                                     \
    (STANDARD_RIGHTS_REQUIRED | TOKEN_ASSIGN_PRIMARY | TOKEN_DUPLICATE | TOKEN_IMPERSONATE | \
     TOKEN_QUERY | TOKEN_QUERY_SOURCE | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS |      \
     TOKEN_ADJUST_DEFAULT | TOKEN_ADJUST_SESSIONID)
/** READ_CONTROL | TOKEN_QUERY (0x20008). GENERIC_READ on a token is not this: as on Windows
 *  it maps to READ_CONTROL | TOKEN_QUERY | TOKEN_QUERY_SOURCE | TOKEN_DUPLICATE (0x2001A). */
#define TOKEN_READ (STANDARD_RIGHTS_READ | TOKEN_QUERY)
#define TOKEN_WRITE \
    (STANDARD_RIGHTS_WRITE | TOKEN_ADJUST_PRIVILEGES | TOKEN_ADJUST_GROUPS | TOKEN_ADJUST_DEFAULT)
#define TOKEN_EXECUTE (STANDARD_RIGHTS_EXECUTE)

/** Privilege attribute: the capability is in the effective set. */
#define SE_PRIVILEGE_ENABLED_BY_DEFAULT 0x00000001L
#define SE_PRIVILEGE_ENABLED 0x00000002L

/** How far a server may act as the identity a token describes. */
typedef enum _SECURITY_IMPERSONATION_LEVEL {
    SecurityAnonymous = 0,      /**< identity hidden: the token cannot be opened */
    SecurityIdentification = 1, /**< identity known, never acted on (no kernel change) */
    SecurityImpersonation = 2,  /**< the thread acts as the identity (kernel credentials) */
    SecurityDelegation = 3      /**< as SecurityImpersonation on Linux */
} SECURITY_IMPERSONATION_LEVEL;

/** A token is a process (primary) token or a thread (impersonation) token. */
typedef enum _TOKEN_TYPE { TokenPrimary = 1, TokenImpersonation = 2 } TOKEN_TYPE;

/** What HostSec_GetTokenInformation reports; hostsec's own Linux structs below. */
typedef enum _TOKEN_INFORMATION_CLASS {
    TokenUser = 1,               /**< HOSTSEC_TOKEN_USER */
    TokenGroups = 2,             /**< HOSTSEC_TOKEN_GROUPS */
    TokenPrivileges = 3,         /**< HOSTSEC_TOKEN_PRIVILEGES */
    TokenOwner = 4,              /**< HOSTSEC_TOKEN_OWNER */
    TokenPrimaryGroup = 5,       /**< HOSTSEC_TOKEN_PRIMARY_GROUP */
    TokenDefaultDacl = 6,        /**< HOSTSEC_TOKEN_DACL: the token object's own DACL */
    TokenSource = 7,             /**< HOSTSEC_TOKEN_SOURCE (needs TOKEN_QUERY_SOURCE) */
    TokenType = 8,               /**< TOKEN_TYPE */
    TokenImpersonationLevel = 9, /**< SECURITY_IMPERSONATION_LEVEL (impersonation tokens) */
    TokenStatistics = 10,        /**< HOSTSEC_TOKEN_STATISTICS */
    TokenRestrictedSids = 11     /**< Win32 GetTokenInformation only: TOKEN_GROUPS of the restricting SIDs */
} TOKEN_INFORMATION_CLASS;

#endif /* _WINNT_ */

/* ---------------------------------------------------------------------------------------
 * Token information: hostsec's Linux structs (uids and gids, not SIDs). Variable-length
 * ones end in a one-element array, as winnt.h's do; use the _SIZE macros for their size.
 * ------------------------------------------------------------------------------------- */

/** TokenUser: the identity's user id. */
typedef struct HOSTSEC_TOKEN_USER {
    uint32_t Uid;
} HOSTSEC_TOKEN_USER;

/** TokenGroups: the supplementary group ids exactly as the kernel would hold them. */
typedef struct HOSTSEC_TOKEN_GROUPS {
    DWORD GroupCount;
    uint32_t Gids[1];
} HOSTSEC_TOKEN_GROUPS;
/** Bytes HostSec_GetTokenInformation needs for TokenGroups with n groups. */
#define HOSTSEC_TOKEN_GROUPS_SIZE(n) ((DWORD)(offsetof(HOSTSEC_TOKEN_GROUPS, Gids) + (n) * sizeof(uint32_t)))

/** One Linux capability shown as a privilege. */
typedef struct HOSTSEC_PRIVILEGE {
    uint32_t Capability; /**< CAP_* number, e.g. 7 for CAP_SETUID */
    DWORD Attributes;    /**< SE_PRIVILEGE_ENABLED when in the effective set */
} HOSTSEC_PRIVILEGE;

/** TokenPrivileges: every capability in the token's permitted set. */
typedef struct HOSTSEC_TOKEN_PRIVILEGES {
    DWORD PrivilegeCount;
    HOSTSEC_PRIVILEGE Privileges[1];
} HOSTSEC_TOKEN_PRIVILEGES;
/** Bytes HostSec_GetTokenInformation needs for TokenPrivileges with n privileges. */
#define HOSTSEC_TOKEN_PRIVILEGES_SIZE(n) \
    ((DWORD)(offsetof(HOSTSEC_TOKEN_PRIVILEGES, Privileges) + (n) * sizeof(HOSTSEC_PRIVILEGE)))

/** TokenOwner: the uid that owns the token object. */
typedef struct HOSTSEC_TOKEN_OWNER {
    uint32_t OwnerUid;
} HOSTSEC_TOKEN_OWNER;

/** TokenPrimaryGroup: the identity's primary group id. */
typedef struct HOSTSEC_TOKEN_PRIMARY_GROUP {
    uint32_t Gid;
} HOSTSEC_TOKEN_PRIMARY_GROUP;

/** An access-allowed entry of a token's DACL. */
typedef struct HOSTSEC_ACE {
    DWORD Kind;     /**< HOSTSEC_ACE_USER or HOSTSEC_ACE_GROUP */
    uint32_t Id;    /**< the uid or gid the entry grants to */
    DWORD Mask;     /**< the token rights it grants */
} HOSTSEC_ACE;
/** The ACE grants to a user id. */
#define HOSTSEC_ACE_USER 0
/** The ACE grants to a group id (primary or supplementary). */
#define HOSTSEC_ACE_GROUP 1

/** TokenDefaultDacl: the entries of the token object's DACL that allow a Unix user or group
 *  (the whole descriptor, deny entries and other SIDs included, is GetKernelObjectSecurity's
 *  in hostsec_win32.h). */
typedef struct HOSTSEC_TOKEN_DACL {
    DWORD AceCount;
    HOSTSEC_ACE Aces[1];
} HOSTSEC_TOKEN_DACL;
/** Bytes HostSec_GetTokenInformation needs for TokenDefaultDacl with n entries. */
#define HOSTSEC_TOKEN_DACL_SIZE(n) ((DWORD)(offsetof(HOSTSEC_TOKEN_DACL, Aces) + (n) * sizeof(HOSTSEC_ACE)))

/** TokenSource: where the token came from. */
typedef struct HOSTSEC_TOKEN_SOURCE {
    char SourceName[8];        /**< "Process", "Logon", "Self", "Copy", NUL-padded */
    uint64_t SourceIdentifier; /**< the TokenId of the token it was copied from, or 0 */
} HOSTSEC_TOKEN_SOURCE;

/** TokenStatistics. */
typedef struct HOSTSEC_TOKEN_STATISTICS {
    uint64_t TokenId;          /**< unique per token object in this process */
    uint64_t AuthenticationId; /**< unique per logon; copies keep their source's */
    int64_t ExpirationTime;    /**< INT64_MAX: tokens do not expire */
    TOKEN_TYPE TokenType;
    SECURITY_IMPERSONATION_LEVEL ImpersonationLevel; /**< 0 for primary tokens */
    DWORD DynamicCharged;    /**< 0 */
    DWORD DynamicAvailable;  /**< 0 */
    DWORD GroupCount;        /**< supplementary groups */
    DWORD PrivilegeCount;    /**< capabilities in the permitted set */
    uint64_t ModifiedId;     /**< equals TokenId: tokens are immutable */
} HOSTSEC_TOKEN_STATISTICS;

/* ---------------------------------------------------------------------------------------
 * Interfaces
 * ------------------------------------------------------------------------------------- */

/** Which security context GetSecurityContext/SetSecurityContext work with. */
typedef enum {
    eCurrentContext = 0,   /**< the thread's identity as it is */
    eRestrictedContext = 1 /**< the same identity with its effective capabilities dropped */
} EContextType;

#ifndef __IUnknown_FWD_DEFINED__
#define __IUnknown_FWD_DEFINED__
typedef struct IUnknown IUnknown;
#endif
#ifndef __IClassFactory_FWD_DEFINED__
#define __IClassFactory_FWD_DEFINED__
typedef struct IClassFactory IClassFactory;
#endif
#ifndef __IHostControl_FWD_DEFINED__
#define __IHostControl_FWD_DEFINED__
typedef struct IHostControl IHostControl;
#endif
#ifndef __IHostSecurityContext_FWD_DEFINED__
#define __IHostSecurityContext_FWD_DEFINED__
typedef struct IHostSecurityContext IHostSecurityContext;
#endif
#ifndef __IHostSecurityManager_FWD_DEFINED__
#define __IHostSecurityManager_FWD_DEFINED__
typedef struct IHostSecurityManager IHostSecurityManager;
#endif

HOSTSEC_BEGIN_DECLS

/** {00000000-0000-0000-C000-000000000046} */
extern const IID IID_IUnknown;
/** {00000001-0000-0000-C000-000000000046} */
extern const IID IID_IClassFactory;
/** {02CA073C-7079-4860-880A-C2F7A449C991} */
extern const IID IID_IHostControl;
/** {75AD2468-A349-4D02-A764-76A68AEE0C4F} */
extern const IID IID_IHostSecurityManager;
/** {7E573CE4-0343-4423-98D7-6318348A1D3C} */
extern const IID IID_IHostSecurityContext;
/** hostsec's class of IHostSecurityManager objects: {5F0C3A2E-9B41-4C6D-8E27-1A4B6C8D9E01} */
extern const CLSID CLSID_HostSecurityManager;
/** hostsec's class of IHostControl objects: {5F0C3A2E-9B41-4C6D-8E27-1A4B6C8D9E02} */
extern const CLSID CLSID_HostControl;

HOSTSEC_END_DECLS

#if defined(__cplusplus) && !defined(CINTERFACE)

/* The C++ view: abstract classes with the same layout (vptr at offset 0, one slot per
 * method in declaration order), so p->OpenThreadToken(...) calls the same vtable C uses. */

#ifndef __IUnknown_INTERFACE_DEFINED__
#define __IUnknown_INTERFACE_DEFINED__
/** The root of every interface: identity and lifetime. */
struct IUnknown {
    /** Asks for another interface of the same object. S_OK, E_POINTER, E_NOINTERFACE, as the
     *  C declaration (IUnknownVtbl) says. */
    virtual HRESULT STDMETHODCALLTYPE QueryInterface(REFIID riid, void **ppvObject) = 0;
    /** Adds a reference; returns the new count (saturates at 2^31: see the C declaration). */
    virtual ULONG STDMETHODCALLTYPE AddRef(void) = 0;
    /** Drops a reference; returns the new count; the object is freed at 0 (never once immortal). */
    virtual ULONG STDMETHODCALLTYPE Release(void) = 0;
};
#endif

#ifndef __IClassFactory_INTERFACE_DEFINED__
#define __IClassFactory_INTERFACE_DEFINED__
/** Makes objects of one class; see the C declaration for each method's results. */
struct IClassFactory : public IUnknown {
    virtual HRESULT STDMETHODCALLTYPE CreateInstance(IUnknown *pUnkOuter, REFIID riid, void **ppvObject) = 0;
    virtual HRESULT STDMETHODCALLTYPE LockServer(BOOL fLock) = 0;
};
#endif

#ifndef __IHostControl_INTERFACE_DEFINED__
#define __IHostControl_INTERFACE_DEFINED__
/** How a runtime finds the host's managers; see the C declaration for results. */
struct IHostControl : public IUnknown {
    virtual HRESULT STDMETHODCALLTYPE GetHostManager(REFIID riid, void **ppObject) = 0;
    virtual HRESULT STDMETHODCALLTYPE SetAppDomainManager(DWORD dwAppDomainID, IUnknown *pUnkAppDomainManager) = 0;
};
#endif

#ifndef __IHostSecurityContext_INTERFACE_DEFINED__
#define __IHostSecurityContext_INTERFACE_DEFINED__
/** A captured identity; see the C declaration for results. */
struct IHostSecurityContext : public IUnknown {
    virtual HRESULT STDMETHODCALLTYPE Capture(IHostSecurityContext **ppClonedContext) = 0;
};
#endif

#ifndef __IHostSecurityManager_INTERFACE_DEFINED__
#define __IHostSecurityManager_INTERFACE_DEFINED__
/** Thread tokens and impersonation; see the C declaration for each method's results. */
struct IHostSecurityManager : public IUnknown {
    virtual HRESULT STDMETHODCALLTYPE ImpersonateLoggedOnUser(HANDLE hToken) = 0;
    virtual HRESULT STDMETHODCALLTYPE RevertToSelf(void) = 0;
    virtual HRESULT STDMETHODCALLTYPE OpenThreadToken(DWORD dwDesiredAccess, BOOL bOpenAsSelf, HANDLE *phThreadToken) = 0;
    virtual HRESULT STDMETHODCALLTYPE SetThreadToken(HANDLE hToken) = 0;
    virtual HRESULT STDMETHODCALLTYPE GetSecurityContext(EContextType eContextType, IHostSecurityContext **ppSecurityContext) = 0;
    virtual HRESULT STDMETHODCALLTYPE SetSecurityContext(EContextType eContextType, IHostSecurityContext *pSecurityContext) = 0;
};
#endif

#else /* C */

#ifndef __IUnknown_INTERFACE_DEFINED__
#define __IUnknown_INTERFACE_DEFINED__
/** IUnknown's vtable: slots 0-2 of every interface. */
typedef struct IUnknownVtbl {
    /** Slot 0. The same object's interface riid in *ppvObject, AddRef'd: riid is IID_IUnknown
     *  or the object's own interface. S_OK; E_POINTER (ppvObject NULL; or riid or This NULL,
     *  *ppvObject = NULL); E_NOINTERFACE (any other riid; *ppvObject = NULL). No other result;
     *  works after the library closed. */
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(IUnknown *This, REFIID riid, void **ppvObject);
    /** Slot 1. Adds a reference; returns the new count (0 for This NULL). The count
     *  saturates: an object referenced 2^31 times becomes immortal (its count stays
     *  0xC0000000, AddRef and Release return that, and it is never freed), so no number of
     *  AddRefs can wrap the count. */
    ULONG(STDMETHODCALLTYPE *AddRef)(IUnknown *This);
    /** Slot 2. Drops a reference; returns the new count (0 for This NULL); frees the object
     *  at 0. An immortal object (see AddRef) is not counted down: Release returns
     *  0xC0000000. */
    ULONG(STDMETHODCALLTYPE *Release)(IUnknown *This);
} IUnknownVtbl;
/** Every interface pointer points at a struct whose first member is its vtable pointer. */
struct IUnknown {
    const struct IUnknownVtbl *lpVtbl;
};
#endif

#ifndef __IClassFactory_INTERFACE_DEFINED__
#define __IClassFactory_INTERFACE_DEFINED__
/** IClassFactory's vtable. */
typedef struct IClassFactoryVtbl {
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(IClassFactory *This, REFIID riid, void **ppvObject);
    ULONG(STDMETHODCALLTYPE *AddRef)(IClassFactory *This);
    ULONG(STDMETHODCALLTYPE *Release)(IClassFactory *This);
    /** Slot 3. A new object of the factory's class, as interface riid, in *ppvObject.
     *  S_OK; E_POINTER (ppvObject NULL; or riid or This NULL); CLASS_E_NOAGGREGATION
     *  (pUnkOuter not NULL); E_NOINTERFACE (riid neither IID_IUnknown nor the class's
     *  interface, IID_IHostSecurityManager or IID_IHostControl); E_OUTOFMEMORY.
     *  *ppvObject = NULL on failure. No other result; works after the library closed (the new
     *  object's methods then answer HOST_E_CLRNOTAVAILABLE). */
    HRESULT(STDMETHODCALLTYPE *CreateInstance)(IClassFactory *This, IUnknown *pUnkOuter, REFIID riid, void **ppvObject);
    /** Slot 4. fLock TRUE adds a server lock, FALSE removes one; DllCanUnloadNow answers
     *  S_FALSE while any lock is held. S_OK; E_UNEXPECTED (FALSE with no lock held: nothing
     *  changes). No other result; works after the library closed. */
    HRESULT(STDMETHODCALLTYPE *LockServer)(IClassFactory *This, BOOL fLock);
} IClassFactoryVtbl;
struct IClassFactory {
    const struct IClassFactoryVtbl *lpVtbl;
};
#endif

#ifndef __IHostControl_INTERFACE_DEFINED__
#define __IHostControl_INTERFACE_DEFINED__
/** IHostControl's vtable. */
typedef struct IHostControlVtbl {
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(IHostControl *This, REFIID riid, void **ppvObject);
    ULONG(STDMETHODCALLTYPE *AddRef)(IHostControl *This);
    ULONG(STDMETHODCALLTYPE *Release)(IHostControl *This);
    /** Slot 3. For IID_IHostSecurityManager: a new security manager in *ppObject.
     *  S_OK; E_POINTER (ppObject NULL; or riid NULL); HOST_E_CLRNOTAVAILABLE (the library is
     *  closed); E_NOINTERFACE (every other riid: hostsec serves no other host manager);
     *  E_OUTOFMEMORY. *ppObject = NULL on failure. No other result. */
    HRESULT(STDMETHODCALLTYPE *GetHostManager)(IHostControl *This, REFIID riid, void **ppObject);
    /** Slot 4. Accepts the AppDomain manager the runtime reports; hostsec neither calls it
     *  nor keeps a reference to it. S_OK; HOST_E_CLRNOTAVAILABLE (the library is closed). No
     *  other result. */
    HRESULT(STDMETHODCALLTYPE *SetAppDomainManager)(IHostControl *This, DWORD dwAppDomainID, IUnknown *pUnkAppDomainManager);
} IHostControlVtbl;
struct IHostControl {
    const struct IHostControlVtbl *lpVtbl;
};
#endif

#ifndef __IHostSecurityContext_INTERFACE_DEFINED__
#define __IHostSecurityContext_INTERFACE_DEFINED__
/** IHostSecurityContext's vtable. */
typedef struct IHostSecurityContextVtbl {
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(IHostSecurityContext *This, REFIID riid, void **ppvObject);
    ULONG(STDMETHODCALLTYPE *AddRef)(IHostSecurityContext *This);
    ULONG(STDMETHODCALLTYPE *Release)(IHostSecurityContext *This);
    /** Slot 3. A new context holding the same identity, in *ppClonedContext (the caller
     *  Releases it). S_OK; E_POINTER (ppClonedContext or This NULL); E_OUTOFMEMORY;
     *  HOST_E_CLRNOTAVAILABLE (the library is closed). *ppClonedContext = NULL on failure.
     *  Common results. */
    HRESULT(STDMETHODCALLTYPE *Capture)(IHostSecurityContext *This, IHostSecurityContext **ppClonedContext);
} IHostSecurityContextVtbl;
struct IHostSecurityContext {
    const struct IHostSecurityContextVtbl *lpVtbl;
};
#endif

#ifndef __IHostSecurityManager_INTERFACE_DEFINED__
#define __IHostSecurityManager_INTERFACE_DEFINED__
/** IHostSecurityManager's vtable. Every method acts on the calling thread, whichever manager
 *  object it is called through, and lists every result it returns.
 *
 *  A switch of the thread's kernel credentials (ImpersonateLoggedOnUser, SetThreadToken,
 *  SetSecurityContext, HostSec_ImpersonateSocketClient) that the kernel refuses, or that it
 *  reports applied differently, is rolled back: the thread is left at the process token, not
 *  impersonating (an earlier impersonation has ended). Those results, with the errno:
 *  E_ACCESSDENIED (EPERM, EACCES), E_INVALIDARG (EINVAL: an id or a group list the kernel
 *  cannot hold), E_OUTOFMEMORY (ENOMEM), E_UNEXPECTED (another errno, or the kernel reported
 *  other credentials than were applied). A switch that cannot be rolled back, an earlier
 *  impersonation that cannot be reverted, or credentials the library did not apply (found
 *  before a switch or a revert) are E_FAIL: the library closes (Failing closed, at the top). */
typedef struct IHostSecurityManagerVtbl {
    HRESULT(STDMETHODCALLTYPE *QueryInterface)(IHostSecurityManager *This, REFIID riid, void **ppvObject);
    ULONG(STDMETHODCALLTYPE *AddRef)(IHostSecurityManager *This);
    ULONG(STDMETHODCALLTYPE *Release)(IHostSecurityManager *This);
    /** Slot 3. The calling thread impersonates hToken's identity: a primary token at
     *  SecurityImpersonation, an impersonation token at its own level up to that (another
     *  account without CAP_SETUID+CAP_SETGID: at SecurityIdentification, the kernel
     *  unchanged). Rights: primary TOKEN_QUERY|TOKEN_DUPLICATE, impersonation
     *  TOKEN_QUERY|TOKEN_IMPERSONATE. Every change is read back from the kernel; a thread
     *  already acting in the kernel as this exact identity is checked and not switched.
     *  S_OK;
     *  E_HANDLE (hToken NULL, closed, never issued or forged);
     *  E_ACCESSDENIED (the handle lacks the rights above: nothing changes; or the kernel
     *    refused a step with EPERM: rolled back, see the vtable's comment);
     *  HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) (another account without CAP_SETUID and
     *    CAP_SETGID under HOSTSEC_POLICY_REQUIRE_ENFORCEMENT: nothing changes, the thread
     *    keeps its token and credentials);
     *  HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED) (a restricted token with deny-only SIDs, at
     *    SecurityImpersonation or SecurityDelegation: the kernel has no form for them, and a
     *    thread holding the account's ids, with or without the deny-only group, could open
     *    files the token may not; nothing changes. At SecurityIdentification such a token is
     *    accepted, the kernel unchanged. Restricting SIDs are not refused: the thread holds
     *    the account's ids and the kernel makes no second pass);
     *  E_INVALIDARG, E_OUTOFMEMORY, E_UNEXPECTED (the kernel refused a step or reported other
     *    credentials: rolled back, see the vtable's comment);
     *  E_FAIL (credentials could not be restored, or the thread held credentials the library
     *    did not apply: the library is now closed);
     *  HOST_E_CLRNOTAVAILABLE (the library is closed). Common results. */
    HRESULT(STDMETHODCALLTYPE *ImpersonateLoggedOnUser)(IHostSecurityManager *This, HANDLE hToken);
    /** Slot 4. Ends the calling thread's impersonation and restores the process token's
     *  credentials exactly. It first checks that the kernel still holds what the library
     *  applied (or, not impersonating, the process token's ids and groups).
     *  S_OK (also when not impersonating);
     *  E_FAIL (the credentials could not be restored; or the thread held credentials the
     *    library did not apply, which are put back where the kernel allows, or, not
     *    impersonating, left as they are: the library is now closed);
     *  HOST_E_CLRNOTAVAILABLE (the library is closed; the thread was still reverted, where the
     *    kernel allows). Common results. */
    HRESULT(STDMETHODCALLTYPE *RevertToSelf)(IHostSecurityManager *This);
    /** Slot 5. Opens the calling thread's impersonation token: the access check's subject is
     *  the process token's identity when bOpenAsSelf, else the thread's own (the token's).
     *  dwDesiredAccess 0 gives a handle with no rights. The handle is closed with
     *  HostSec_CloseHandle.
     *  S_OK;
     *  E_POINTER (phThreadToken NULL);
     *  HRESULT_FROM_WIN32(ERROR_NO_TOKEN) (the thread is not impersonating);
     *  HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS) (its token is at SecurityAnonymous);
     *  HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL) (at SecurityIdentification, with
     *    bOpenAsSelf FALSE);
     *  E_ACCESSDENIED (the token's DACL does not grant dwDesiredAccess to the subject, or
     *    dwDesiredAccess has a right no token has, such as SYNCHRONIZE);
     *  E_OUTOFMEMORY (no handle slot left: 16,777,216 handles are open);
     *  HOST_E_CLRNOTAVAILABLE (the library is closed).
     *  *phThreadToken = NULL on failure. Common results, except that a call from a signal
     *  handler on a thread that holds no token may get HRESULT_FROM_WIN32(ERROR_NO_TOKEN)
     *  instead of HOST_E_INVALIDOPERATION (that answer reads the thread's state only). */
    HRESULT(STDMETHODCALLTYPE *OpenThreadToken)(IHostSecurityManager *This, DWORD dwDesiredAccess, BOOL bOpenAsSelf, HANDLE *phThreadToken);
    /** Slot 6. Makes hToken (an impersonation token, TOKEN_IMPERSONATE) itself the calling
     *  thread's token, applied as ImpersonateLoggedOnUser applies one; hToken NULL reverts,
     *  with RevertToSelf's results.
     *  S_OK;
     *  E_HANDLE (hToken closed, never issued or forged);
     *  E_ACCESSDENIED (no TOKEN_IMPERSONATE: nothing changes; or the kernel refused a step
     *    with EPERM: rolled back);
     *  HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE) (a primary token: nothing changes);
     *  HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED),
     *    E_INVALIDARG, E_OUTOFMEMORY, E_UNEXPECTED, E_FAIL (as for ImpersonateLoggedOnUser);
     *  HOST_E_CLRNOTAVAILABLE (the library is closed; NULL still reverts the thread). Common
     *  results. */
    HRESULT(STDMETHODCALLTYPE *SetThreadToken)(IHostSecurityManager *This, HANDLE hToken);
    /** Slot 7. Captures the calling thread's identity in a new context (the caller Releases
     *  it): eCurrentContext, its token as it is, or "not impersonating"; eRestrictedContext,
     *  its current identity (its token, or the process token) with the effective capabilities
     *  dropped.
     *  S_OK; E_POINTER (ppSecurityContext NULL); E_INVALIDARG (eContextType neither);
     *  E_OUTOFMEMORY; HOST_E_CLRNOTAVAILABLE (the library is closed).
     *  *ppSecurityContext = NULL on failure. Common results. */
    HRESULT(STDMETHODCALLTYPE *GetSecurityContext)(IHostSecurityManager *This, EContextType eContextType, IHostSecurityContext **ppSecurityContext);
    /** Slot 8. Applies a captured context on the calling thread: impersonates its token,
     *  applied as ImpersonateLoggedOnUser applies one, or with eCurrentContext reverts when it
     *  captured "not impersonating" (RevertToSelf's results); eRestrictedContext also drops the
     *  effective capabilities. eContextType and pSecurityContext are checked first.
     *  S_OK;
     *  E_INVALIDARG (eContextType unknown; or an object the library did not make: only its
     *    vtable pointer is read; nothing changes);
     *  E_POINTER (pSecurityContext NULL);
     *  E_ACCESSDENIED, HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD), E_INVALIDARG,
     *    E_OUTOFMEMORY, E_UNEXPECTED, E_FAIL (as for ImpersonateLoggedOnUser);
     *  HOST_E_CLRNOTAVAILABLE (the library is closed; a context that reverts still reverts the
     *    thread). Common results. */
    HRESULT(STDMETHODCALLTYPE *SetSecurityContext)(IHostSecurityManager *This, EContextType eContextType, IHostSecurityContext *pSecurityContext);
} IHostSecurityManagerVtbl;
struct IHostSecurityManager {
    const struct IHostSecurityManagerVtbl *lpVtbl;
};
#endif

#ifdef COBJMACROS
#define IUnknown_QueryInterface(This, riid, ppv) ((This)->lpVtbl->QueryInterface(This, riid, ppv))
#define IUnknown_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IUnknown_Release(This) ((This)->lpVtbl->Release(This))
#define IClassFactory_QueryInterface(This, riid, ppv) ((This)->lpVtbl->QueryInterface(This, riid, ppv))
#define IClassFactory_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IClassFactory_Release(This) ((This)->lpVtbl->Release(This))
#define IClassFactory_CreateInstance(This, outer, riid, ppv) ((This)->lpVtbl->CreateInstance(This, outer, riid, ppv))
#define IClassFactory_LockServer(This, fLock) ((This)->lpVtbl->LockServer(This, fLock))
#define IHostControl_QueryInterface(This, riid, ppv) ((This)->lpVtbl->QueryInterface(This, riid, ppv))
#define IHostControl_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IHostControl_Release(This) ((This)->lpVtbl->Release(This))
#define IHostControl_GetHostManager(This, riid, ppObject) ((This)->lpVtbl->GetHostManager(This, riid, ppObject))
#define IHostControl_SetAppDomainManager(This, id, mgr) ((This)->lpVtbl->SetAppDomainManager(This, id, mgr))
#define IHostSecurityContext_QueryInterface(This, riid, ppv) ((This)->lpVtbl->QueryInterface(This, riid, ppv))
#define IHostSecurityContext_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IHostSecurityContext_Release(This) ((This)->lpVtbl->Release(This))
#define IHostSecurityContext_Capture(This, ppClone) ((This)->lpVtbl->Capture(This, ppClone))
#define IHostSecurityManager_QueryInterface(This, riid, ppv) ((This)->lpVtbl->QueryInterface(This, riid, ppv))
#define IHostSecurityManager_AddRef(This) ((This)->lpVtbl->AddRef(This))
#define IHostSecurityManager_Release(This) ((This)->lpVtbl->Release(This))
#define IHostSecurityManager_ImpersonateLoggedOnUser(This, hToken) ((This)->lpVtbl->ImpersonateLoggedOnUser(This, hToken))
#define IHostSecurityManager_RevertToSelf(This) ((This)->lpVtbl->RevertToSelf(This))
#define IHostSecurityManager_OpenThreadToken(This, access, asSelf, ph) ((This)->lpVtbl->OpenThreadToken(This, access, asSelf, ph))
#define IHostSecurityManager_SetThreadToken(This, hToken) ((This)->lpVtbl->SetThreadToken(This, hToken))
#define IHostSecurityManager_GetSecurityContext(This, type, pp) ((This)->lpVtbl->GetSecurityContext(This, type, pp))
#define IHostSecurityManager_SetSecurityContext(This, type, p) ((This)->lpVtbl->SetSecurityContext(This, type, p))
#endif /* COBJMACROS */

#endif /* C or C++ view */

/* ---------------------------------------------------------------------------------------
 * Library statistics (for hosts' diagnostics and for tests that prove nothing leaks)
 * ------------------------------------------------------------------------------------- */

/** Counts of what is alive in the library right now. */
typedef struct HOSTSEC_STATISTICS {
    uint64_t LiveObjects;       /**< COM objects (factories, managers, controls, contexts) */
    uint64_t LiveHandles;       /**< open HANDLEs */
    uint64_t LiveTokens;        /**< token objects (held by handles, threads or contexts) */
    uint64_t ImpersonatingThreads; /**< threads that hold a thread token now */
    uint64_t ServerLocks;       /**< IClassFactory::LockServer(TRUE) not yet undone */
    uint32_t FailedClosed;      /**< 1 once a credential restore failed (library closed) */
    uint32_t Reserved;
} HOSTSEC_STATISTICS;

HOSTSEC_BEGIN_DECLS

/* ---------------------------------------------------------------------------------------
 * COM server entry points
 * ------------------------------------------------------------------------------------- */

/** Gets the class factory of rclsid (CLSID_HostSecurityManager or CLSID_HostControl), as
 *  interface riid (IID_IClassFactory or IID_IUnknown), in *ppv; the caller Releases it.
 *  S_OK; E_POINTER (ppv NULL; or rclsid or riid NULL); CLASS_E_CLASSNOTAVAILABLE (another
 *  class); E_NOINTERFACE (another interface); E_OUTOFMEMORY. *ppv = NULL on failure. No other
 *  result; works after the library closed. */
HRESULT DllGetClassObject(REFCLSID rclsid, REFIID riid, void **ppv);

/** S_OK when no object the library handed out is alive and no server lock is held
 *  (the host may unload); S_FALSE otherwise. No other result; works after the library closed.
 *  The image stays resident after dlclose. */
HRESULT DllCanUnloadNow(void);

/* ---------------------------------------------------------------------------------------
 * The flat token API
 * ------------------------------------------------------------------------------------- */

/** The library's version as HOSTSEC_VERSION_NUMBER spells it (major * 1000000 + minor * 1000
 *  + patch: 1.1.0 is 1001000); compare with the header's to detect a mismatch (the major
 *  versions must be equal). Never fails. */
DWORD HostSec_GetVersion(void);

/** The library's version as HOSTSEC_VERSION_STRING spells it ("1.1.0"): what a host prints.
 *  A static string, never NULL; never fails. */
const char *HostSec_GetVersionString(void);

/** What HostSec_HResultName returns for a code outside HOSTSEC_HRESULT_TABLE. */
#define HOSTSEC_HRESULT_UNKNOWN_NAME "unknown HRESULT"

/** The macro name of hr (e.g. "E_HANDLE", "HRESULT_FROM_WIN32(ERROR_NO_TOKEN)") when it is
 *  in HOSTSEC_HRESULT_TABLE, else HOSTSEC_HRESULT_UNKNOWN_NAME ("unknown HRESULT"). Never
 *  NULL, so it can go straight to printf("%s"). The string is static; never fails. */
const char *HostSec_HResultName(HRESULT hr);

/** Fills *stats with what is alive now. S_OK; E_POINTER (stats NULL). No other result; works
 *  after the library closed (FailedClosed is then 1). */
HRESULT HostSec_GetStatistics(HOSTSEC_STATISTICS *stats);

/** Closes a handle the library handed out: a token handle, or a process or thread handle of
 *  hostsec_win32.h's CreateProcessAsUserA (the last handle to a child reaps it, at once or
 *  when it ends). Both kinds come from one table, so the value is never valid again (its
 *  slot's generation changes), for any function. S_OK; E_HANDLE (NULL, closed, never issued,
 *  or forged). Works after the library closed.
 *  Common results. */
HRESULT HostSec_CloseHandle(HANDLE hObject);

/** Opens the process token: the process's credentials ("self", the same token for every
 *  thread) as a primary token. The access check runs as the thread's current context (an
 *  impersonating thread opens it as the identity it impersonates).
 *  S_OK; E_POINTER (phToken NULL); E_ACCESSDENIED (the token's DACL does not grant
 *  dwDesiredAccess to that identity, or a right no token has, such as SYNCHRONIZE);
 *  HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL) (the thread impersonates at
 *  SecurityIdentification or SecurityAnonymous: it can open nothing); E_OUTOFMEMORY (no handle
 *  slot left); HOST_E_CLRNOTAVAILABLE (the library is closed). *phToken = NULL on failure.
 *  Common results. */
HRESULT HostSec_OpenProcessToken(DWORD dwDesiredAccess, HANDLE *phToken);

/** Gives the calling thread an impersonation copy of its own identity at
 *  ImpersonationLevel (no kernel change: the identity is the thread's own). Replaces any
 *  current impersonation. S_OK; E_INVALIDARG (ImpersonationLevel not 0-3: nothing changes);
 *  E_FAIL (the thread impersonated another identity in the kernel and its credentials could
 *  not be restored: the library is now closed); HOST_E_CLRNOTAVAILABLE (the library is
 *  closed). Common results. */
HRESULT HostSec_ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL ImpersonationLevel);

/** Makes a new token with hExistingToken's identity, of TokenType at ImpersonationLevel
 *  (ignored for a primary token), with a fresh DACL granting its user and the caller.
 *  dwDesiredAccess 0 asks for the source handle's rights; anything else is checked against
 *  the copy's DACL for the calling thread's current identity.
 *  S_OK; E_POINTER (phNewToken NULL); E_HANDLE (hExistingToken not a live handle);
 *  E_ACCESSDENIED (the source handle lacks TOKEN_DUPLICATE, or the copy's DACL does not grant
 *  dwDesiredAccess); E_INVALIDARG (TokenType or ImpersonationLevel out of range);
 *  HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL) (above an impersonation source's level; a
 *  primary token from an impersonation source below SecurityImpersonation; or dwDesiredAccess
 *  not 0 while the thread impersonates below SecurityImpersonation); E_OUTOFMEMORY (no handle
 *  slot left); HOST_E_CLRNOTAVAILABLE (the library is closed). *phNewToken = NULL on failure.
 *  Common results. */
HRESULT HostSec_DuplicateTokenEx(HANDLE hExistingToken, DWORD dwDesiredAccess,
                                 SECURITY_IMPERSONATION_LEVEL ImpersonationLevel,
                                 TOKEN_TYPE TokenType, HANDLE *phNewToken);

/** Copies one class of information about a token (TokenUser to TokenStatistics) into
 *  TokenInformation. Needs TOKEN_QUERY (TokenSource: TOKEN_QUERY_SOURCE).
 *  S_OK; E_POINTER (ReturnLength NULL: nothing else happens; or TokenInformation NULL with a
 *  non-zero length); E_HANDLE (hToken not a live handle); E_ACCESSDENIED (the handle lacks
 *  the right above); E_INVALIDARG (another class, TokenRestrictedSids included: that one is
 *  hostsec_win32.h's; or TokenImpersonationLevel of a primary token);
 *  HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) (TokenInformationLength below the size);
 *  HOST_E_CLRNOTAVAILABLE (the library is closed). *ReturnLength receives the bytes needed
 *  with S_OK, ERROR_INSUFFICIENT_BUFFER and E_POINTER for TokenInformation, else 0. The
 *  buffer is untouched on failure. Common results. */
HRESULT HostSec_GetTokenInformation(HANDLE hToken, TOKEN_INFORMATION_CLASS TokenInformationClass,
                                    void *TokenInformation, DWORD TokenInformationLength,
                                    DWORD *ReturnLength);

/** Makes a primary token for a local account from the system's user database (NSS),
 *  supplementary groups included; no password is checked: the caller vouches. userName is
 *  matched byte for byte: no encoding is assumed, and invalid UTF-8 is never repaired into
 *  another account's name. The token's DACL grants the account and the caller's current
 *  identity; the handle has TOKEN_ALL_ACCESS.
 *  S_OK; E_POINTER (userName or phToken NULL); HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) (no such
 *  account, "" included, or one whose uid, gid or a group is (uid_t)-1, which no thread can
 *  hold); E_OUTOFMEMORY (no handle slot left); HOST_E_CLRNOTAVAILABLE (the library is closed).
 *  *phToken = NULL on failure. Common results. */
HRESULT HostSec_LogonUser(const char *userName, HANDLE *phToken);

/** Logs on a local account with its password, as Windows' LogonUser does: PAM checks the
 *  password and the account (pam_start with the service "hostsec", or the one the environment
 *  variable HOSTSEC_PAM_SERVICE names, read with secure_getenv so setuid and file-capability
 *  hosts ignore it; then pam_authenticate and pam_acct_mgmt, in PAM_SILENT mode, refusing
 *  empty passwords). On success *phToken receives a primary token for the account PAM
 *  authenticated, exactly as HostSec_LogonUser makes it (groups from getgrouplist, DACL
 *  granting the account and the caller, TOKEN_ALL_ACCESS).
 *
 *  Who may log on with a password: not root (uid 0) nor a system account (uid below UID_MIN
 *  of /etc/login.defs, 1000 when absent) unless the policy has
 *  HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON; not an account whose shell is not a login shell
 *  (not listed in /etc/shells; an empty shell is /bin/sh) unless it has
 *  HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON. Both are decided from the user database (NSS)
 *  before PAM runs, so the password is not checked and pam_faillock counts nothing, and again
 *  for the account PAM authenticated. The refusal tells the caller that the account exists
 *  and is of such a kind: a server answers it to its clients as it answers
 *  ERROR_LOGON_FAILURE. A PAM transaction that succeeds without ever asking for the password
 *  (a stack with pam_rootok, as su's, or pam_permit) is ERROR_LOGON_FAILURE. The shipped
 *  service (pam.d/hostsec) also refuses every account while /etc/nologin exists, and locks an
 *  account after repeated failures (pam_faillock: 3 in 15 minutes, for 10 minutes, by default).
 *
 *  userName is passed to PAM and NSS byte for byte (no encoding is assumed or repaired).
 *  password is read in place: never stored, logged or traced (the tracer prints ***). The
 *  one copy is the answer PAM's conversation asks for, malloc'd as PAM requires; libpam
 *  overwrites and frees it. The library answers one hidden prompt per call; a stack that asks
 *  for more (a one-time code) fails with ERROR_LOGON_FAILURE.
 *
 *  Time: every failure once PAM ran returns no sooner than the call's start plus the delay
 *  the PAM stack asked for (pam_faildelay and pam_unix: 2 s, libpam varies it by up to a
 *  quarter), so a wrong password and an unknown account take the same time. This function
 *  sleeps that delay on the calling thread: a server whose logon threads are few should call
 *  HostSec_LogonUserWithPasswordNoWait and delay its answer on a timer instead. Transactions
 *  of the shipped stack on a root thread run side by side; any other stack, one at a time
 *  (modules are not all thread-safe); the delays run outside any lock. A name whose last
 *  logon failed less than a minute ago waits for a place in a lane of (CPUs - 1) and hashes
 *  at the lowest CPU priority, so a flood of wrong passwords does not slow other accounts'
 *  logons (docs/logon.md, "A flood of wrong passwords"). PAM runs with the calling thread's
 *  current credentials: without root, pam_unix checks only the password of the account of
 *  the thread's real uid (through its setuid helper unix_chkpwd): the process's, or none on
 *  a thread impersonating someone.
 *
 *  S_OK;
 *  E_POINTER (userName, password or phToken NULL);
 *  E_INVALIDARG (userName empty);
 *  HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE) (wrong password, unknown account, an account whose
 *    password cannot be checked, e.g. locked with usermod -L or by pam_faillock, a password
 *    pam_unix refuses to check (longer than 512 bytes), /etc/nologin present (pam_nologin),
 *    a stack that asked for more than one secret, or one that never asked for the password;
 *    a name that failed within the last minute while its lane and the lane's queue are full:
 *    refused without PAM, right password or not);
 *  HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED) (root, a system account or an account
 *    without a login shell, which the policy does not allow: at once, PAM is not called);
 *  HRESULT_FROM_WIN32(ERROR_ACCOUNT_EXPIRED) (right password, the account expired: chage -E);
 *  HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED) (right password, it must be changed first:
 *    chage -d 0, or older than its maximum age);
 *  HRESULT_FROM_WIN32(ERROR_ACCOUNT_DISABLED) (right password, the stack's account step denied
 *    access with PAM_PERM_DENIED, e.g. pam_access);
 *  HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS) (no such PAM service file in /etc/pam.d or
 *    /usr/lib/pam.d, a service name that is not a plain file name, or PAM failed: a module
 *    missing or broken, PAM_SERVICE_ERR, PAM_SYSTEM_ERR);
 *  E_OUTOFMEMORY (PAM ran out of memory, PAM_BUF_ERR, or no handle slot is left);
 *  HOST_E_CLRNOTAVAILABLE (the library is closed: PAM is not called).
 *  *phToken = NULL on failure. Common results. */
HRESULT HostSec_LogonUserWithPassword(const char *userName, const char *password, HANDLE *phToken);

/** HostSec_LogonUserWithPassword without the wait: the same checks, the same token and the
 *  same results, but the call returns as soon as PAM is done. On failure *pdwFailureDelayMs
 *  receives the milliseconds of the PAM stack's failure delay that remain (rounded up; 0 for
 *  a failure before PAM ran: bad arguments, ERROR_LOGON_TYPE_NOT_GRANTED,
 *  ERROR_NO_LOGON_SERVERS for a missing service, a closed library). The caller must not report
 *  the failure to whoever tried before that time has passed (a server delays its answer on a
 *  timer), or timing tells which accounts exist; no thread needs to wait meanwhile, so a flood
 *  of wrong passwords cannot hold a server's logon threads. *pdwFailureDelayMs = 0 on success.
 *  S_OK;
 *  E_POINTER (userName, password, phToken or pdwFailureDelayMs NULL; the other out value is
 *    still cleared);
 *  E_INVALIDARG; HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE);
 *  HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED); HRESULT_FROM_WIN32(ERROR_ACCOUNT_EXPIRED);
 *  HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED); HRESULT_FROM_WIN32(ERROR_ACCOUNT_DISABLED);
 *  HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS); E_OUTOFMEMORY; HOST_E_CLRNOTAVAILABLE (each
 *  as HostSec_LogonUserWithPassword says).
 *  *phToken = NULL on failure. Common results. */
HRESULT HostSec_LogonUserWithPasswordNoWait(const char *userName, const char *password, HANDLE *phToken,
                                            DWORD *pdwFailureDelayMs);

/** HostSec_SetPolicy flag: impersonating another account must be enforced by the kernel. */
#define HOSTSEC_POLICY_REQUIRE_ENFORCEMENT 0x00000001u
/** HostSec_SetPolicy flag: password logons of uid 0 and of system accounts (uid below UID_MIN
 *  of /etc/login.defs, 1000 when absent) are allowed. Without it they are refused. */
#define HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON 0x00000002u
/** HostSec_SetPolicy flag: password logons of accounts whose shell is not a login shell (not
 *  listed in /etc/shells; an empty shell is /bin/sh) are allowed. Without it they are refused. */
#define HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON 0x00000004u

/** Sets the process-wide policy flags (replacing the previous ones; 0, the default, is
 *  Windows' behaviour).
 *
 *  By default, a thread that impersonates another account while the process lacks
 *  CAP_SETUID or CAP_SETGID in its permitted set gets S_OK at SecurityIdentification level:
 *  the identity is recorded and can be queried, and the kernel keeps the process's own
 *  credentials (as Windows does without SeImpersonatePrivilege). A server that checks only
 *  SUCCEEDED(hr) would then do a user's work as itself. With
 *  HOSTSEC_POLICY_REQUIRE_ENFORCEMENT, every call that would make a thread act as another
 *  account the kernel cannot switch to (IHostSecurityManager::ImpersonateLoggedOnUser,
 *  SetThreadToken and SetSecurityContext with an impersonation- or delegation-level token of
 *  another account) fails with HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) instead, and
 *  changes nothing: the thread keeps the token and credentials it had. Tokens of the
 *  thread's own account, identification-level tokens and restricted contexts are not
 *  affected. Takes effect for every thread at its next call.
 *
 *  HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON and HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON let
 *  root and system accounts, and accounts without a login shell, log on with a password
 *  (HostSec_LogonUserWithPassword, HostSec_LogonUserWithPasswordNoWait, hostsec_win32.h's
 *  LogonUserA), from the next logon on.
 *
 *  S_OK; E_INVALIDARG (a bit other than HOSTSEC_POLICY_REQUIRE_ENFORCEMENT,
 *  HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON and HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON; the
 *  policy is unchanged). Works after the library closed. Common results. */
HRESULT HostSec_SetPolicy(DWORD dwFlags);
/* ---------------------------------------------------------------------------------------
 * Processes and clients as users (docs/access-control.md)
 * ------------------------------------------------------------------------------------- */

/** Starts the program at `path` (no PATH search) as the account of a primary token. The calling
 *  thread opens `path` (O_PATH, with its current credentials, impersonation included; a
 *  relative path is the caller's current folder's) and the child runs exactly that file
 *  (execveat), so the account needs execute permission on the file, not search permission on
 *  its folders. The child's real, effective, saved and filesystem uids are the token's uid, its
 *  real, effective, saved and filesystem gids the token's gid, its supplementary groups exactly
 *  the token's. Capabilities: for a token of a uid other than 0, the privileges the token has
 *  enabled are the child's permitted, effective, inheritable and ambient sets (so they survive
 *  the exec), and nothing else; for uid 0, the token's permitted set (root's programs start
 *  with it effective). The bounding set is cut to the token's permitted set when the caller
 *  holds CAP_SETPCAP. The child runs with no_new_privs (PR_SET_NO_NEW_PRIVS) when the bounding
 *  set could not be cut (so a uid-0 child still holds exactly the token's permitted set), when
 *  the token lost privileges (a CreateRestrictedToken token, or privileges removed with
 *  AdjustTokenPrivileges), and for a uid other than 0 whenever its bounding set lacks a
 *  capability (any such token short of every capability): set-user-ID and file-capability
 *  programs then run without elevating (su, sudo, passwd, ping with file capabilities do not
 *  work in the child as in a login session), never half elevated with euid 0, saved uid 0 and a
 *  cut capability set. A uid-0 token with its privileges deleted still starts a uid-0 child:
 *  root without capabilities, owner of every file root owns. No saved root id, no way back.
 *  From fork to execve the child is not dumpable (PR_SET_DUMPABLE 0, its first step): its
 *  memory is still a copy of the caller's, and no other process of the account can read it
 *  through /proc; the program it runs is dumpable as usual.
 *
 *  What else the child gets: a session of its own (setsid: no controlling terminal, so it
 *  can neither open the caller's /dev/tty nor push input into it) and a new anonymous session
 *  keyring (none of the caller's keys); descriptors 0, 1 and 2 the caller's own when each is a
 *  terminal, a pipe or a socket open across exec (what a host sets there for its child), else
 *  /dev/null (a regular file, a closed or close-on-exec descriptor), every other descriptor
 *  closed; umask 022; the account's home folder (passwd) as working folder, or "/" when it has
 *  none or may not enter it; the caller's resource limits (rlimits) and audit login uid
 *  unchanged; signal handlers at their defaults and no signal blocked; nothing of the calling
 *  thread's impersonation (its credentials are all set from the token). No PAM session runs
 *  (no pam_limits, pam_loginuid, pam_keyinit, pam_systemd). The credential change happens only
 *  in the child, between fork and execve, with raw system calls; the calling thread's
 *  credentials never change. argv and envp are NULL-terminated arrays as execve takes them;
 *  envp NULL is an empty environment. The caller reaps the child (waitpid). Needs
 *  TOKEN_ASSIGN_PRIMARY, TOKEN_DUPLICATE and TOKEN_QUERY on token.
 *
 *  S_OK and *pid;
 *  E_POINTER (path, argv or pid NULL);
 *  E_HANDLE (token not a live token handle);
 *  HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE) (an impersonation token: duplicate it as a primary
 *    one first, as Windows asks);
 *  HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED) (a restricted token with restricting or deny-only
 *    SIDs: the kernel has no form for them. A child would hold every right of the
 *    unrestricted account, or, without a deny-only group, read what that group is denied);
 *  E_ACCESSDENIED (the handle lacks a right above; the kernel refused the change: starting a
 *    process as another account takes CAP_SETUID and CAP_SETGID; the caller may not open
 *    path; or the account may not run the program, execve's EACCES);
 *  HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND) (no such program, "" included, a component of
 *    path that is not a directory, too many symbolic links, or a path too long);
 *  HRESULT_FROM_WIN32(ERROR_BAD_EXE_FORMAT) (not an executable format);
 *  E_INVALIDARG (the token has more supplementary groups than a process can hold, 65,536, or
 *    execve answered EINVAL);
 *  E_OUTOFMEMORY (no memory, or fork found the process limit reached: ENOMEM, EAGAIN);
 *  E_UNEXPECTED (fork, the error pipe, /dev/null or execve failed otherwise, e.g. no
 *    descriptor left, or argv and envp too long; or the account's key quota left no room for
 *    the child's session keyring);
 *  HOST_E_CLRNOTAVAILABLE (the library is closed).
 *  *pid is left unchanged on failure; no process is left behind. Common results. */
HRESULT HostSec_SpawnAsUser(HANDLE token, const char *path, char *const argv[], char *const envp[], pid_t *pid);

/** A token for the process on the other end of a connected Unix domain socket (Windows'
 *  ImpersonateNamedPipeClient has this twin): its uid and gid from SO_PEERCRED and its
 *  supplementary groups from SO_PEERGROUPS, as the kernel recorded them when the peer
 *  connected; no capabilities. The identity is fixed at connect() (or socketpair()): a client
 *  that later changes its credentials (drops privileges), or hands the socket to another
 *  process (SCM_RIGHTS, fork), is still served as the process that connected, unlike
 *  Windows' named pipes, which impersonate the client as it is at each call. An impersonation token at SecurityImpersonation whose DACL
 *  grants the peer and the caller's current identity; desiredAccess is checked against it for
 *  the calling thread's current identity (0: a handle with no rights).
 *  S_OK; E_POINTER (token NULL); HOST_E_CLRNOTAVAILABLE (the library is closed); E_HANDLE (fd
 *  is not open, or not a socket); HRESULT_FROM_WIN32(ERROR_CANNOT_IMPERSONATE) (a socket
 *  without a peer: not connected, or not a Unix domain socket; or a peer whose ids no thread
 *  can hold); E_ACCESSDENIED (the DACL does not grant desiredAccess, or a right no token has);
 *  HRESULT_FROM_WIN32(ERROR_BAD_IMPERSONATION_LEVEL) (the thread impersonates below
 *  SecurityImpersonation: it can open nothing); E_OUTOFMEMORY (no memory for the peer's
 *  groups, or no handle slot left). *token = NULL on failure. Common results. */
HRESULT HostSec_OpenSocketClientToken(int fd, DWORD desiredAccess, HANDLE *token);

/** The calling thread impersonates the peer of a connected Unix domain socket: the token
 *  HostSec_OpenSocketClientToken gives, applied as ImpersonateLoggedOnUser applies a token
 *  (kernel credentials switched; without CAP_SETUID/CAP_SETGID another account is held at
 *  SecurityIdentification, as Windows does without SeImpersonatePrivilege). RevertToSelf ends
 *  it.
 *  S_OK; HOST_E_CLRNOTAVAILABLE (the library is closed); E_HANDLE (fd is not open, or not a
 *  socket: nothing changes); HRESULT_FROM_WIN32(ERROR_CANNOT_IMPERSONATE) (no peer, as for
 *  HostSec_OpenSocketClientToken: nothing changes); E_OUTOFMEMORY (no memory for the peer's
 *  groups: nothing changes; or the kernel's ENOMEM: rolled back);
 *  HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD), E_ACCESSDENIED, E_INVALIDARG, E_UNEXPECTED,
 *  E_FAIL (the switch's results, as for IHostSecurityManager::ImpersonateLoggedOnUser).
 *  Common results. */
HRESULT HostSec_ImpersonateSocketClient(int fd);

HOSTSEC_END_DECLS

/* ---------------------------------------------------------------------------------------
 * Type information: a machine-readable description of every interface above (name, IID,
 * each slot's method, return type and parameters), for runtimes that call methods by slot
 * number (libffi, Python's ctypes, a VM's FFI) and for the call tracer. The description is
 * static, read-only data inside the library: never written to, never freed, valid for the
 * life of the process.
 * ------------------------------------------------------------------------------------- */

/** How a value is passed in the platform's C calling convention: the libffi type to use. */
typedef enum HOSTSEC_ABI_KIND {
    HOSTSEC_ABI_INT32 = 1,  /**< signed 32-bit, ffi_type_sint32: HRESULT, BOOL, enums */
    HOSTSEC_ABI_UINT32 = 2, /**< unsigned 32-bit, ffi_type_uint32: DWORD, ULONG */
    HOSTSEC_ABI_POINTER = 3 /**< a pointer, ffi_type_pointer: HANDLE, REFIID, interfaces, out pointers */
} HOSTSEC_ABI_KIND;

/** Which way a parameter's value flows. */
typedef enum HOSTSEC_PARAM_DIRECTION {
    HOSTSEC_PARAM_IN = 1, /**< the method reads the value */
    HOSTSEC_PARAM_OUT = 2 /**< a pointer the method stores a result through (NULL on failure) */
} HOSTSEC_PARAM_DIRECTION;

/** What a value means, beyond its ABI kind: how a tracer or binding decodes it. */
typedef enum HOSTSEC_VALUE_KIND {
    HOSTSEC_VALUE_HRESULT = 1,       /**< an HRESULT (see HostSec_HResultName) */
    HOSTSEC_VALUE_REFCOUNT = 2,      /**< a reference count (AddRef, Release) */
    HOSTSEC_VALUE_IID = 3,           /**< REFIID: a pointer to a 16-byte IID */
    HOSTSEC_VALUE_INTERFACE = 4,     /**< an interface pointer, or NULL */
    HOSTSEC_VALUE_INTERFACE_OUT = 5, /**< where the method stores an interface pointer */
    HOSTSEC_VALUE_BOOL = 6,          /**< BOOL: FALSE (0) or TRUE */
    HOSTSEC_VALUE_ACCESS_MASK = 7,   /**< token access rights (TOKEN_*, GENERIC_*, MAXIMUM_ALLOWED) */
    HOSTSEC_VALUE_HANDLE = 8,        /**< a token HANDLE */
    HOSTSEC_VALUE_HANDLE_OUT = 9,    /**< where the method stores a token HANDLE */
    HOSTSEC_VALUE_CONTEXT_TYPE = 10, /**< EContextType */
    HOSTSEC_VALUE_NUMBER = 11,       /**< an opaque 32-bit number (e.g. an AppDomain id); OUT: a
                                          DWORD * the function stores a number through */
    HOSTSEC_VALUE_STRING = 12,       /**< a NUL-terminated byte string (const char *), e.g. a user name */
    HOSTSEC_VALUE_SECRET = 13,       /**< a NUL-terminated secret (a password): never shown, never
                                          kept; the tracer prints *** (NULL when NULL) */
    HOSTSEC_VALUE_POINTER = 14,      /**< an opaque pointer (a buffer, an argument array), shown as
                                          its address; OUT: a buffer the function fills */
    HOSTSEC_VALUE_POINTER_OUT = 15,  /**< where the function stores a pointer (e.g. to a static
                                          description) */
    HOSTSEC_VALUE_IMPERSONATION_LEVEL = 16, /**< SECURITY_IMPERSONATION_LEVEL */
    HOSTSEC_VALUE_TOKEN_TYPE = 17,   /**< TOKEN_TYPE */
    HOSTSEC_VALUE_INFORMATION_CLASS = 18, /**< TOKEN_INFORMATION_CLASS */
    HOSTSEC_VALUE_POLICY = 19        /**< HOSTSEC_POLICY_* flags */
} HOSTSEC_VALUE_KIND;

/** One parameter of a method (the implicit This parameter is not listed). */
typedef struct HOSTSEC_PARAM_INFO {
    const char *Name;        /**< the header's name, e.g. "dwDesiredAccess" */
    const char *TypeName;    /**< the header's type, e.g. "DWORD", "HANDLE *", "REFIID" */
    DWORD AbiKind;           /**< a HOSTSEC_ABI_KIND */
    DWORD Direction;         /**< a HOSTSEC_PARAM_DIRECTION */
    DWORD ValueKind;         /**< a HOSTSEC_VALUE_KIND */
    int32_t IidIsParam;      /**< for a void ** out parameter: the index in Params of the REFIID
                                  naming the interface stored (MIDL's iid_is); otherwise -1 */
    const IID *InterfaceIid; /**< for a parameter typed as one interface (IUnknown *,
                                  IHostSecurityContext **): that interface's IID; otherwise NULL */
} HOSTSEC_PARAM_INFO;

/** One vtable slot, or one flat function (HostSec_GetFunctionInfoAt). */
typedef struct HOSTSEC_METHOD_INFO {
    const char *Name;              /**< the vtable member's name, e.g. "OpenThreadToken", or the
                                        function's, e.g. "HostSec_CloseHandle" */
    DWORD Slot;                    /**< the slot: the function pointer sits at Slot * sizeof(void *);
                                        for a flat function its index */
    DWORD ParamCount;              /**< parameters after This (a flat function: all of them) */
    const HOSTSEC_PARAM_INFO *Params; /**< ParamCount entries in call order; NULL when 0 */
    const char *ReturnTypeName;    /**< "HRESULT" or "ULONG"; flat functions also "DWORD" and
                                        "const char *" */
    DWORD ReturnAbiKind;           /**< a HOSTSEC_ABI_KIND */
    DWORD ReturnValueKind;         /**< a HOSTSEC_VALUE_KIND */
} HOSTSEC_METHOD_INFO;

/** One interface: its identity and every slot, IUnknown's three included. */
typedef struct HOSTSEC_INTERFACE_INFO {
    const char *Name;                   /**< e.g. "IHostSecurityManager" */
    const IID *Iid;                     /**< e.g. &IID_IHostSecurityManager */
    const char *BaseName;               /**< "IUnknown", or NULL for IUnknown itself */
    DWORD MethodCount;                  /**< vtable slots */
    const HOSTSEC_METHOD_INFO *Methods; /**< MethodCount entries; Methods[i].Slot == i */
} HOSTSEC_INTERFACE_INFO;

HOSTSEC_BEGIN_DECLS

/** Finds the description of interface riid (IID_IUnknown, IID_IClassFactory,
 *  IID_IHostControl, IID_IHostSecurityContext or IID_IHostSecurityManager) and stores a
 *  pointer to it in *ppInfo. The description is static: never free or modify it.
 *  S_OK; E_POINTER (ppInfo NULL; or riid NULL); E_NOINTERFACE (riid is not described).
 *  *ppInfo = NULL on failure. No other result; works after the library closed. */
HRESULT HostSec_GetInterfaceInfo(REFIID riid, const HOSTSEC_INTERFACE_INFO **ppInfo);

/** Enumerates the described interfaces: index 0 is IUnknown, then IClassFactory,
 *  IHostControl, IHostSecurityContext, IHostSecurityManager. Stores a pointer to the
 *  static description in *ppInfo (never free or modify it).
 *  S_OK; E_POINTER (ppInfo NULL); E_INVALIDARG (index past the last interface: the end of
 *  the enumeration). *ppInfo = NULL on failure. No other result; works after the library
 *  closed. */
HRESULT HostSec_GetInterfaceInfoAt(DWORD index, const HOSTSEC_INTERFACE_INFO **ppInfo);

/** Enumerates the flat functions described (Slot is index): every function this header
 *  declares, in the order they were added. Index 0 is HostSec_LogonUserWithPassword; then
 *  DllGetClassObject, DllCanUnloadNow, HostSec_GetVersion, HostSec_GetVersionString,
 *  HostSec_HResultName, HostSec_GetStatistics, HostSec_CloseHandle, HostSec_OpenProcessToken,
 *  HostSec_ImpersonateSelf, HostSec_DuplicateTokenEx, HostSec_GetTokenInformation,
 *  HostSec_LogonUser, HostSec_SetPolicy, HostSec_GetInterfaceInfo, HostSec_GetInterfaceInfoAt,
 *  HostSec_GetFunctionInfoAt, HostSec_Invoke, HostSec_SetTrace, HostSec_SpawnAsUser,
 *  HostSec_OpenSocketClientToken, HostSec_ImpersonateSocketClient,
 *  HostSec_LogonUserWithPasswordNoWait. A runtime finds the
 *  function with dlsym and calls it with the described signature; the call tracer logs
 *  every call of a described function (one line, as for methods). Stores a pointer
 *  to the static description in *ppInfo (never free or modify it).
 *  S_OK; E_POINTER (ppInfo NULL); E_INVALIDARG (index past the last function: the end of the
 *  enumeration). *ppInfo = NULL on failure. No other result; works after the library
 *  closed. */
HRESULT HostSec_GetFunctionInfoAt(DWORD index, const HOSTSEC_METHOD_INFO **ppInfo);

/** Calls slot `slot` of interface riid on pInterface through libffi, with the signature the
 *  type information gives (HostSec_GetInterfaceInfo). pInterface is passed as This.
 *  args holds one pointer per parameter, in Params order (This excluded), each pointing at
 *  a value of that parameter's type, as libffi's ffi_call takes them: for a DWORD parameter
 *  a DWORD *, for a HANDLE * parameter a HANDLE ** (a pointer to the out pointer). args may
 *  be NULL for a method without parameters. The method's return value (an HRESULT or a
 *  ULONG, per ReturnTypeName: 4 bytes) is stored in *pResult. pInterface is not checked
 *  beyond this: it must be a live interface pointer of riid (for the library's own objects
 *  a mismatch is refused with E_NOINTERFACE). Nothing is allocated or freed.
 *  S_OK (the method was called; its own result, whatever it is, is in *pResult); E_POINTER
 *  (pInterface, riid or pResult NULL; args or one of its entries NULL for a method with
 *  parameters; or the vtable's slot is NULL); E_NOINTERFACE (riid is not described, or the
 *  library's own object does not implement it); E_INVALIDARG (slot >= the interface's
 *  MethodCount); E_UNEXPECTED (libffi refused the signature). *pResult is left unchanged on
 *  failure. No other result; works after the library closed. */
HRESULT HostSec_Invoke(void *pInterface, REFIID riid, DWORD slot, void **args, void *pResult);

/** Switches the call tracer. With enable TRUE, every call of a flat function this header
 *  declares (DllGetClassObject, HostSec_*: "hostsec[tid] HostSec_Name(arg=value, ...) =
 *  result[; *out=value] (d us)") is logged, and every interface pointer the library hands
 *  out from now on is a tracing proxy: each call through it is logged (interface and method
 *  name, decoded arguments, the HRESULT's name, the OS thread id and the duration, one line
 *  per call: "hostsec[tid] IFoo::Method(this=0x..., name=value, ...) = result[; *out=value]
 *  (d us)") to the file at path (appended, created with mode
 *  0600 if missing) or to stderr when path is NULL; a previously opened trace file is
 *  closed. With enable FALSE (path must be NULL), objects handed out from now on are not
 *  wrapped and existing proxies stop logging; they go on working.
 *  The file is opened without blocking and without following a symbolic link another user
 *  could have planted: refused are a path whose last component is a symbolic link, a path
 *  through a symbolic link in a world-writable sticky directory (such as /tmp) owned by
 *  neither the effective user nor the directory's owner, an existing file in such a directory
 *  owned by another user, a regular file with more than one hard link, and anything but a
 *  regular file, a terminal or /dev/null (a FIFO, socket, directory or device).
 *  Setting the environment variable HOSTSEC_TRACE before the library is loaded does the same
 *  as a first call: "1" or "stderr" traces to stderr, empty or "0" is off, a value with a
 *  '/' ("./trace.log", "/var/log/x.log") is a file path opened by the rules above (refused:
 *  reported once on stderr, then tracing goes to stderr), and any other value ("Stderr",
 *  " 1", "-", "yes", a bare "trace.log") is rejected: reported once on stderr with the value
 *  escaped, tracing off, no file created. The variable is ignored in a process that runs
 *  with privileges its caller does not have (set-user-ID, set-group-ID, file capabilities:
 *  secure_getenv).
 *  S_OK; E_INVALIDARG (path empty; path given with enable FALSE; or the file cannot be
 *  opened for another reason than those below: a directory in its path is missing or is not
 *  a directory, the name is too long, no space is left to create it); E_ACCESSDENIED (the file
 *  may not be opened for writing, is a directory, or is refused by the rules above);
 *  E_OUTOFMEMORY (no memory or no file descriptor left to open it). On failure the tracer's
 *  state is unchanged and nothing is written to stderr. No other result; works after the
 *  library closed. */
HRESULT HostSec_SetTrace(BOOL enable, const char *path);

HOSTSEC_END_DECLS

#endif /* HOSTSEC_H */
