/* Handles: forged, random, closed and stale values are rejected with E_HANDLE and change
 * nothing; rights never grow; thread tokens are per thread and released at thread exit;
 * the memory a live handle costs. HOSTSEC_QUICK=1 scales the counts down (sanitizer lanes). */
#include <pthread.h>
#include "token_util.h"

static IHostSecurityManager *mgr;
static int quick;

static size_t scaled(size_t full) { return quick ? full / 100 : full; }

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t rng(void) { /* xorshift64*: reproducible */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int is_live(const uint64_t *sorted, size_t n, uint64_t v) {
    return bsearch(&v, sorted, n, sizeof v, cmp_u64) != NULL;
}

static HRESULT query_user(HANDLE h) {
    HOSTSEC_TOKEN_USER u;
    DWORD len = 0;
    return HostSec_GetTokenInformation(h, TokenUser, &u, sizeof u, &len);
}

static HANDLE open_thread_token(DWORD access) {
    HANDLE h = NULL;
    CHECK_HR(util_open(mgr, access, TRUE, &h), S_OK);
    return h;
}

/* ---- forged and random values --------------------------------------------------------- */

static void random_and_near_live_values_are_all_rejected(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    /* Live handles whose slots have different generations: open, close some, reopen. */
    enum { LIVE = 4096 };
    HANDLE live[LIVE];
    for (int i = 0; i < LIVE; i++) live[i] = open_thread_token(TOKEN_QUERY);
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < LIVE; i += 1 + (int)(rng() % 3)) {
            CHECK_HR(HostSec_CloseHandle(live[i]), S_OK);
            live[i] = open_thread_token(TOKEN_QUERY);
        }
    uint64_t sorted[LIVE];
    uint32_t maxLow = 0;
    for (int i = 0; i < LIVE; i++) {
        sorted[i] = (uint64_t)(uintptr_t)live[i];
        if ((uint32_t)sorted[i] > maxLow) maxLow = (uint32_t)sorted[i];
    }
    qsort(sorted, LIVE, sizeof sorted[0], cmp_u64);
    HOSTSEC_STATISTICS before = check_stats();

    size_t total = scaled(1000000), tried = 0, acceptedClose = 0, acceptedQuery = 0, otherResult = 0;
    for (size_t i = 0; tried < total; i++) {
        uint64_t v;
        uint64_t base = sorted[rng() % LIVE];
        switch (i % 5) {
        case 0: v = rng(); break;                                       /* anything */
        case 1: v = (rng() << 32) | (1 + rng() % (maxLow + 64)); break; /* an issued slot, any generation */
        case 2: v = base ^ (1ULL << (32 + rng() % 32)); break;          /* one generation bit flipped */
        case 3: v = base ^ ((rng() | 1) << 32); break;                  /* generation scrambled */
        default: v = base + (int64_t)(rng() % 17) - 8; break;           /* neighbouring slots */
        }
        if (v == 0 || is_live(sorted, LIVE, v)) continue; /* a real handle is not a forgery */
        tried++;
        HRESULT q = query_user((HANDLE)(uintptr_t)v);
        HRESULT c = HostSec_CloseHandle((HANDLE)(uintptr_t)v);
        if (q == S_OK) acceptedQuery++;
        if (c == S_OK) acceptedClose++;
        if ((q != S_OK && q != E_HANDLE) || (c != S_OK && c != E_HANDLE)) otherResult++;
    }
    printf("     %zu forged values tried: %zu accepted by CloseHandle, %zu by GetTokenInformation\n", tried,
           acceptedClose, acceptedQuery);
    CHECK(acceptedClose == 0);
    CHECK(acceptedQuery == 0);
    CHECK(otherResult == 0);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    for (int i = 0; i < LIVE; i++) CHECK_HR(query_user(live[i]), S_OK); /* all still usable */
    for (int i = 0; i < LIVE; i++) CHECK_HR(HostSec_CloseHandle(live[i]), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- forging from one's own handles ------------------------------------------------------ */

static int popcount64(uint64_t v) { return __builtin_popcountll(v); }

/* Another component's handles (victims) are opened between the attacker's own. From its own
 * values the attacker derives candidates: the XOR trick (a fresh slot's generation is 0, so
 * the high half was the secret and the low half the slot + 1), neighbouring slots and
 * generations, single bit flips, and linear extrapolation from consecutive values. None may
 * be accepted: a keyed permutation leaves nothing better than a random guess (about
 * 2^-40 per candidate here). */
static void forging_from_own_handles_does_no_better_than_chance(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    enum { OWN = 2048, VICTIMS = 64 };
    HANDLE own[OWN], victim[VICTIMS];
    for (int i = 0; i < OWN / 2; i++) own[i] = open_thread_token(TOKEN_QUERY);
    for (int i = 0; i < VICTIMS; i++) CHECK_HR(HostSec_LogonUser("root", &victim[i]), S_OK);
    for (int i = OWN / 2; i < OWN; i++) own[i] = open_thread_token(TOKEN_QUERY);
    uint64_t sorted[OWN + VICTIMS];
    for (int i = 0; i < OWN; i++) sorted[i] = (uint64_t)(uintptr_t)own[i];
    for (int i = 0; i < VICTIMS; i++) sorted[OWN + i] = (uint64_t)(uintptr_t)victim[i];
    qsort(sorted, OWN + VICTIMS, sizeof sorted[0], cmp_u64);
    HOSTSEC_STATISTICS before = check_stats();

    size_t tried = 0, accepted = 0, victimsNamed = 0, other = 0;
#define TRY(value)                                                                                      \
    do {                                                                                                \
        uint64_t v_ = (value);                                                                          \
        if (v_ == 0 || is_live(sorted, OWN + VICTIMS, v_)) {                                            \
            for (int k_ = 0; k_ < VICTIMS; k_++) victimsNamed += v_ == (uint64_t)(uintptr_t)victim[k_]; \
            break;                                                                                      \
        }                                                                                               \
        tried++;                                                                                        \
        HRESULT q_ = query_user((HANDLE)(uintptr_t)v_);                                                 \
        HRESULT c_ = HostSec_CloseHandle((HANDLE)(uintptr_t)v_);                                        \
        accepted += (q_ == S_OK) + (c_ == S_OK);                                                        \
        other += (q_ != S_OK && q_ != E_HANDLE) || (c_ != S_OK && c_ != E_HANDLE);                      \
    } while (0)
    for (int i = 0; i < OWN; i++) {
        uint64_t h = (uint64_t)(uintptr_t)own[i];
        uint64_t secret = h & 0xFFFFFFFF00000000ull;
        uint32_t low = (uint32_t)h;
        if (i % 8 == 0) /* the XOR trick: slots around ours, generations 0-3 */
            for (int d = -40; d <= 40; d++)
                for (uint64_t g = 0; g < 4; g++) TRY((secret ^ (g << 32)) | (uint32_t)(low + d));
        for (int bit = 0; bit < 64; bit++) TRY(h ^ (1ull << bit));   /* one bit flipped */
        for (int d = -8; d <= 8; d++) TRY(h + (uint64_t)(int64_t)d); /* neighbouring values */
        if (i >= 2) {
            uint64_t a = (uint64_t)(uintptr_t)own[i - 2], b = (uint64_t)(uintptr_t)own[i - 1];
            TRY(b ^ a ^ h);   /* XOR-linear extrapolation */
            TRY(h + (h - b)); /* arithmetic extrapolation */
            TRY(h + (b - a));
            TRY(h ^ (b ^ a) ^ 1);
        }
    }
#undef TRY
    printf("     %zu candidate forgeries: %zu accepted, %zu named a victim's handle\n", tried, accepted, victimsNamed);
    CHECK(tried > 200000);
    CHECK(accepted == 0);
    CHECK(victimsNamed == 0);
    CHECK(other == 0);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    for (int i = 0; i < VICTIMS; i++) CHECK_HR(query_user(victim[i]), S_OK); /* untouched */
    for (int i = 0; i < VICTIMS; i++) CHECK_HR(HostSec_CloseHandle(victim[i]), S_OK);
    for (int i = 0; i < OWN; i++) CHECK_HR(HostSec_CloseHandle(own[i]), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* Handles opened one after another (consecutive slots, fresh or reused) look like random
 * 64-bit values: each bit is set in about half of them and consecutive values differ in
 * about half their bits. (The old XOR encoding kept the high half constant and the low half
 * counting.) */
static void consecutive_handles_share_no_structure(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    enum { N = 4096 };
    static HANDLE h[N];
    for (int i = 0; i < N; i++) h[i] = open_thread_token(TOKEN_QUERY);
    int setCount[64] = {0};
    long diffBits = 0;
    for (int i = 0; i < N; i++) {
        uint64_t v = (uint64_t)(uintptr_t)h[i];
        for (int b = 0; b < 64; b++) setCount[b] += (int)(v >> b & 1);
        if (i > 0) diffBits += popcount64(v ^ (uint64_t)(uintptr_t)h[i - 1]);
    }
    int skewed = 0;
    for (int b = 0; b < 64; b++) skewed += setCount[b] < N * 40 / 100 || setCount[b] > N * 60 / 100;
    double meanDiff = (double)diffBits / (N - 1);
    printf("     %d of 64 bit positions skewed; consecutive values differ in %.2f bits on average\n", skewed, meanDiff);
    CHECK(skewed == 0);
    CHECK(meanDiff > 30.0 && meanDiff < 34.0);
    for (int i = 0; i < N; i++) CHECK_HR(HostSec_CloseHandle(h[i]), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- closed and stale values ------------------------------------------------------------ */

static void every_closed_handle_is_rejected(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    size_t n = scaled(100000);
    HANDLE *h = malloc(n * sizeof *h);
    HOSTSEC_STATISTICS before = check_stats();
    for (size_t i = 0; i < n; i++) h[i] = open_thread_token(TOKEN_QUERY);
    CHECK(check_stats().LiveHandles == before.LiveHandles + n);
    for (size_t i = 0; i < n; i++) CHECK_HR(HostSec_CloseHandle(h[i]), S_OK);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    size_t acceptedClose = 0, acceptedQuery = 0;
    for (size_t i = 0; i < n; i++) {
        if (HostSec_CloseHandle(h[i]) != E_HANDLE) acceptedClose++;
        if (query_user(h[i]) != E_HANDLE) acceptedQuery++;
    }
    CHECK(acceptedClose == 0 && acceptedQuery == 0);
    /* reuse every slot, then try the old values again */
    for (size_t i = 0; i < n; i++) {
        HANDLE fresh = open_thread_token(TOKEN_QUERY);
        CHECK(fresh != h[i]);
        h[i] = fresh;
    }
    for (size_t i = 0; i < n; i++) CHECK_HR(HostSec_CloseHandle(h[i]), S_OK);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    free(h);
    CHECK_HR(util_revert(mgr), S_OK);
}

static void stale_handle_after_slot_reuse_is_rejected(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    HANDLE old = open_thread_token(TOKEN_QUERY);
    CHECK_HR(HostSec_CloseHandle(old), S_OK);
    HANDLE reused = open_thread_token(TOKEN_ALL_ACCESS);
    /* The same slot (this thread's cache gives back the slot it just freed), a new
     * generation: the old value must not reach it. */
    CHECK(reused != old);
    CHECK_HR(query_user(old), E_HANDLE);
    CHECK_HR(HostSec_CloseHandle(old), E_HANDLE);
    CHECK_HR(query_user(reused), S_OK); /* the failed close did not touch it */

    /* One slot cycled many times: every earlier value stays dead. */
    size_t n = scaled(10000);
    HANDLE *stale = malloc(n * sizeof *stale);
    HANDLE cur = reused;
    for (size_t i = 0; i < n; i++) {
        stale[i] = cur;
        CHECK_HR(HostSec_CloseHandle(cur), S_OK);
        cur = open_thread_token(TOKEN_QUERY);
    }
    size_t accepted = 0;
    for (size_t i = 0; i < n; i++) accepted += HostSec_CloseHandle(stale[i]) != E_HANDLE;
    CHECK(accepted == 0);
    CHECK_HR(HostSec_CloseHandle(cur), S_OK);
    free(stale);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- rights ------------------------------------------------------------------------------- */

static void handle_with_fewer_rights_never_does_more(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    HANDLE q = open_thread_token(TOKEN_QUERY), d = JUNK_HANDLE;
    for (int i = 0; i < 1000; i++) { /* repetition grants nothing */
        CHECK_HR(HostSec_DuplicateTokenEx(q, 0, SecurityImpersonation, TokenImpersonation, &d), E_ACCESSDENIED);
        CHECK(d == NULL);
        CHECK_HR(HostSec_DuplicateTokenEx(q, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &d),
                 E_ACCESSDENIED);
        CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, q), E_ACCESSDENIED);
        HOSTSEC_TOKEN_SOURCE s;
        DWORD len = 0;
        CHECK_HR(HostSec_GetTokenInformation(q, TokenSource, &s, sizeof s, &len), E_ACCESSDENIED);
    }
    /* A duplicate with the source's rights has only those too. */
    HANDLE dup = open_thread_token(TOKEN_DUPLICATE), copy = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(dup, 0, SecurityImpersonation, TokenImpersonation, &copy), S_OK);
    CHECK_HR(query_user(copy), E_ACCESSDENIED);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, copy), E_ACCESSDENIED);
    /* A more-privileged handle to the same token does not lend its rights. */
    HANDLE all = open_thread_token(TOKEN_ALL_ACCESS);
    CHECK_HR(query_user(all), S_OK);
    CHECK_HR(query_user(dup), E_ACCESSDENIED);
    HostSec_CloseHandle(all);
    HostSec_CloseHandle(copy);
    HostSec_CloseHandle(dup);
    HostSec_CloseHandle(q);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- per-thread tokens ------------------------------------------------------------------ */

struct probe {
    HRESULT openAsSelf, openAsThread;
    HANDLE handle;   /* in: a handle from another thread */
    HRESULT query;   /* querying that handle here */
    int impersonate; /* the thread impersonates itself first */
    int logonNobody; /* and then impersonates nobody (root only) */
};

static void *probe_thread(void *arg) {
    struct probe *p = arg;
    IHostSecurityManager *m = hosting_manager();
    if (p->impersonate) HostSec_ImpersonateSelf(SecurityImpersonation);
    if (p->logonNobody) {
        HANDLE n = NULL;
        if (HostSec_LogonUser("nobody", &n) == S_OK) {
            m->lpVtbl->ImpersonateLoggedOnUser(m, n);
            HostSec_CloseHandle(n);
        }
    }
    HANDLE h = JUNK_HANDLE;
    p->openAsSelf = util_open(m, TOKEN_QUERY, TRUE, &h);
    if (p->openAsSelf == S_OK) HostSec_CloseHandle(h);
    h = JUNK_HANDLE;
    p->openAsThread = util_open(m, TOKEN_QUERY, FALSE, &h);
    if (p->openAsThread == S_OK) HostSec_CloseHandle(h);
    if (p->handle) p->query = query_user(p->handle);
    m->lpVtbl->Release(m);
    return NULL; /* exits without reverting when it impersonates */
}

static void thread_token_is_invisible_to_other_threads(void) {
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    HANDLE mine = open_thread_token(TOKEN_QUERY);
    struct probe p = {0, 0, mine, 0, 0, 0};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, probe_thread, &p) == 0);
    pthread_join(t, NULL);
    CHECK_HR(p.openAsSelf, HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(p.openAsThread, HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK_HR(p.query, S_OK);               /* handles are the process's: usable from any thread */
    CHECK(util_thread_token_id(mgr) != 0); /* still ours */
    HostSec_CloseHandle(mine);
    CHECK_HR(util_revert(mgr), S_OK);

    /* and the other way round */
    struct probe q = {0, 0, NULL, 0, 1, 0};
    CHECK(pthread_create(&t, NULL, probe_thread, &q) == 0);
    pthread_join(t, NULL);
    CHECK_HR(q.openAsSelf, S_OK);
    HANDLE h = JUNK_HANDLE;
    CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, &h), HRESULT_FROM_WIN32(ERROR_NO_TOKEN));
    CHECK(h == NULL);
}

static void thread_exiting_while_impersonating_releases_its_token(void) {
    HOSTSEC_STATISTICS before = check_stats();
    for (int i = 0; i < 20; i++) {
        struct probe p = {0, 0, NULL, 0, 1, util_can_impersonate_others() && (i & 1)};
        pthread_t t;
        CHECK(pthread_create(&t, NULL, probe_thread, &p) == 0);
        pthread_join(t, NULL);
        CHECK_HR(p.openAsSelf, S_OK);
    }
    HOSTSEC_STATISTICS after = check_stats();
    CHECK(after.ImpersonatingThreads == before.ImpersonatingThreads);
    CHECK(after.LiveTokens == before.LiveTokens);
    CHECK(after.LiveHandles == before.LiveHandles);
    CHECK(after.LiveObjects == before.LiveObjects);
}

/* ---- memory --------------------------------------------------------------------------- */

static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1) break;
    fclose(f);
    return kib;
}

