/*
 * baseline.h - a plain C implementation of the operations hostsec's benchmarks measure,
 * written the straightforward way: a static vtable with a C11 atomic reference count, a
 * _Thread_local token slot holding an atomically reference-counted token, a handle array
 * with generation counters and a per-thread free list, and the raw per-thread credential
 * syscalls. It is the yardstick each library row is divided by.
 */
#ifndef HOSTSEC_BENCH_BASELINE_H
#define HOSTSEC_BENCH_BASELINE_H

#include "hostsec.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A new security manager object (one reference) using the baseline's static vtable. */
IHostSecurityManager *bl_create_manager(void);

/** The baseline's flat calls: same contracts as the HostSec_* functions they shadow. */
HRESULT bl_ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL level);
HRESULT bl_CloseHandle(HANDLE h);
HRESULT bl_LogonUser(uint32_t uid, uint32_t gid, const uint32_t *groups, uint32_t ngroups, HANDLE *ph);
HRESULT bl_GetTokenInformationUser(HANDLE h, void *buffer, DWORD length, DWORD *returnLength);

/** Reads the calling thread's own credentials (call once per thread before impersonating). */
void bl_thread_init(void);

/** The raw syscall sequence of kernel-enforced impersonation: setgroups, setresgid,
 *  setresuid to (uid, gid, groups) keeping the saved ids at "self"; and back.
 *  Each returns 0 or an errno value. */
int bl_raw_impersonate(uint32_t uid, uint32_t gid, const uint32_t *groups, uint32_t ngroups);
int bl_raw_revert(void);

#ifdef __cplusplus
}
#endif

#endif
