/* Shared helpers for the C tests: getting the security manager through the COM entry points
 * the way a host does, and reading a thread's kernel credentials. */
#ifndef HOSTSEC_TEST_HOSTING_H
#define HOSTSEC_TEST_HOSTING_H

#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <hostsec.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

/* The real uids reserved for threads acting as another account (hostsec.h, "Threads"): no
 * account holds one; which one a thread holds depends on a random key of the thread's and the
 * account. */
#define HOSTING_RESERVED_REAL_UID_FIRST 0xF0000000u
#define HOSTING_RESERVED_REAL_UID_LAST  0xFFFFFFFDu
static inline int hosting_is_reserved_real_uid(uid_t uid) {
    return uid >= HOSTING_RESERVED_REAL_UID_FIRST && uid <= HOSTING_RESERVED_REAL_UID_LAST;
}
/* The real uid the calling thread must hold acting as account `uid` in the kernel: the one it
 * holds when that is a reserved one (0 otherwise: no match), unless `uid` is the process's own
 * (nothing changes). */
static uid_t hosting_process_uid_ = (uid_t)-1;
__attribute__((constructor)) static void hosting_record_process_uid_(void) { hosting_process_uid_ = geteuid(); }
static inline uid_t hosting_real_uid_acting_as(uid_t uid) {
    if (uid == hosting_process_uid_) return uid;
    uid_t r, e, s;
    return syscall(SYS_getresuid, &r, &e, &s) == 0 && hosting_is_reserved_real_uid(r) ? r : 0;
}
/* The effective uid in a /proc status "Uid:" value (real, effective, saved, filesystem). */
static inline unsigned long hosting_effective_of(const char *uid_line) {
    char *end = NULL;
    strtoul(uid_line, &end, 10);
    return strtoul(end, NULL, 10);
}

/* A new IHostSecurityManager from CLSID_HostSecurityManager's class factory. */
static inline IHostSecurityManager *hosting_manager(void) {
    IClassFactory *factory = NULL;
    IHostSecurityManager *manager = NULL;
    if (DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory) != S_OK) abort();
    if (IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&manager) != S_OK) abort();
    IClassFactory_Release(factory);
    return manager;
}

/* One line ("Uid:", "Gid:", "Groups:", "CapEff:", ...) of /proc/thread-self/status, without
 * its name, or of another thread's status when tid is not 0. */
static inline void hosting_status(int tid, const char *name, char *out, size_t size) {
    char path[64], line[512];
    if (tid == 0)
        snprintf(path, sizeof path, "/proc/thread-self/status");
    else
        snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
    out[0] = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) return;
    size_t n = strlen(name);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, n) == 0) {
            const char *v = line + n;
            while (*v == ' ' || *v == '\t') v++;
            snprintf(out, size, "%s", v);
            size_t len = strlen(out);
            while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' ')) out[--len] = 0;
            break;
        }
    }
    fclose(f);
}

/* The credential lines of a thread's status joined in one string, to compare states. */
static inline void hosting_credentials(int tid, char *out, size_t size) {
    static const char *names[] = {"Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:", "CapBnd:"};
    char value[256];
    out[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        hosting_status(tid, names[i], value, sizeof value);
        size_t used = strlen(out);
        snprintf(out + used, size - used, "%s%s|", names[i], value);
    }
}

/* True when the process may change uids and gids (CAP_SETUID and CAP_SETGID permitted). */
static inline int hosting_privileged(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &h, d) != 0) return 0;
    return (d[0].permitted & (1u << 6)) && (d[0].permitted & (1u << 7));
}

static inline uid_t hosting_uid_of(const char *name) {
    struct passwd *pw = getpwnam(name);
    if (pw == NULL) abort();
    return pw->pw_uid;
}

static inline int hosting_tid(void) { return (int)syscall(SYS_gettid); }

/* Makes the library initialize its lazily-initialized globals (the vtables of every class,
 * the shared engine and handle table) on the calling thread. The ThreadSanitizer lanes call it
 * on the main thread before starting others: the statically linked Swift runtime is not
 * instrumented, so ThreadSanitizer cannot see swift_once's synchronization and would report
 * two threads' first uses of a global as a race. (tsan.supp suppresses exactly those frames,
 * but only when the report can be symbolized, which a thread impersonating `nobody` cannot do
 * when the binaries sit in a directory only root may read.) */
static inline void hosting_warm_up(void) {
    IClassFactory *factory = NULL;
    IHostControl *control = NULL;
    IHostSecurityManager *manager = NULL;
    IHostSecurityContext *context = NULL, *clone = NULL;
    HANDLE h = NULL;
    if (DllGetClassObject(&CLSID_HostControl, &IID_IClassFactory, (void **)&factory) != S_OK) abort();
    IClassFactory_CreateInstance(factory, NULL, &IID_IHostControl, (void **)&control);
    IClassFactory_Release(factory);
    IHostControl_GetHostManager(control, &IID_IHostSecurityManager, (void **)&manager);
    IHostControl_Release(control);
    IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &context);
    IHostSecurityContext_Capture(context, &clone);
    IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, clone); /* "not impersonating": reverts */
    IHostSecurityContext_Release(clone);
    IHostSecurityContext_Release(context);
    if (HostSec_OpenProcessToken(TOKEN_QUERY, &h) == S_OK) HostSec_CloseHandle(h);
    IHostSecurityManager_Release(manager);
}

#endif