static void live_handle_costs_under_64_bytes(void) {
    if (quick) {
        printf("     skipped (HOSTSEC_QUICK): RSS is not meaningful under sanitizers\n");
        return;
    }
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    size_t n = 1000000;
    HANDLE *h = malloc(n * sizeof *h);
    memset(h, 0, n * sizeof *h); /* our own array is resident before the baseline */
    HOSTSEC_STATISTICS before = check_stats();
    long r0 = rss_kib();
    for (size_t i = 0; i < n; i++) h[i] = open_thread_token(TOKEN_QUERY);
    long r1 = rss_kib();
    CHECK(check_stats().LiveHandles == before.LiveHandles + n);
    double perHandle = (double)(r1 - r0) * 1024.0 / (double)n;
    printf("     %zu live handles: RSS +%ld KiB, %.1f bytes per handle\n", n, r1 - r0, perHandle);
    CHECK(r0 > 0 && r1 > 0);
    CHECK(perHandle < 64.0);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += HostSec_CloseHandle(h[i]) != S_OK;
    CHECK(bad == 0);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    free(h);
    CHECK_HR(util_revert(mgr), S_OK);
}

/* ---- a full table ---------------------------------------------------------------------- */

/* The table holds 16,777,216 handles: the next open is E_OUTOFMEMORY with the out value NULL,
 * nothing changes, and closing one handle makes room for exactly one. */
