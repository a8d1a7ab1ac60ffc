/* Helpers shared by the token tests: the security manager through the real COM entry
 * points, token statistics, raw per-thread capability changes, and forked sub-tests. */
#ifndef HOSTSEC_TOKEN_UTIL_H
#define HOSTSEC_TOKEN_UTIL_H

#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include "check.h"
#include "hosting.h"

/* A value no handle ever has: tests pre-fill out handles with it to see them cleared. */
#define JUNK_HANDLE ((HANDLE)(uintptr_t)0x5A5A5A5A5A5A5A5AULL)

static inline HRESULT util_open(IHostSecurityManager *m, DWORD access, BOOL asSelf, HANDLE *ph) {
    return m->lpVtbl->OpenThreadToken(m, access, asSelf, ph);
}

static inline HRESULT util_revert(IHostSecurityManager *m) { return m->lpVtbl->RevertToSelf(m); }

/* Whether a handle's rights allow a TokenUser query. */
static inline int util_can_query(HANDLE h) {
    HOSTSEC_TOKEN_USER u;
    DWORD len = 0;
    return HostSec_GetTokenInformation(h, TokenUser, &u, sizeof u, &len) == S_OK;
}

/* Whether a handle's rights allow DuplicateTokenEx (the copy is closed again). */
static inline int util_can_duplicate(HANDLE h) {
    HANDLE d = NULL;
    if (HostSec_DuplicateTokenEx(h, 0, SecurityImpersonation, TokenImpersonation, &d) != S_OK) return 0;
    HostSec_CloseHandle(d);
    return 1;
}

/* TokenStatistics of a handle (zeroed when the query fails). */
static inline HOSTSEC_TOKEN_STATISTICS util_statistics(HANDLE h) {
    HOSTSEC_TOKEN_STATISTICS s;
    DWORD len = 0;
    memset(&s, 0, sizeof s);
    if (HostSec_GetTokenInformation(h, TokenStatistics, &s, sizeof s, &len) != S_OK) memset(&s, 0, sizeof s);
    return s;
}

/* The TokenId of the calling thread's token (0 when it has none). */
static inline uint64_t util_thread_token_id(IHostSecurityManager *m) {
    HANDLE h = NULL;
    if (util_open(m, TOKEN_QUERY, TRUE, &h) != S_OK) return 0;
    uint64_t id = util_statistics(h).TokenId;
    HostSec_CloseHandle(h);
    return id;
}

/* The calling thread's capability sets, raw (per-thread). */
static inline int util_capget(uint64_t *eff, uint64_t *perm, uint64_t *inh) {
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &hdr, d) != 0) return -1;
    *eff = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
    *perm = (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
    *inh = (uint64_t)d[0].inheritable | (uint64_t)d[1].inheritable << 32;
    return 0;
}

/* Removes capabilities from the calling thread's effective set only (raw capset). */
static inline int util_drop_effective(uint64_t caps) {
    uint64_t eff, perm, inh;
    if (util_capget(&eff, &perm, &inh) != 0) return -1;
    eff &= ~caps;
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    d[0].effective = (uint32_t)eff;
    d[1].effective = (uint32_t)(eff >> 32);
    d[0].permitted = (uint32_t)perm;
    d[1].permitted = (uint32_t)(perm >> 32);
    d[0].inheritable = (uint32_t)inh;
    d[1].inheritable = (uint32_t)(inh >> 32);
    return syscall(SYS_capset, &hdr, d) == 0 ? 0 : -1;
}

/* True when the process may switch identities (root with CAP_SETUID+CAP_SETGID). */
static inline int util_can_impersonate_others(void) {
    uint64_t eff, perm, inh;
    if (util_capget(&eff, &perm, &inh) != 0) return 0;
    uint64_t need = (1ULL << CAP_SETUID) | (1ULL << CAP_SETGID);
    return geteuid() == 0 && (perm & need) == need;
}

/* Runs body in a forked child (so credential changes stay there); the child's CHECK
 * failures come back through its exit status. Returns 1 when the child passed. */
/* Runs `name` in a new process of this test program whose first use of the library happens
 * without the capabilities in `drop` (removed from the bounding set before exec, so root's
 * exec does not give them back): the process token is recorded without them. The program's
 * main() must handle `--body NAME` (util_body_requested). */
static inline int util_in_process_without(const char *name, uint64_t drop) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        for (int cap = 0; cap < 64; cap++)
            if (drop & (UINT64_C(1) << cap)) (void)prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0UL, 0UL, 0UL);
        execl("/proc/self/exe", "test", "--body", name, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The body util_in_process_without asked this process to run, or NULL. */
static inline const char *util_body_requested(int argc, char **argv) {
    return argc == 3 && strcmp(argv[1], "--body") == 0 ? argv[2] : NULL;
}

static inline int util_in_child(void (*body)(void)) {
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) return 0;
    if (pid == 0) {
        check_current_failed = 0;
        body();
        fflush(stderr);
        _exit(check_current_failed ? 1 : 0);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid) return 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

#define SKIP_UNLESS_ROOT()                                                            \
    do {                                                                              \
        if (!util_can_impersonate_others()) {                                         \
            printf("skip %s: needs root with CAP_SETUID and CAP_SETGID\n", __func__); \
            return;                                                                   \
        }                                                                             \
    } while (0)

#endif
