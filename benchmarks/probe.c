/*
 * probe.c - the measurements Google Benchmark cannot make, one per process so each starts
 * clean. Prints one JSON object.
 *   probe cycles  lib|c N   VmRSS growth over N OpenThreadToken+CloseHandle cycles
 *   probe live    lib|c N   VmRSS growth per live handle with N handles open at once
 *   probe syscalls lib|c N  N open+close cycles between two marker calls write(-1, "HS_MARK")
 *                           (scripts/bench runs it under strace and counts what lies between)
 * (Cold start is measured by coldstart.c, which does not link the library.)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "hostsec.h"
#include "baseline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static IHostSecurityManager *lib_manager(void) {
    IClassFactory *factory = NULL;
    void *object = NULL;
    if (DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory) != S_OK) exit(2);
    if (factory->lpVtbl->CreateInstance(factory, NULL, &IID_IHostSecurityManager, &object) != S_OK) exit(2);
    factory->lpVtbl->Release(factory);
    return object;
}

static long vm_rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0) kib = strtol(line + 6, NULL, 10);
    if (f != NULL) fclose(f);
    return kib;
}

struct side {
    IHostSecurityManager *m;
    HRESULT (*close)(HANDLE);
};

static struct side setup(const char *which) {
    struct side s;
    if (strcmp(which, "lib") == 0) {
        s.m = lib_manager();
        s.close = HostSec_CloseHandle;
        if (HostSec_ImpersonateSelf(SecurityImpersonation) != S_OK) exit(3);
    } else {
        s.m = bl_create_manager();
        s.close = bl_CloseHandle;
        if (bl_ImpersonateSelf(SecurityImpersonation) != S_OK) exit(3);
    }
    return s;
}

static void cycles(struct side s, long n) {
    HANDLE h;
    for (long i = 0; i < 100000; i++) { /* warm up: caches, first chunks */
        s.m->lpVtbl->OpenThreadToken(s.m, TOKEN_QUERY, FALSE, &h);
        s.close(h);
    }
    long before = vm_rss_kib();
    for (long i = 0; i < n; i++) {
        if (s.m->lpVtbl->OpenThreadToken(s.m, TOKEN_QUERY, FALSE, &h) != S_OK || s.close(h) != S_OK) exit(4);
    }
    long after = vm_rss_kib();
    printf("{\"cycles\": %ld, \"rss_before_kib\": %ld, \"rss_after_kib\": %ld, \"growth_bytes\": %ld}\n", n, before,
           after, (after - before) * 1024);
}

static void live(struct side s, long n) {
    HANDLE *handles = malloc((size_t)n * sizeof *handles);
    if (handles == NULL) exit(5);
    memset(handles, 0xA5, (size_t)n * sizeof *handles); /* resident before the first reading */
    HANDLE h;
    s.m->lpVtbl->OpenThreadToken(s.m, TOKEN_QUERY, FALSE, &h); /* first use outside the window */
    s.close(h);
    long before = vm_rss_kib();
    for (long i = 0; i < n; i++)
        if (s.m->lpVtbl->OpenThreadToken(s.m, TOKEN_QUERY, FALSE, &handles[i]) != S_OK) exit(4);
    long after = vm_rss_kib();
    for (long i = 0; i < n; i++)
        if (s.close(handles[i]) != S_OK) exit(4);
    printf("{\"handles\": %ld, \"rss_before_kib\": %ld, \"rss_after_kib\": %ld, \"bytes_per_handle\": %.2f}\n", n,
           before, after, (after - before) * 1024.0 / n);
}

static void syscalls(struct side s, long n) {
    HANDLE h;
    for (long i = 0; i < 1000; i++) {
        s.m->lpVtbl->OpenThreadToken(s.m, TOKEN_QUERY, FALSE, &h);
        s.close(h);
    }
    if (write(-1, "HS_MARK", 7) != -1) exit(6);
    for (long i = 0; i < n; i++) {
        s.m->lpVtbl->OpenThreadToken(s.m, TOKEN_QUERY, FALSE, &h);
        s.close(h);
    }
    if (write(-1, "HS_MARK", 7) != -1) exit(6);
    printf("{\"cycles\": %ld}\n", n);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: probe cycles|live|syscalls lib|c N\n");
        return 1;
    }
    const char *mode = argv[1], *which = argv[2];
    struct side s = setup(which);
    long n = atol(argv[3]);
    if (strcmp(mode, "cycles") == 0)
        cycles(s, n);
    else if (strcmp(mode, "live") == 0)
        live(s, n);
    else if (strcmp(mode, "syscalls") == 0)
        syscalls(s, n);
    else
        return 1;
    return 0;
}