static void table_full_at_16777216_handles_is_e_outofmemory(void) {
    if (quick) {
        printf("     skipped (HOSTSEC_QUICK): 400 MB of slots is too much under sanitizers\n");
        return;
    }
    CHECK_HR(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK);
    size_t cap = 16777216;
    HANDLE *h = malloc((cap + 1) * sizeof *h);
    HOSTSEC_STATISTICS before = check_stats();
    size_t n = 0;
    HRESULT hr = S_OK;
    while (n <= cap) {
        HANDLE x = JUNK_HANDLE;
        hr = util_open(mgr, TOKEN_QUERY, TRUE, &x);
        if (hr != S_OK) {
            CHECK(x == NULL);
            break;
        }
        h[n++] = x;
    }
    printf("     %zu handles open (%llu before), then 0x%08x\n", n, (unsigned long long)before.LiveHandles,
           (unsigned)hr);
    CHECK_HR(hr, E_OUTOFMEMORY);
    CHECK(n + before.LiveHandles == cap);
    CHECK(check_stats().LiveHandles == cap);
    CHECK_HR(HostSec_CloseHandle(h[n / 2]), S_OK);
    CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, &h[n / 2]), S_OK);
    HANDLE extra = JUNK_HANDLE;
    CHECK_HR(util_open(mgr, TOKEN_QUERY, TRUE, &extra), E_OUTOFMEMORY);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++) bad += HostSec_CloseHandle(h[i]) != S_OK;
    CHECK(bad == 0);
    CHECK(check_stats().LiveHandles == before.LiveHandles);
    free(h);
    CHECK_HR(util_revert(mgr), S_OK);
}

