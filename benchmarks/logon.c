/* Password logons per second through HostSec_LogonUserWithPassword (PAM service "hostsec":
 * pam_unix, the account's hash yescrypt, Debian's default), against the baseline of the same
 * run: one crypt_r of the same password with the same hash, the irreducible cost of a check.
 * Then the time of failed logons, a wrong password and an unknown account, interleaved.
 * usage: logon USER PASSWORD SECONDS FAILURES   (root: reads the account's hash from shadow) */
#define _GNU_SOURCE
#include <hostsec.h>
#include <crypt.h>
#include <pthread.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *user, *password;
static double duration;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double crypt_rate(const char *hash) {
    struct crypt_data data;
    memset(&data, 0, sizeof data);
    long n = 0;
    double start = now(), end = start + duration;
    while (now() < end) {
        const char *out = crypt_r(password, hash, &data);
        if (out == NULL || strcmp(out, hash) != 0) {
            fprintf(stderr, "crypt_r disagrees\n");
            exit(1);
        }
        n++;
    }
    return n / (now() - start);
}

static void *logons(void *arg) {
    long *count = arg;
    double end = now() + duration;
    while (now() < end) {
        HANDLE h = NULL;
        if (HostSec_LogonUserWithPassword(user, password, &h) != S_OK) {
            fprintf(stderr, "logon failed\n");
            exit(1);
        }
        HostSec_CloseHandle(h);
        (*count)++;
    }
    return NULL;
}

static double logon_rate(int threads) {
    pthread_t t[64];
    long counts[64] = {0};
    double start = now();
    for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, logons, &counts[i]);
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        total += counts[i];
    }
    return total / (now() - start);
}

typedef struct {
    const char *name, *secret;
    double seconds;
} attempt;

static void *fail_once(void *arg) {
    attempt *a = arg;
    HANDLE h = NULL;
    double start = now();
    HRESULT hr = HostSec_LogonUserWithPassword(a->name, a->secret, &h);
    a->seconds = now() - start;
    if (hr != (HRESULT)0x8007052E) {
        fprintf(stderr, "expected ERROR_LOGON_FAILURE\n");
        exit(1);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) return 2;
    user = argv[1], password = argv[2], duration = atof(argv[3]);
    int failures = atoi(argv[4]);
    struct spwd *sp = getspnam(user);
    if (sp == NULL || strncmp(sp->sp_pwdp, "$y$", 3) != 0) {
        fprintf(stderr, "no yescrypt hash for %s\n", user);
        return 1;
    }
    double base = crypt_rate(sp->sp_pwdp);
    double one = logon_rate(1), eight = logon_rate(8);
    printf("| yescrypt check, crypt_r, 1 thread (baseline) | %.1f /s | 1.00 |\n", base);
    printf("| HostSec_LogonUserWithPassword, 1 thread | %.1f /s | %.2f |\n", one, one / base);
    printf("| HostSec_LogonUserWithPassword, 8 threads | %.1f /s | %.2f |\n", eight, eight / base);
    /* Failures in parallel (their delays overlap), wrong password and unknown account
     * alternating so both meet the same load. */
    attempt a[256];
    pthread_t t[256];
    char unknown[64];
    snprintf(unknown, sizeof unknown, "%s-no-such", user);
    if (failures > 256) failures = 256;
    for (int i = 0; i < failures; i++) {
        a[i] = (attempt){i % 2 ? unknown : user, i % 2 ? password : "not the password", 0};
        pthread_create(&t[i], NULL, fail_once, &a[i]);
    }
    double sum[2] = {0}, lo[2] = {1e9, 1e9}, hi[2] = {0};
    for (int i = 0; i < failures; i++) {
        pthread_join(t[i], NULL);
        int k = i % 2;
        sum[k] += a[i].seconds;
        if (a[i].seconds < lo[k]) lo[k] = a[i].seconds;
        if (a[i].seconds > hi[k]) hi[k] = a[i].seconds;
    }
    int n = failures / 2;
    printf("| failed logon, wrong password (%d) | mean %.3f s, min %.3f, max %.3f | |\n", n, sum[0] / n, lo[0], hi[0]);
    printf("| failed logon, unknown account (%d) | mean %.3f s, min %.3f, max %.3f | |\n", n, sum[1] / n, lo[1], hi[1]);
    return 0;
}
