/* Several threads opening, querying, duplicating and closing token handles at once, closing
 * handles other threads opened, racing closes against queries and against each other, and
 * impersonating at the same time; every count returns to its baseline. Also the program the
 * ThreadSanitizer and AddressSanitizer lanes run (Tests/sh/test-tsan.sh, test-asan.sh).
 * HOSTSEC_QUICK=1 scales the iteration counts down. */
#include <pthread.h>
#include <pwd.h>
#include "token_util.h"

#define WORKERS 4
#define POOL    64

static int quick;
static size_t scaled(size_t full) { return quick ? full / 20 : full; }

static HANDLE pool[POOL]; /* accessed with __atomic builtins only */
static uid_t nobody_uid;
static int root_lane;

/* Per-thread tallies of results that must never happen. */
struct tally {
    unsigned id;
    size_t opened, closedOwn, closedOthers, queries, queryHandle, duplicates;
    size_t wrong; /* any unexpected HRESULT or value */
};

static uint64_t next_rand(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void *worker(void *arg) {
    struct tally *t = arg;
    IHostSecurityManager *m = hosting_manager();
    uint64_t seed = 0x1234567ULL * (t->id + 1);
    size_t iterations = scaled(20000);
    HANDLE nobody = NULL;
    if (root_lane && (t->id & 1) && HostSec_LogonUser("nobody", &nobody) != S_OK) t->wrong++;

    for (size_t i = 0; i < iterations; i++) {
        uint64_t r = next_rand(&seed);
        /* This thread's own impersonation, changed now and then. */
        if (i % 64 == 0) {
            if (nobody && (r & 2)) {
                if (m->lpVtbl->ImpersonateLoggedOnUser(m, nobody) != S_OK) t->wrong++;
                uid_t ru, eu, su;
                if (getresuid(&ru, &eu, &su) != 0 || eu != nobody_uid) t->wrong++;
            } else {
                if (HostSec_ImpersonateSelf(SecurityImpersonation) != S_OK) t->wrong++;
            }
        }
        HANDLE h = NULL;
        HRESULT hr = m->lpVtbl->OpenThreadToken(m, TOKEN_QUERY | TOKEN_DUPLICATE, FALSE, &h);
        if (hr != S_OK || h == NULL) {
            t->wrong++;
            continue;
        }
        t->opened++;

        HOSTSEC_TOKEN_STATISTICS st;
        DWORD len = 0;
        if (HostSec_GetTokenInformation(h, TokenStatistics, &st, sizeof st, &len) != S_OK ||
            st.TokenType != TokenImpersonation)
            t->wrong++;

        if (r % 8 == 0) {
            HANDLE d = NULL;
            if (HostSec_DuplicateTokenEx(h, 0, SecurityIdentification, TokenImpersonation, &d) != S_OK)
                t->wrong++;
            else {
                t->duplicates++;
                if (HostSec_CloseHandle(d) != S_OK) t->wrong++;
            }
        }

        switch ((r >> 8) % 3) {
        case 0: /* close it here */
            if (HostSec_CloseHandle(h) != S_OK) t->wrong++;
            t->closedOwn++;
            break;
        default: { /* hand it to the pool; close whatever another thread left there */
            HANDLE old = __atomic_exchange_n(&pool[(r >> 16) % POOL], h, __ATOMIC_ACQ_REL);
            if (old) {
                if (HostSec_CloseHandle(old) != S_OK) t->wrong++;
                t->closedOthers++;
            }
        }
        }

        /* Query a pool handle that another thread may be closing right now. */
        HANDLE peek = __atomic_load_n(&pool[(r >> 24) % POOL], __ATOMIC_ACQUIRE);
        if (peek) {
            HOSTSEC_TOKEN_USER u;
            HRESULT q = HostSec_GetTokenInformation(peek, TokenUser, &u, sizeof u, &len);
            t->queries++;
            if (q == E_HANDLE)
                t->queryHandle++;
            else if (q != S_OK)
                t->wrong++;
        }
    }
    if (m->lpVtbl->RevertToSelf(m) != S_OK) t->wrong++;
    uid_t ru, eu, su;
    if (getresuid(&ru, &eu, &su) != 0 || eu != geteuid()) t->wrong++;
    if (nobody) HostSec_CloseHandle(nobody);
    m->lpVtbl->Release(m);
    return NULL;
}

static void threads_open_query_duplicate_close_at_once(void) {
    HOSTSEC_STATISTICS before = check_stats();
    pthread_t th[WORKERS];
    struct tally t[WORKERS];
    memset(t, 0, sizeof t);
    for (unsigned i = 0; i < WORKERS; i++) {
        t[i].id = i;
        CHECK(pthread_create(&th[i], NULL, worker, &t[i]) == 0);
    }
    size_t wrong = 0, opened = 0, closed = 0, others = 0, queries = 0, raced = 0;
    for (unsigned i = 0; i < WORKERS; i++) {
        pthread_join(th[i], NULL);
        wrong += t[i].wrong;
        opened += t[i].opened;
        closed += t[i].closedOwn + t[i].closedOthers;
        others += t[i].closedOthers;
        queries += t[i].queries;
        raced += t[i].queryHandle;
    }
    size_t left = 0;
    for (int i = 0; i < POOL; i++) {
        HANDLE h = __atomic_exchange_n(&pool[i], NULL, __ATOMIC_ACQ_REL);
        if (h) {
            CHECK_HR(HostSec_CloseHandle(h), S_OK);
            left++;
        }
    }
    printf("     %zu opened, %zu closed by their opener or a peer (%zu by a peer), %zu pool queries "
           "(%zu saw E_HANDLE)\n",
           opened, closed + left, others, queries, raced);
    CHECK(wrong == 0);
    CHECK(opened == WORKERS * scaled(20000));
    CHECK(closed + left == opened);
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.LiveHandles == before.LiveHandles);
    CHECK(after.ImpersonatingThreads == before.ImpersonatingThreads);
    CHECK(after.LiveTokens == before.LiveTokens);
}