int main(void) {
    const char *q = getenv("HOSTSEC_QUICK");
    quick = q && *q && strcmp(q, "0") != 0;
    mgr = hosting_manager();
    HOSTSEC_STATISTICS base = check_stats();

    RUN_TEST(live_handle_costs_under_64_bytes); /* first: no slot memory resident yet */
    RUN_TEST(random_and_near_live_values_are_all_rejected);
    RUN_TEST(forging_from_own_handles_does_no_better_than_chance);
    RUN_TEST(consecutive_handles_share_no_structure);
    RUN_TEST(every_closed_handle_is_rejected);
    RUN_TEST(stale_handle_after_slot_reuse_is_rejected);
    RUN_TEST(handle_with_fewer_rights_never_does_more);
    RUN_TEST(thread_token_is_invisible_to_other_threads);
    RUN_TEST(thread_exiting_while_impersonating_releases_its_token);
    RUN_TEST(table_full_at_16777216_handles_is_e_outofmemory);

    check_current_failed = 0;
    HOSTSEC_STATISTICS end = check_stats();
    CHECK(end.LiveHandles == base.LiveHandles);
    CHECK(end.ImpersonatingThreads == base.ImpersonatingThreads);
    mgr->lpVtbl->Release(mgr);
    if (check_current_failed) check_failures++;
    CHECK_EXIT();
}
