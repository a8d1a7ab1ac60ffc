/* identity-flow: the job hostsec exists for. A request thread acts as a user and captures
 * that identity; a pool thread applies it, works on files as that user (the kernel enforces
 * it, for that thread only), and reverts.
 *
 *   identity-flow [ACCOUNT]      (default: nobody; run as root for kernel-level impersonation)
 */
#define COBJMACROS
#include <hostsec.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static IHostSecurityManager *manager;
static IHostSecurityContext *captured;
static const char *account = "nobody";
static char dir[128], secret[192];
static int main_tid;
static int failures;

static void expect(int ok, const char *what) {
    printf("  %s %s\n", ok ? "[ok]  " : "[FAIL]", what);
    if (!ok) failures++;
}

static void check(HRESULT hr, const char *call) {
    if (hr != S_OK) {
        printf("  %s -> 0x%08x %s\n", call, (unsigned)hr, HostSec_HResultName(hr));
        exit(1);
    }
}

/* The credential lines of a thread's /proc status (tid 0: the calling thread). */
static void show(const char *who, int tid) {
    char path[64], line[256];
    snprintf(path, sizeof path, tid ? "/proc/self/task/%d/status" : "/proc/thread-self/status", tid);
    FILE *f = fopen(path, "r");
    printf("  %-18s", who);
    while (f && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Uid:", 4) || !strncmp(line, "Gid:", 4) || !strncmp(line, "Groups:", 7) ||
            !strncmp(line, "CapEff:", 7)) {
            line[strcspn(line, "\n")] = 0;
            for (char *c = line; *c; c++)
                if (*c == '\t') *c = ' ';
            printf(" %s |", line);
        }
    }
    printf("\n");
    if (f) fclose(f);
}

static uid_t euid_now(void) {
    uid_t r, e, s;
    syscall(SYS_getresuid, &r, &e, &s);
    return e;
}

static void *request_thread(void *arg) {
    (void)arg;
    HANDLE user = NULL;
    printf("request thread: log on '%s', impersonate, capture the security context\n", account);
    check(HostSec_LogonUser(account, &user), "HostSec_LogonUser");
    check(IHostSecurityManager_ImpersonateLoggedOnUser(manager, user), "ImpersonateLoggedOnUser");
    check(IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &captured), "GetSecurityContext");
    check(IHostSecurityManager_RevertToSelf(manager), "RevertToSelf");
    HostSec_CloseHandle(user);
    return NULL;
}

static void *pool_thread(void *arg) {
    (void)arg;
    struct passwd *pw = getpwnam(account);
    printf("pool thread: apply the captured context\n");
    show("before:", 0);
    check(IHostSecurityManager_SetSecurityContext(manager, eCurrentContext, captured), "SetSecurityContext");
    show("impersonating:", 0);
    show("main thread:", main_tid);

    HANDLE token = NULL;
    HOSTSEC_TOKEN_USER tu;
    SECURITY_IMPERSONATION_LEVEL level;
    DWORD len = 0;
    /* bOpenAsSelf TRUE: the access check runs as the process, which works at either level. */
    check(IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &token), "OpenThreadToken");
    check(HostSec_GetTokenInformation(token, TokenUser, &tu, sizeof tu, &len), "GetTokenInformation");
    check(HostSec_GetTokenInformation(token, TokenImpersonationLevel, &level, sizeof level, &len),
          "GetTokenInformation");
    check(HostSec_CloseHandle(token), "HostSec_CloseHandle");
    printf("  thread token: uid %u, level %s\n", tu.Uid,
           level == SecurityImpersonation ? "SecurityImpersonation" : "SecurityIdentification");

    char made[256];
    struct stat st;
    snprintf(made, sizeof made, "%s/report.txt", dir);
    int fd = open(made, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    int created = fd >= 0 && fstat(fd, &st) == 0;
    if (fd >= 0) close(fd);
    int secret_fd = open(secret, O_RDONLY);
    int secret_errno = errno;
    if (secret_fd >= 0) close(secret_fd);
    uid_t main_euid_during = 0;
    {
        char path[64], line[256];
        snprintf(path, sizeof path, "/proc/self/task/%d/status", main_tid);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof line, f))
            if (!strncmp(line, "Uid:", 4)) sscanf(line + 4, "%*u %u", &main_euid_during);
        if (f) fclose(f);
    }

    if (level == SecurityImpersonation) {
        expect(created && st.st_uid == pw->pw_uid, "a file the pool thread creates belongs to the account");
        printf("         %s owned by uid %u\n", made, created ? st.st_uid : 0);
        expect(secret_fd < 0 && secret_errno == EACCES, "root's 0600 file is refused (EACCES)");
        expect(main_euid_during == 0, "the main thread stays root meanwhile");
    } else {
        printf("  no CAP_SETUID/CAP_SETGID: impersonation is identification only, the kernel is unchanged\n");
        expect(created && st.st_uid == euid_now(), "files still belong to the process's own user");
    }

    check(IHostSecurityManager_RevertToSelf(manager), "RevertToSelf");
    show("after revert:", 0);
    int again = open(secret, O_RDONLY);
    expect(again >= 0, "after RevertToSelf the thread reads root's file again");
    if (again >= 0) close(again);
    HANDLE none = (HANDLE)1;
    expect(IHostSecurityManager_OpenThreadToken(manager, TOKEN_QUERY, TRUE, &none) ==
                   HRESULT_FROM_WIN32(ERROR_NO_TOKEN) &&
               none == NULL,
           "and has no thread token (ERROR_NO_TOKEN)");
    return NULL;
}

