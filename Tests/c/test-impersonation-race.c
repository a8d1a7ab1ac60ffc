/* Many threads impersonating different accounts at once, switching and reverting: every
 * iteration checks the thread's own kernel credentials, and a witness thread that never
 * impersonates checks that its own never change. Zero mismatches allowed. Needs root with
 * CAP_SETUID/CAP_SETGID (CI); without them there is no kernel switch to race, and it says so. */
#include "check.h"
#include "hosting.h"

#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>

#define ITERATIONS 2000

static const char *accounts[] = {"nobody", "daemon", "bin", "sys", "www-data", "backup", "mail", "news"};
enum { MAX_WORKERS = sizeof accounts / sizeof accounts[0] };

static IHostSecurityManager *manager;
static atomic_int mismatches, iterations, workers_done;
static int workers;

struct worker {
    const char *name;
    uid_t uid;
    gid_t gid;
    int ngroups;
    gid_t groups[64];
};

static int groups_now(gid_t *out, int max) { return (int)syscall(SYS_getgroups, max, out); }

static int same_groups(const gid_t *a, int na, const gid_t *b, int nb) {
    if (na != nb) return 0;
    for (int i = 0; i < na; i++) {
        int found = 0;
        for (int j = 0; j < nb; j++) found |= a[i] == b[j];
        if (!found) return 0;
    }
    return 1;
}

static int is(uid_t ruid, uid_t euid, gid_t rgid, gid_t egid, const gid_t *g, int ng) {
    uid_t r, e, s;
    gid_t gr, ge, gs, now[64];
    syscall(SYS_getresuid, &r, &e, &s);
    syscall(SYS_getresgid, &gr, &ge, &gs);
    int n = groups_now(now, 64);
    return r == ruid && e == euid && gr == rgid && ge == egid && same_groups(now, n, g, ng);
}

static gid_t self_groups[64];
static int self_ngroups;

static void *work(void *arg) {
    struct worker *w = arg;
    HANDLE token = NULL;
    IHostSecurityContext *ctx = NULL;
    if (HostSec_LogonUser(w->name, &token) != S_OK) abort();
    IHostSecurityManager_ImpersonateLoggedOnUser(manager, token);
    IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &ctx);
    IHostSecurityManager_RevertToSelf(manager);
    for (int i = 0; i < ITERATIONS; i++) {
        HRESULT hr = (i & 1) ? IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, ctx)
                             : IHostSecurityManager_ImpersonateLoggedOnUser(manager, token);
        if (hr != S_OK || !is(hosting_real_uid_acting_as(w->uid), w->uid, w->gid, w->gid, w->groups, w->ngroups))
            atomic_fetch_add(&mismatches, 1);
        if (IHostSecurityManager_RevertToSelf(manager) != S_OK || !is(0, 0, 0, 0, self_groups, self_ngroups))
            atomic_fetch_add(&mismatches, 1);
        atomic_fetch_add(&iterations, 1);
    }
    IHostSecurityContext_Release(ctx);
    HostSec_CloseHandle(token);
    atomic_fetch_add(&workers_done, 1);
    return NULL;
}

static atomic_int witness_checks;
static void *witness(void *arg) {
    (void)arg;
    while (atomic_load(&workers_done) < workers) {
        if (!is(0, 0, 0, 0, self_groups, self_ngroups)) atomic_fetch_add(&mismatches, 1);
        atomic_fetch_add(&witness_checks, 1);
    }
    return NULL;
}

static void many_threads_switching_identities_never_see_another_threads_credentials(void) {
    struct worker w[MAX_WORKERS];
    pthread_t threads[MAX_WORKERS], witness_thread;
    workers = 0;
    for (int i = 0; i < MAX_WORKERS; i++) {
        struct passwd *pw = getpwnam(accounts[i]);
        if (pw == NULL) continue;
        struct worker *x = &w[workers];
        x->name = accounts[i];
        x->uid = pw->pw_uid;
        x->gid = pw->pw_gid;
        x->ngroups = 64;
        getgrouplist(pw->pw_name, pw->pw_gid, x->groups, &x->ngroups);
        workers++;
    }
    CHECK(workers >= 3);
    self_ngroups = groups_now(self_groups, 64);
    pthread_create(&witness_thread, NULL, witness, NULL);
    for (int i = 0; i < workers; i++) pthread_create(&threads[i], NULL, work, &w[i]);
    for (int i = 0; i < workers; i++) pthread_join(threads[i], NULL);
    pthread_join(witness_thread, NULL);
    printf("# %d threads, %d switch+revert iterations, %d witness checks, %d mismatches\n", workers,
           atomic_load(&iterations), atomic_load(&witness_checks), atomic_load(&mismatches));
    CHECK(atomic_load(&iterations) >= 10000);
    CHECK(atomic_load(&mismatches) == 0);
    CHECK(check_stats().ImpersonatingThreads == 0);
}

int main(void) {
    if (getuid() != 0 || !hosting_privileged()) {
        printf("skip: needs root with CAP_SETUID and CAP_SETGID (without them impersonating another account "
               "is identification only: no kernel switch to race; test-impersonation checks that case)\n");
        return 0;
    }
    manager = hosting_manager();
    RUN_TEST(many_threads_switching_identities_never_see_another_threads_credentials);
    IHostSecurityManager_Release(manager);
    CHECK_EXIT();
}
