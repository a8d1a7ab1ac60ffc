/* soak.c - many threads, many random operations, identity checked at every step.
 *
 * THREADS threads (default 8) each run OPS random operations (default 100000): open the
 * process or thread token, duplicate, impersonate (kernel level, several accounts: root,
 * nobody, daemon, bin, sys), set a thread token, capture a security context and hand it to
 * another thread through a shared queue, apply a context taken from the queue, revert, close.
 * After every operation the thread checks that no call reported a catastrophe and that its
 * kernel credentials are its token's identity (when the token acts, level >=
 * SecurityImpersonation) or exactly its own ("self"). At the end every count
 * (HostSec_GetStatistics) must be back at its baseline.
 *
 *   soak [THREADS [OPS [SEED]]]     HOSTSEC_QUICK=1: 8 x 3000
 * Built and run by Tests/sh/test-soak.sh (under ThreadSanitizer). Exit status 0: no failure.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define COBJMACROS
#include <hostsec.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "hosting.h"

#define MAX_GROUPS    256
#define LOCAL_HANDLES 16
#define QUEUE         64

static IHostSecurityManager *manager;
static HANDLE accounts[5];
static const char *account_names[5] = {"root", "nobody", "daemon", "bin", "sys"};
static atomic_long failures, checks, impersonations, flows;

#define FAIL(...)                                                    \
    do {                                                             \
        fprintf(stderr, "soak: thread %d op %ld: ", self_index, op); \
        fprintf(stderr, __VA_ARGS__);                                \
        fputc('\n', stderr);                                         \
        atomic_fetch_add(&failures, 1);                              \
    } while (0)

/* ---- the shared queue of captured contexts ------------------------------------------- */

static struct {
    pthread_mutex_t mu;
    IHostSecurityContext *items[QUEUE];
    int head, count;
} queue = {PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0};

static int push(IHostSecurityContext *c) {
    pthread_mutex_lock(&queue.mu);
    int ok = queue.count < QUEUE;
    if (ok) queue.items[(queue.head + queue.count++) % QUEUE] = c;
    pthread_mutex_unlock(&queue.mu);
    return ok;
}

static IHostSecurityContext *pop(void) {
    IHostSecurityContext *c = NULL;
    pthread_mutex_lock(&queue.mu);
    if (queue.count) {
        c = queue.items[queue.head];
        queue.head = (queue.head + 1) % QUEUE;
        queue.count--;
    }
    pthread_mutex_unlock(&queue.mu);
    return c;
}

/* ---- credentials ---------------------------------------------------------------------- */

