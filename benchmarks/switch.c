/* ImpersonateLoggedOnUser(nobody) + RevertToSelf against the raw syscall sequence (setgroups,
 * setresgid, setresuid to nobody keeping the saved ids, and back: benchmarks/baseline.c), in
 * paired rounds: each round times `per` iterations of one, then `per` of the other (the order
 * alternating), as CPU time of the thread, and keeps the ratio library / raw of that round.
 * On a shared machine the cost of a credential change moves by 2-4x over seconds; adjacent
 * rounds see the same machine, so the median of the per-round ratios is stable where the
 * ratio of two separately measured means is not. Root only.
 *   switch [ROUNDS [PER]]   prints: median ratio, quartiles, median ns of each side
 * scripts/bench-switch builds and runs it. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "hostsec.h"

static double cpu_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 201, per = argc > 2 ? atoi(argv[2]) : 300;
    if (geteuid() != 0 || rounds < 1 || per < 1) {
        fprintf(stderr, "switch: run as root: switch [ROUNDS [PER]]\n");
        return 2;
    }
    struct passwd *pw = getpwnam("nobody");
    if (!pw) return 2;
    uint32_t uid = pw->pw_uid, gid = pw->pw_gid, groups[1] = {pw->pw_gid};
    IClassFactory *factory = NULL;
    IHostSecurityManager *m = NULL;
    HANDLE h = NULL;
    if (DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory) != S_OK ||
        factory->lpVtbl->CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&m) != S_OK ||
        HostSec_LogonUser("nobody", &h) != S_OK)
        return 2;
    factory->lpVtbl->Release(factory);
    bl_thread_init();
    for (int i = 0; i < per; i++) { /* warm up both */
        m->lpVtbl->ImpersonateLoggedOnUser(m, h);
        m->lpVtbl->RevertToSelf(m);
        bl_raw_impersonate(uid, gid, groups, 1);
        bl_raw_revert();
    }
    double *ratio = malloc(sizeof(double) * (size_t)rounds), *lib = malloc(sizeof(double) * (size_t)rounds),
           *raw = malloc(sizeof(double) * (size_t)rounds);
    int bad = 0;
    for (int r = 0; r < rounds; r++) {
        for (int side = 0; side < 2; side++) {
            int library = (side + r) % 2 == 0;
            double t = cpu_ns();
            for (int i = 0; i < per; i++) {
                if (library) {
                    bad += m->lpVtbl->ImpersonateLoggedOnUser(m, h) != S_OK;
                    bad += m->lpVtbl->RevertToSelf(m) != S_OK;
                } else {
                    bad += bl_raw_impersonate(uid, gid, groups, 1) != 0;
                    bad += bl_raw_revert() != 0;
                }
            }
            double ns = (cpu_ns() - t) / per;
            if (library)
                lib[r] = ns;
            else
                raw[r] = ns;
        }
        ratio[r] = lib[r] / raw[r];
    }
    if (bad != 0 || geteuid() != 0) {
        fprintf(stderr, "switch: %d calls failed\n", bad);
        return 1;
    }
    qsort(ratio, (size_t)rounds, sizeof *ratio, compare);
    qsort(lib, (size_t)rounds, sizeof *lib, compare);
    qsort(raw, (size_t)rounds, sizeof *raw, compare);
    printf("ratio %.2f (quartiles %.2f-%.2f), library %.0f ns, raw %.0f ns, %d rounds of %d\n", ratio[rounds / 2],
           ratio[rounds / 4], ratio[3 * rounds / 4], lib[rounds / 2], raw[rounds / 2], rounds, per);
    HostSec_CloseHandle(h);
    m->lpVtbl->Release(m);
    return 0;
}
