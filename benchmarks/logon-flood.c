/* A flood of wrong passwords against a server-shaped host, and the first logon of a valid
 * account meanwhile (benchmarks/README.md, "A flood of bad passwords").
 *
 * The host: a pool of 8 logon threads taking requests from one queue, as a server's logon pool
 * does. 32 attackers submit wrong passwords back to back (half for a real account, so each
 * costs a yescrypt check, half for made-up names); each waits for its answer, and when the
 * answer comes with a remaining failure delay, waits it out itself (the server's timer), never
 * on a pool thread. In each round, after 3 s of attack, a valid account that has not logged on
 * before submits its right password; the time from submitting to the answer is measured. The
 * same is measured with no attack (idle), with the attack through
 * HostSec_LogonUserWithPasswordNoWait, and with the attack through the blocking
 * HostSec_LogonUserWithPassword (which sleeps the delay on the pool thread). Printed: medians
 * with ranges (median() sorts, so the first and last values are the extremes), and the ratio
 * of each round's flood to the same round's idle logon, its median and range.
 * usage: logon-flood VICTIM GOOD_PREFIX PASSWORD ROUNDS
 *   GOOD_PREFIX1 ... GOOD_PREFIX<3*ROUNDS> are accounts with PASSWORD, one per measurement. */
#define _GNU_SOURCE
#include <hostsec.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POOL      8
#define ATTACKERS 32

typedef struct request {
    const char *name, *password;
    int no_wait;
    HRESULT hr;
    DWORD delay_ms;
    int done;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct request *next;
} request;

static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_cond = PTHREAD_COND_INITIALIZER;
static request *head, *tail;
static atomic_int attacking, attack_no_wait;
static const char *victim;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *pool_thread(void *unused) {
    (void)unused;
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (head == NULL) pthread_cond_wait(&queue_cond, &queue_lock);
        request *r = head;
        head = r->next;
        if (head == NULL) tail = NULL;
        pthread_mutex_unlock(&queue_lock);
        HANDLE h = NULL;
        r->delay_ms = 0;
        r->hr = r->no_wait ? HostSec_LogonUserWithPasswordNoWait(r->name, r->password, &h, &r->delay_ms)
                           : HostSec_LogonUserWithPassword(r->name, r->password, &h);
        if (h != NULL) HostSec_CloseHandle(h);
        pthread_mutex_lock(&r->lock);
        r->done = 1;
        pthread_cond_signal(&r->cond);
        pthread_mutex_unlock(&r->lock);
    }
    return NULL;
}

/* Submits a request to the pool and waits for its answer. */
static void submit(request *r) {
    r->done = 0;
    r->next = NULL;
    pthread_mutex_lock(&queue_lock);
    if (tail)
        tail->next = r;
    else
        head = r;
    tail = r;
    pthread_cond_signal(&queue_cond);
    pthread_mutex_unlock(&queue_lock);
    pthread_mutex_lock(&r->lock);
    while (!r->done) pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
}

static void *attacker(void *arg) {
    long n = (long)arg;
    char made_up[32];
    snprintf(made_up, sizeof made_up, "hs-flood-nobody-%ld", n);
    request r = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    r.name = n % 2 ? made_up : victim;
    r.password = "not the password";
    while (atomic_load(&attacking)) {
        r.no_wait = atomic_load(&attack_no_wait);
        submit(&r);
        if (r.hr != HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)) {
            fprintf(stderr, "attack: expected ERROR_LOGON_FAILURE, got %s\n", HostSec_HResultName(r.hr));
            exit(1);
        }
        /* The server's timer: the answer goes out when the delay has passed. */
        struct timespec ts = {r.delay_ms / 1000, (long)(r.delay_ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* The first logon of account `name`, with `attack` attackers (0: idle) using `no_wait`. */
static double good_logon(const char *name, const char *password, int attack, int no_wait) {
    pthread_t t[ATTACKERS];
    atomic_store(&attack_no_wait, no_wait);
    atomic_store(&attacking, attack);
    if (attack) {
        for (long i = 0; i < ATTACKERS; i++) pthread_create(&t[i], NULL, attacker, (void *)i);
        struct timespec warm = {3, 0};
        nanosleep(&warm, NULL);
    }
    request r = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
    r.name = name, r.password = password, r.no_wait = no_wait;
    double start = now();
    submit(&r);
    double took = now() - start;
    if (r.hr != S_OK) {
        fprintf(stderr, "good logon of %s: %s\n", name, HostSec_HResultName(r.hr));
        exit(1);
    }
    atomic_store(&attacking, 0);
    if (attack)
        for (int i = 0; i < ATTACKERS; i++) pthread_join(t[i], NULL);
    return took;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    victim = argv[1];
    const char *prefix = argv[2], *password = argv[3];
    int rounds = atoi(argv[4]);
    if (rounds < 1 || rounds > 64) return 2;
    pthread_t pool[POOL];
    for (int i = 0; i < POOL; i++) pthread_create(&pool[i], NULL, pool_thread, NULL);
    double idle[64], no_wait[64], blocking[64], nw_ratio[64], bl_ratio[64];
    int account = 1;
    char name[64];
    for (int i = 0; i < rounds; i++) {
        snprintf(name, sizeof name, "%s%d", prefix, account++);
        idle[i] = good_logon(name, password, 0, 1);
        snprintf(name, sizeof name, "%s%d", prefix, account++);
        no_wait[i] = good_logon(name, password, 1, 1);
        snprintf(name, sizeof name, "%s%d", prefix, account++);
        blocking[i] = good_logon(name, password, 1, 0);
        nw_ratio[i] = no_wait[i] / idle[i];
        bl_ratio[i] = blocking[i] / idle[i];
        fprintf(stderr, "round %d: idle %.1f ms, no-wait flood %.1f ms (%.2fx), blocking flood %.1f ms (%.2fx)\n",
                i + 1, idle[i] * 1e3, no_wait[i] * 1e3, nw_ratio[i], blocking[i] * 1e3, bl_ratio[i]);
    }
    /* Each round's flood against the same round's idle logon: the ratio's median and range. */
    double base = median(idle, rounds), nw = median(no_wait, rounds), bl = median(blocking, rounds);
    double nwr = median(nw_ratio, rounds), blr = median(bl_ratio, rounds);
    printf("| first logon of a valid account, idle (baseline) | %.1f ms (%.1f-%.1f) | 1.00 |\n", base * 1e3,
           idle[0] * 1e3, idle[rounds - 1] * 1e3);
    printf("| the same under 32 attackers, HostSec_LogonUserWithPasswordNoWait | %.1f ms (%.1f-%.1f) | %.2f "
           "(%.2f-%.2f) |\n",
           nw * 1e3, no_wait[0] * 1e3, no_wait[rounds - 1] * 1e3, nwr, nw_ratio[0], nw_ratio[rounds - 1]);
    printf("| the same under 32 attackers, HostSec_LogonUserWithPassword (blocking) | %.1f ms (%.1f-%.1f) | %.2f "
           "(%.2f-%.2f) "
           "|\n",
           bl * 1e3, blocking[0] * 1e3, blocking[rounds - 1] * 1e3, blr, bl_ratio[0], bl_ratio[rounds - 1]);
    return 0;
}