typedef struct {
    uint32_t ruid, euid, suid, rgid, egid, sgid;
    int ngroups;
    uint32_t groups[MAX_GROUPS];
    uint64_t eff, perm;
} creds;

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void read_creds(creds *c) {
    memset(c, 0, sizeof *c);
    syscall(SYS_getresuid, &c->ruid, &c->euid, &c->suid);
    syscall(SYS_getresgid, &c->rgid, &c->egid, &c->sgid);
    gid_t g[MAX_GROUPS];
    long n = syscall(SYS_getgroups, MAX_GROUPS, g);
    c->ngroups = n < 0 ? -1 : (int)n;
    for (long i = 0; i < n; i++) c->groups[i] = g[i];
    if (n > 0) qsort(c->groups, (size_t)n, sizeof c->groups[0], cmp_u32);
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    syscall(SYS_capget, &h, d);
    c->eff = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
    c->perm = (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static int same(const creds *a, const creds *b) {
    return a->ruid == b->ruid && a->euid == b->euid && a->suid == b->suid && a->rgid == b->rgid && a->egid == b->egid &&
           a->sgid == b->sgid && a->ngroups == b->ngroups &&
           memcmp(a->groups, b->groups, sizeof(uint32_t) * (size_t)(a->ngroups > 0 ? a->ngroups : 0)) == 0 &&
           a->eff == b->eff && a->perm == b->perm;
}

static _Thread_local int self_index;
static _Thread_local long op;
static _Thread_local creds me;

/* Kernel credentials against the thread token; returns 1 when the thread holds one. */
static int check_identity(void) {
    creds now, want = me;
    uint8_t buf[4096] __attribute__((aligned(16)));
    read_creds(&now);
    HANDLE h = NULL;
    HRESULT hr = IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &h);
    atomic_fetch_add(&checks, 1);
    if (hr == S_OK) {
        DWORD len;
        SECURITY_IMPERSONATION_LEVEL level = SecurityAnonymous;
        HostSec_GetTokenInformation(h, TokenImpersonationLevel, &level, sizeof level, &len);
        if (level >= SecurityImpersonation) {
            HOSTSEC_TOKEN_USER user = {0};
            HOSTSEC_TOKEN_PRIMARY_GROUP group = {0};
            if (HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len) != S_OK ||
                HostSec_GetTokenInformation(h, TokenPrimaryGroup, &group, sizeof group, &len) != S_OK ||
                HostSec_GetTokenInformation(h, TokenGroups, buf, sizeof buf, &len) != S_OK)
                FAIL("GetTokenInformation of the thread token failed");
            HOSTSEC_TOKEN_GROUPS *groups = (HOSTSEC_TOKEN_GROUPS *)buf;
            want.ruid = hosting_real_uid_acting_as(user.Uid);
            want.euid = user.Uid;
            want.rgid = want.egid = group.Gid;
            want.ngroups = (int)groups->GroupCount;
            memcpy(want.groups, groups->Gids, sizeof(uint32_t) * groups->GroupCount);
            qsort(want.groups, (size_t)want.ngroups, sizeof want.groups[0], cmp_u32);
            HostSec_GetTokenInformation(h, TokenPrivileges, buf, sizeof buf, &len);
            HOSTSEC_TOKEN_PRIVILEGES *privs = (HOSTSEC_TOKEN_PRIVILEGES *)buf;
            uint64_t eff = 0;
            for (DWORD i = 0; i < privs->PrivilegeCount; i++)
                if (privs->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED)
                    eff |= 1ULL << privs->Privileges[i].Capability;
            want.eff = eff & me.perm;
        }
        if (HostSec_CloseHandle(h) != S_OK) FAIL("closing the probe handle failed");
    } else if (hr != HRESULT_FROM_WIN32(ERROR_NO_TOKEN) && hr != HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS)) {
        FAIL("OpenThreadToken(probe) returned 0x%08x", (unsigned)hr);
        return 1;
    }
    if (!same(&now, &want))
        FAIL("kernel uid %u/%u/%u gid %u/%u/%u groups %d eff %llx, expected uid %u/%u/%u gid %u/%u/%u groups %d eff "
             "%llx",
             now.ruid, now.euid, now.suid, now.rgid, now.egid, now.sgid, now.ngroups, (unsigned long long)now.eff,
             want.ruid, want.euid, want.suid, want.rgid, want.egid, want.sgid, want.ngroups,
             (unsigned long long)want.eff);
    return hr != HRESULT_FROM_WIN32(ERROR_NO_TOKEN);
}

static HRESULT sane(HRESULT hr, const char *what) {
    if (hr == E_FAIL || hr == HOST_E_CLRNOTAVAILABLE) FAIL("%s returned 0x%08x", what, (unsigned)hr);
    return hr;
}

static uint64_t next(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static long ops_per_thread = 100000;
static uint64_t seed = 1;

static void *worker(void *arg) {
    self_index = (int)(intptr_t)arg;
    uint64_t rng = seed * 0x9E3779B97F4A7C15ULL + (uint64_t)self_index * 7919 + 1;
    read_creds(&me);
    HANDLE local[LOCAL_HANDLES];
    int nlocal = 0;
    for (op = 0; op < ops_per_thread; op++) {
        uint64_t r = next(&rng);
        HANDLE h = NULL;
        switch (r % 10) {
        case 0: /* open the process token */
            if (nlocal < LOCAL_HANDLES &&
                sane(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &h), "OpenProcessToken") == S_OK)
                local[nlocal++] = h;
            break;
        case 1: /* open the thread token */
            if (nlocal < LOCAL_HANDLES &&
                sane(IHostSecurityManager_OpenThreadToken(manager, MAXIMUM_ALLOWED, (BOOL)(r >> 8 & 1), &h),
                     "OpenThreadToken") == S_OK)
                local[nlocal++] = h;
            break;
        case 2: { /* duplicate an account token into an impersonation token */
            SECURITY_IMPERSONATION_LEVEL level = (SECURITY_IMPERSONATION_LEVEL)(1 + (r >> 8) % 3);
            if (nlocal < LOCAL_HANDLES &&
                sane(HostSec_DuplicateTokenEx(accounts[(r >> 16) % 5], 0, level, TokenImpersonation, &h),
                     "DuplicateTokenEx") == S_OK)
                local[nlocal++] = h;
            break;
        }
        case 3:
        case 4: /* impersonate an account */
            if (sane(IHostSecurityManager_ImpersonateLoggedOnUser(manager, accounts[(r >> 8) % 5]),
                     "ImpersonateLoggedOnUser") == S_OK)
                atomic_fetch_add(&impersonations, 1);
            break;
        case 5: /* set a thread token */
            if (nlocal)
                sane(IHostSecurityManager_SetThreadToken(manager, local[(r >> 8) % (unsigned)nlocal]),
                     "SetThreadToken");
            break;
        case 6: { /* capture and hand to another thread */
            IHostSecurityContext *c = NULL;
            if (sane(IHostSecurityManager_GetSecurityContext(manager, (EContextType)(r >> 8 & 1), &c),
                     "GetSecurityContext") == S_OK &&
                !push(c))
                IHostSecurityContext_Release(c);
            break;
        }
        case 7: { /* apply a context another thread captured */
            IHostSecurityContext *c = pop();
            if (c) {
                if (sane(IHostSecurityManager_SetSecurityContext(manager, (EContextType)(r >> 8 & 1), c),
                         "SetSecurityContext") == S_OK)
                    atomic_fetch_add(&flows, 1);
                IHostSecurityContext_Release(c);
            }
            break;
        }
        case 8:
            if (IHostSecurityManager_RevertToSelf(manager) != S_OK) FAIL("RevertToSelf failed");
            break;
        default: /* close */
            if (nlocal) {
                int i = (int)((r >> 8) % (unsigned)nlocal);
                if (HostSec_CloseHandle(local[i]) != S_OK) FAIL("CloseHandle failed");
                local[i] = local[--nlocal];
            }
            break;
        }
        check_identity();
    }
    if (IHostSecurityManager_RevertToSelf(manager) != S_OK) FAIL("final RevertToSelf failed");
    if (check_identity()) FAIL("a thread token survived RevertToSelf");
    while (nlocal)
        if (HostSec_CloseHandle(local[--nlocal]) != S_OK) FAIL("final CloseHandle failed");
    return NULL;
}