/* ---- a close racing a query and another close of the same handle ------------------------ */

static pthread_barrier_t start, done;
static HANDLE contested;
static HRESULT raceResult[3];
static size_t rounds;

static void *racer(void *arg) {
    int role = (int)(intptr_t)arg;
    for (size_t i = 0; i < rounds; i++) {
        pthread_barrier_wait(&start);
        HANDLE h = __atomic_load_n(&contested, __ATOMIC_ACQUIRE);
        if (role == 0) {
            HOSTSEC_TOKEN_STATISTICS st;
            DWORD len = 0;
            raceResult[0] = HostSec_GetTokenInformation(h, TokenStatistics, &st, sizeof st, &len);
        } else {
            raceResult[role] = HostSec_CloseHandle(h);
        }
        pthread_barrier_wait(&done);
    }
    return NULL;
}

static void close_racing_query_and_close_of_same_handle(void) {
    HOSTSEC_STATISTICS before = check_stats();
    rounds = scaled(5000);
    pthread_barrier_init(&start, NULL, 4);
    pthread_barrier_init(&done, NULL, 4);
    pthread_t th[3];
    for (int i = 0; i < 3; i++) CHECK(pthread_create(&th[i], NULL, racer, (void *)(intptr_t)i) == 0);
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    IHostSecurityManager *m = hosting_manager();
    size_t badQuery = 0, badClose = 0, querySaw[2] = {0, 0};
    for (size_t i = 0; i < rounds; i++) {
        HANDLE h = NULL;
        if (m->lpVtbl->OpenThreadToken(m, TOKEN_QUERY, TRUE, &h) != S_OK) badClose++;
        __atomic_store_n(&contested, h, __ATOMIC_RELEASE);
        pthread_barrier_wait(&start);
        pthread_barrier_wait(&done);
        if (raceResult[0] == S_OK)
            querySaw[0]++;
        else if (raceResult[0] == E_HANDLE)
            querySaw[1]++;
        else
            badQuery++;
        /* exactly one of the two closes wins */
        int wins = (raceResult[1] == S_OK) + (raceResult[2] == S_OK);
        int losses = (raceResult[1] == E_HANDLE) + (raceResult[2] == E_HANDLE);
        if (wins != 1 || losses != 1) badClose++;
        if (HostSec_CloseHandle(h) != E_HANDLE) badClose++; /* and it is gone */
    }
    for (int i = 0; i < 3; i++) pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start);
    pthread_barrier_destroy(&done);
    printf("     %zu rounds: query got S_OK %zu times, E_HANDLE %zu times\n", rounds, querySaw[0], querySaw[1]);
    CHECK(badQuery == 0);
    CHECK(badClose == 0);
    CHECK_HR(m->lpVtbl->RevertToSelf(m), S_OK);
    m->lpVtbl->Release(m);
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.LiveHandles == before.LiveHandles);
    CHECK(after.ImpersonatingThreads == before.ImpersonatingThreads);
}

/* ---- many short-lived threads impersonating and exiting --------------------------------- */

static void *short_lived(void *arg) {
    (void)arg;
    IHostSecurityManager *m = hosting_manager();
    HostSec_ImpersonateSelf(SecurityDelegation);
    for (int i = 0; i < 16; i++) {
        HANDLE h = NULL;
        if (m->lpVtbl->OpenThreadToken(m, TOKEN_QUERY, FALSE, &h) == S_OK) HostSec_CloseHandle(h);
    }
    m->lpVtbl->Release(m);
    return NULL; /* exits impersonating, with cached free slots */
}

static void short_lived_threads_leave_nothing_behind(void) {
    HOSTSEC_STATISTICS before = check_stats();
    size_t waves = scaled(200);
    for (size_t w = 0; w < waves; w++) {
        pthread_t th[WORKERS];
        for (int i = 0; i < WORKERS; i++) CHECK(pthread_create(&th[i], NULL, short_lived, NULL) == 0);
        for (int i = 0; i < WORKERS; i++) pthread_join(th[i], NULL);
    }
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.LiveHandles == before.LiveHandles);
    CHECK(after.ImpersonatingThreads == before.ImpersonatingThreads);
    CHECK(after.LiveTokens == before.LiveTokens);
    CHECK(after.LiveObjects == before.LiveObjects);
}

int main(void) {
    const char *q = getenv("HOSTSEC_QUICK");
    quick = q && *q && strcmp(q, "0") != 0;
    struct passwd *pw = getpwnam("nobody");
    nobody_uid = pw ? pw->pw_uid : 65534;
    root_lane = util_can_impersonate_others() && pw != NULL;
    hosting_warm_up(); /* before any other thread: see hosting.h */
    HOSTSEC_STATISTICS base = check_stats();

    RUN_TEST(threads_open_query_duplicate_close_at_once);
    RUN_TEST(close_racing_query_and_close_of_same_handle);
    RUN_TEST(short_lived_threads_leave_nothing_behind);

    check_current_failed = 0;
    HOSTSEC_STATISTICS end = check_stats();
    CHECK(end.LiveHandles == base.LiveHandles);
    CHECK(end.ImpersonatingThreads == base.ImpersonatingThreads);
    CHECK(end.LiveObjects == base.LiveObjects);
    if (check_current_failed) check_failures++;
    CHECK_EXIT();
}