/* A server that must never do a user's work as itself asks for the strict policy: then
 * impersonating another account either makes the kernel act as it, or fails. */
static void *strict_thread(void *arg) {
    (void)arg;
    HANDLE token = NULL;
    check(HostSec_SetPolicy(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT), "HostSec_SetPolicy");
    check(HostSec_LogonUser(account, &token), "HostSec_LogonUser");
    HRESULT hr = IHostSecurityManager_ImpersonateLoggedOnUser(manager, token);
    uid_t now = euid_now();
    printf("strict policy (HOSTSEC_POLICY_REQUIRE_ENFORCEMENT):\n");
    if (SUCCEEDED(hr)) {
        printf("  ImpersonateLoggedOnUser -> %s: the kernel acts as uid %u\n", HostSec_HResultName(hr), (unsigned)now);
        expect(now == getpwnam(account)->pw_uid, "success means the kernel enforces the impersonation");
    } else {
        printf("  ImpersonateLoggedOnUser -> %s: refused, still uid %u\n", HostSec_HResultName(hr), (unsigned)now);
        expect(hr == HRESULT_FROM_WIN32(ERROR_PRIVILEGE_NOT_HELD) && now == getuid(),
               "refused with ERROR_PRIVILEGE_NOT_HELD, nothing changed");
    }
    IHostSecurityManager_RevertToSelf(manager);
    HostSec_CloseHandle(token);
    check(HostSec_SetPolicy(0), "HostSec_SetPolicy");
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) account = argv[1];
    if (getpwnam(account) == NULL) {
        fprintf(stderr, "no account '%s'\n", account);
        return 2;
    }
    printf("hostsec %s (header %s), running as uid %u\n", HostSec_GetVersionString(), HOSTSEC_VERSION_STRING,
           (unsigned)getuid());
    main_tid = (int)syscall(SYS_gettid);

    IClassFactory *factory = NULL;
    check(DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory), "DllGetClassObject");
    check(IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&manager), "CreateInstance");
    IClassFactory_Release(factory);

    snprintf(dir, sizeof dir, "/tmp/hostsec-demo-%d", (int)getpid());
    mkdir(dir, 0755);
    chmod(dir, 01777);
    snprintf(secret, sizeof secret, "%s/root-only.txt", dir);
    int fd = open(secret, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    if (fd >= 0) {
        if (write(fd, "secret\n", 7) < 0) perror("write");
        close(fd);
    }
    printf("work dir %s (mode 1777), %s (mode 0600, uid %u)\n", dir, secret, (unsigned)getuid());

    pthread_t t;
    pthread_create(&t, NULL, request_thread, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, pool_thread, NULL);
    pthread_join(t, NULL);
    pthread_create(&t, NULL, strict_thread, NULL);
    pthread_join(t, NULL);

    IHostSecurityContext_Release(captured);
    IHostSecurityManager_Release(manager);
    HOSTSEC_STATISTICS s;
    HostSec_GetStatistics(&s);
    expect(s.LiveObjects == 0 && s.LiveHandles == 0 && s.ImpersonatingThreads == 0,
           "everything released: no live objects, handles or impersonating threads");
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    printf(failures ? "%d check(s) failed\n" : "all checks passed\n", failures);
    return failures ? 1 : 0;
}