int main(int argc, char **argv) {
    int threads = 8;
    int quick = getenv("HOSTSEC_QUICK") && atoi(getenv("HOSTSEC_QUICK")) > 0;
    if (quick) ops_per_thread = 3000;
    if (argc > 1) threads = atoi(argv[1]);
    if (argc > 2) ops_per_thread = atol(argv[2]);
    if (argc > 3) seed = strtoull(argv[3], NULL, 0);
    if (threads < 1 || threads > 256 || ops_per_thread < 1) {
        fprintf(stderr, "usage: soak [THREADS [OPS [SEED]]]\n");
        return 2;
    }
    hosting_warm_up(); /* before any other thread: see hosting.h */
    HOSTSEC_STATISTICS before, after;
    HostSec_GetStatistics(&before);
    IClassFactory *f = NULL;
    if (DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&f) != S_OK ||
        IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, (void **)&manager) != S_OK) {
        fprintf(stderr, "soak: no security manager\n");
        return 1;
    }
    IClassFactory_Release(f);
    for (int i = 0; i < 5; i++)
        if (HostSec_LogonUser(account_names[i], &accounts[i]) != S_OK) {
            fprintf(stderr, "soak: no account %s\n", account_names[i]);
            return 1;
        }
    pthread_t t[256];
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    IHostSecurityContext *c;
    while ((c = pop()) != NULL) IHostSecurityContext_Release(c);
    for (int i = 0; i < 5; i++) HostSec_CloseHandle(accounts[i]);
    IHostSecurityManager_Release(manager);
    HostSec_GetStatistics(&after);
    int leaked = after.LiveObjects != before.LiveObjects || after.LiveHandles != before.LiveHandles ||
                 after.LiveTokens != before.LiveTokens || after.ImpersonatingThreads != before.ImpersonatingThreads ||
                 after.FailedClosed;
    printf("soak: %d threads x %ld operations (seed %llu): %ld identity checks, %ld kernel-level impersonations, "
           "%ld contexts flowed between threads, %ld failures\n",
           threads, ops_per_thread, (unsigned long long)seed, atomic_load(&checks), atomic_load(&impersonations),
           atomic_load(&flows), atomic_load(&failures));
    printf("soak: live objects %llu -> %llu, handles %llu -> %llu, tokens %llu -> %llu, impersonating threads "
           "%llu -> %llu, failed closed %u\n",
           (unsigned long long)before.LiveObjects, (unsigned long long)after.LiveObjects,
           (unsigned long long)before.LiveHandles, (unsigned long long)after.LiveHandles,
           (unsigned long long)before.LiveTokens, (unsigned long long)after.LiveTokens,
           (unsigned long long)before.ImpersonatingThreads, (unsigned long long)after.ImpersonatingThreads,
           after.FailedClosed);
    if (leaked) fprintf(stderr, "soak: counts did not return to their baseline\n");
    return atomic_load(&failures) == 0 && !leaked ? 0 : 1;
}
