/*
 * coldstart.c - cold start, in fresh processes. This program does not link libhostsec.so:
 *   coldstart cold  lib|c PATH        in this process: dlopen(PATH), DllGetClassObject (the
 *                                     baseline: bl_create_manager), CreateInstance, first
 *                                     OpenThreadToken; prints the nanoseconds it took
 *   coldstart spawn lib|c PATH RUNS   runs `coldstart cold` RUNS times as child processes and
 *                                     prints the medians as JSON (in-process time, and the
 *                                     child's whole spawn-to-exit time)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "hostsec.h"

#include <dlfcn.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

extern char **environ;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* In this fresh process: load the library, get its class object, make a manager, ask for
 * the thread token (ERROR_NO_TOKEN is the expected first result). */
static void cold(const char *which, const char *path) {
    double t0 = now_ns();
    void *image = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (image == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        exit(7);
    }
    IHostSecurityManager *m = NULL;
    if (strcmp(which, "lib") == 0) {
        typedef HRESULT GetClassObjectFn(REFCLSID, REFIID, void **);
        GetClassObjectFn *get = (GetClassObjectFn *)dlsym(image, "DllGetClassObject");
        const IID *clsid = dlsym(image, "CLSID_HostSecurityManager");
        const IID *iid_factory = dlsym(image, "IID_IClassFactory");
        const IID *iid_manager = dlsym(image, "IID_IHostSecurityManager");
        IClassFactory *factory = NULL;
        if (get == NULL || get(clsid, iid_factory, (void **)&factory) != S_OK) exit(8);
        if (factory->lpVtbl->CreateInstance(factory, NULL, iid_manager, (void **)&m) != S_OK) exit(8);
        factory->lpVtbl->Release(factory);
    } else {
        IHostSecurityManager *(*create)(void) = (IHostSecurityManager * (*)(void)) dlsym(image, "bl_create_manager");
        if (create == NULL) exit(8);
        m = create();
    }
    HANDLE h = NULL;
    HRESULT hr = m->lpVtbl->OpenThreadToken(m, TOKEN_QUERY, FALSE, &h);
    double t1 = now_ns();
    if (hr != HRESULT_FROM_WIN32(ERROR_NO_TOKEN)) exit(9);
    printf("%.0f\n", t1 - t0);
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void spawn(const char *self, const char *which, const char *path, int runs) {
    double *inner = calloc(runs, sizeof *inner), *outer = calloc(runs, sizeof *outer);
    for (int i = 0; i < runs; i++) {
        int fds[2];
        if (pipe(fds) != 0) exit(10);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
        posix_spawn_file_actions_addclose(&actions, fds[0]);
        char *argv[] = {(char *)self, "cold", (char *)which, (char *)path, NULL};
        double t0 = now_ns();
        pid_t pid;
        if (posix_spawn(&pid, self, &actions, NULL, argv, environ) != 0) exit(10);
        close(fds[1]);
        char buf[64] = {0};
        ssize_t got = read(fds[0], buf, sizeof buf - 1);
        int status;
        waitpid(pid, &status, 0);
        outer[i] = now_ns() - t0;
        close(fds[0]);
        posix_spawn_file_actions_destroy(&actions);
        if (got <= 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "cold run failed\n");
            exit(11);
        }
        inner[i] = strtod(buf, NULL);
    }
    qsort(inner, runs, sizeof *inner, compare);
    qsort(outer, runs, sizeof *outer, compare);
    printf("{\"runs\": %d, \"median_ns\": %.0f, \"min_ns\": %.0f, \"max_ns\": %.0f, \"process_median_ns\": %.0f}\n",
           runs, inner[runs / 2], inner[0], inner[runs - 1], outer[runs / 2]);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: coldstart cold|spawn lib|c PATH [RUNS]\n");
        return 1;
    }
    if (strcmp(argv[1], "cold") == 0) {
        cold(argv[2], argv[3]);
        return 0;
    }
    if (strcmp(argv[1], "spawn") == 0) {
        spawn(argv[0], argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 51);
        return 0;
    }
    return 1;
}
