/* Processes and clients as users: HostSec_SpawnAsUser (the child's /proc/<pid>/status
 * against the token, a clean start, the caller unchanged) and HostSec_OpenSocketClientToken /
 * HostSec_ImpersonateSocketClient (the peer of a Unix domain socket). */
#include "check.h"
#include "token_util.h"
#include <dirent.h>
#include <pthread.h>
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <pwd.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>

static IHostSecurityManager *mgr;

/* The value of a /proc status line ("Uid:", "CapEff:", ...), or "". */
static void status_line(const char *file, const char *key, char *out, size_t size) {
    FILE *f = fopen(file, "r");
    char line[4096];
    out[0] = 0;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0) {
            const char *v = line + strlen(key);
            while (*v == ' ' || *v == '\t') v++;
            snprintf(out, size, "%s", v);
            out[strcspn(out, "\n")] = 0;
            /* trailing blanks (Groups: ends with one) */
            for (size_t n = strlen(out); n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'); n--) out[n - 1] = 0;
            break;
        }
    if (f) fclose(f);
}

static char *const sleep_argv[] = {"sleep", "5", NULL};

/* What the token says the child must hold, as /proc prints it. */
static void expected_lines(HANDLE token, char *uid, char *gid, char *groups, size_t size) {
    HOSTSEC_TOKEN_USER user;
    HOSTSEC_TOKEN_PRIMARY_GROUP primary;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(token, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK_HR(HostSec_GetTokenInformation(token, TokenPrimaryGroup, &primary, sizeof primary, &len), S_OK);
    unsigned char buffer[4096];
    CHECK_HR(HostSec_GetTokenInformation(token, TokenGroups, buffer, sizeof buffer, &len), S_OK);
    HOSTSEC_TOKEN_GROUPS *g = (HOSTSEC_TOKEN_GROUPS *)buffer;
    snprintf(uid, size, "%u\t%u\t%u\t%u", user.Uid, user.Uid, user.Uid, user.Uid);
    snprintf(gid, size, "%u\t%u\t%u\t%u", primary.Gid, primary.Gid, primary.Gid, primary.Gid);
    groups[0] = 0;
    for (DWORD i = 0; i < g->GroupCount; i++) {
        size_t n = strlen(groups);
        snprintf(groups + n, size - n, "%s%u", i ? " " : "", g->Gids[i]);
    }
}

static int fds_of(pid_t pid) { /* how many descriptors the process has open */
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
    DIR *d = opendir(path);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void stop(pid_t pid) {
    if (pid <= 0) return;
    kill(pid, SIGKILL);
    int status;
    waitpid(pid, &status, 0);
}

static void thread_credentials(char *out, size_t size) {
    char uid[128], gid[128], groups[1024], eff[64], prm[64];
    status_line("/proc/thread-self/status", "Uid:", uid, sizeof uid);
    status_line("/proc/thread-self/status", "Gid:", gid, sizeof gid);
    status_line("/proc/thread-self/status", "Groups:", groups, sizeof groups);
    status_line("/proc/thread-self/status", "CapEff:", eff, sizeof eff);
    status_line("/proc/thread-self/status", "CapPrm:", prm, sizeof prm);
    snprintf(out, size, "%s|%s|%s|%s|%s", uid, gid, groups, eff, prm);
}

/* The child of a logged-on account's token: all four uids and gids, the groups and every
 * capability set in /proc/<pid>/status are the token's; descriptors 0-2 only; the calling
 * thread's own credentials unchanged. */
static void spawn_as_user_child_status_equals_the_token(void) {
    SKIP_UNLESS_ROOT();
    HANDLE nobody = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
    int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: the child must not get it */
    char before[2048], after[2048];
    thread_credentials(before, sizeof before);
    pid_t pid = 0;
    char *env[] = {"A=1", NULL};
    CHECK_HR(HostSec_SpawnAsUser(nobody, "/bin/sleep", sleep_argv, env, &pid), S_OK);
    thread_credentials(after, sizeof after);
    CHECK(strcmp(before, after) == 0);
    char file[64], uid[128], gid[128], groups[1024], want_uid[128], want_gid[128], want_groups[1024], v[128];
    snprintf(file, sizeof file, "/proc/%d/status", (int)pid);
    expected_lines(nobody, want_uid, want_gid, want_groups, sizeof want_uid);
    status_line(file, "Uid:", uid, sizeof uid);
    status_line(file, "Gid:", gid, sizeof gid);
    status_line(file, "Groups:", groups, sizeof groups);
    CHECK(strcmp(uid, want_uid) == 0);
    CHECK(strcmp(gid, want_gid) == 0);
    CHECK(strcmp(groups, want_groups) == 0);
    if (strcmp(groups, want_groups) != 0) fprintf(stderr, "  groups %s, token %s\n", groups, want_groups);
    static const char *sets[] = {"CapInh:", "CapPrm:", "CapEff:", "CapBnd:", "CapAmb:"};
    for (int i = 0; i < 5; i++) { /* nobody's token holds no privilege: every set empty */
        status_line(file, sets[i], v, sizeof v);
        CHECK(strcmp(v, "0000000000000000") == 0);
    }
    status_line(file, "NoNewPrivs:", v, sizeof v);
    /* The program's own start (the dynamic loader opening its libraries) holds descriptors
     * for a moment: wait for those to close. One inherited from here would never close. */
    int fds = fds_of(pid);
    for (int i = 0; i < 500 && fds != 3; i++) {
        usleep(2000);
        fds = fds_of(pid);
    }
    CHECK(fds == 3);
    char envfile[64], envbuf[64] = {0};
    snprintf(envfile, sizeof envfile, "/proc/%d/environ", (int)pid);
    FILE *f = fopen(envfile, "r");
    size_t n = f ? fread(envbuf, 1, sizeof envbuf - 1, f) : 0;
    if (f) fclose(f);
    CHECK(n == 4 && strcmp(envbuf, "A=1") == 0);
    stop(pid);
    close(leak);
    HostSec_CloseHandle(nobody);
}

/* The process token (root here): uid 0 with exactly the token's permitted set, from a thread
 * that impersonates nobody at the time: nothing of the impersonation reaches the child. */
static void spawn_as_user_takes_nothing_from_the_callers_impersonation(void) {
    SKIP_UNLESS_ROOT();
    HANDLE process = NULL, nobody = NULL;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process), S_OK);
    CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, nobody), S_OK);
    CHECK(geteuid() == 65534 || getpwnam("nobody")->pw_uid == geteuid());
    pid_t pid = 0;
    CHECK_HR(HostSec_SpawnAsUser(process, "/bin/sleep", sleep_argv, NULL, &pid), S_OK);
    CHECK_HR(util_revert(mgr), S_OK);
    char file[64], uid[128], prm[64], eff[64], mine[64], want_uid[128], want_gid[128], want_groups[1024], groups[1024];
    snprintf(file, sizeof file, "/proc/%d/status", (int)pid);
    expected_lines(process, want_uid, want_gid, want_groups, sizeof want_uid);
    status_line(file, "Uid:", uid, sizeof uid);
    status_line(file, "Groups:", groups, sizeof groups);
    status_line(file, "CapPrm:", prm, sizeof prm);
    status_line(file, "CapEff:", eff, sizeof eff);
    status_line("/proc/self/status", "CapPrm:", mine, sizeof mine);
    CHECK(strcmp(uid, want_uid) == 0 && strcmp(uid, "0\t0\t0\t0") == 0);
    CHECK(strcmp(groups, want_groups) == 0);
    CHECK(strcmp(prm, mine) == 0 && strcmp(eff, mine) == 0);
    stop(pid);
    HostSec_CloseHandle(process);
    HostSec_CloseHandle(nobody);
}

static void spawn_as_user_checks_its_arguments(void) {
    HANDLE process = NULL, query_only = NULL, impersonation = NULL;
    pid_t pid = 12345;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process), S_OK);
    CHECK_HR(HostSec_SpawnAsUser(process, NULL, sleep_argv, NULL, &pid), E_POINTER);
    CHECK_HR(HostSec_SpawnAsUser(process, "/bin/sleep", NULL, NULL, &pid), E_POINTER);
    CHECK_HR(HostSec_SpawnAsUser(process, "/bin/sleep", sleep_argv, NULL, NULL), E_POINTER);
    CHECK_HR(HostSec_SpawnAsUser((HANDLE)(uintptr_t)0x4321, "/bin/sleep", sleep_argv, NULL, &pid), E_HANDLE);
    CHECK_HR(
        HostSec_DuplicateTokenEx(process, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation, &impersonation),
        S_OK);
    CHECK_HR(HostSec_SpawnAsUser(impersonation, "/bin/sleep", sleep_argv, NULL, &pid),
             HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE));
    CHECK_HR(HostSec_DuplicateTokenEx(process, TOKEN_QUERY | TOKEN_DUPLICATE, SecurityImpersonation, TokenPrimary,
                                      &query_only),
             S_OK);
    CHECK_HR(HostSec_SpawnAsUser(query_only, "/bin/sleep", sleep_argv, NULL, &pid), E_ACCESSDENIED);
    CHECK_HR(HostSec_SpawnAsUser(process, "/no/such/program", sleep_argv, NULL, &pid), HRESULT_FROM_WIN32(2));
    char not_executable[] = "/tmp/hostsec-spawn-XXXXXX";
    int fd = mkstemp(not_executable);
    CHECK(fd >= 0 && write(fd, "hello\n", 6) == 6);
    close(fd);
    CHECK(chmod(not_executable, 0644) == 0);
    CHECK_HR(HostSec_SpawnAsUser(process, not_executable, sleep_argv, NULL, &pid), E_ACCESSDENIED);
    CHECK(chmod(not_executable, 0755) == 0);
    CHECK_HR(HostSec_SpawnAsUser(process, not_executable, sleep_argv, NULL, &pid), HRESULT_FROM_WIN32(193));
    unlink(not_executable);
    CHECK(pid == 12345);
    int status;
    CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD); /* no child left behind */
    HostSec_CloseHandle(process);
    HostSec_CloseHandle(query_only);
    HostSec_CloseHandle(impersonation);
}

/* Without CAP_SETUID/CAP_SETGID a process cannot be started as another account; as the
 * caller's own account it can. */
static void spawn_as_another_user_without_setuid_is_access_denied(void) {
    if (util_can_impersonate_others()) {
        printf("skip %s: runs without CAP_SETUID (test-processes-and-clients.sh)\n", __func__);
        return;
    }
    HANDLE process = NULL, nobody = NULL;
    pid_t pid = 0;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process), S_OK);
    CHECK_HR(HostSec_SpawnAsUser(process, "/bin/sleep", sleep_argv, NULL, &pid), S_OK);
    char file[64], uid[128];
    snprintf(file, sizeof file, "/proc/%d/status", (int)pid);
    status_line(file, "Uid:", uid, sizeof uid);
    char want[128];
    snprintf(want, sizeof want, "%u\t%u\t%u\t%u", getuid(), getuid(), getuid(), getuid());
    CHECK(strcmp(uid, want) == 0);
    stop(pid);
    if (getuid() != getpwnam("nobody")->pw_uid) {
        CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
        CHECK_HR(HostSec_SpawnAsUser(nobody, "/bin/sleep", sleep_argv, NULL, &pid), E_ACCESSDENIED);
        HostSec_CloseHandle(nobody);
    }
    HostSec_CloseHandle(process);
}

static void *spawn_on_this_thread(void *arg) {
    HANDLE process = NULL;
    pid_t pid = 0;
    char *const argv[] = {"true", NULL};
    int *ok = arg;
    if (HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process) != S_OK) return NULL;
    if (HostSec_SpawnAsUser(process, "/bin/true", argv, NULL, &pid) == S_OK) {
        int status = 0;
        *ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    HostSec_CloseHandle(process);
    return NULL;
}

/* The child runs on the forking thread's stack: a host thread with a small one (128 KiB)
 * spawns as well as any other. */
static void spawn_as_user_from_a_thread_with_a_small_stack(void) {
    pthread_attr_t attr;
    pthread_t thread;
    int ok = 0;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 128 * 1024);
    CHECK(pthread_create(&thread, &attr, spawn_on_this_thread, &ok) == 0);
    pthread_join(thread, NULL);
    pthread_attr_destroy(&attr);
    CHECK(ok);
}

static void socket_client_token_is_the_peer(void) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    HANDLE token = NULL;
    CHECK_HR(HostSec_OpenSocketClientToken(sv[0], TOKEN_QUERY, &token), S_OK);
    HOSTSEC_TOKEN_USER user;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(token, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK(user.Uid == geteuid());
    TOKEN_TYPE type;
    SECURITY_IMPERSONATION_LEVEL level;
    CHECK_HR(HostSec_GetTokenInformation(token, TokenType, &type, sizeof type, &len), S_OK);
    CHECK_HR(HostSec_GetTokenInformation(token, TokenImpersonationLevel, &level, sizeof level, &len), S_OK);
    CHECK(type == TokenImpersonation && level == SecurityImpersonation);
    unsigned char buffer[4096];
    CHECK_HR(HostSec_GetTokenInformation(token, TokenGroups, buffer, sizeof buffer, &len), S_OK);
    gid_t mine[256];
    int n = getgroups(256, mine);
    CHECK(((HOSTSEC_TOKEN_GROUPS *)buffer)->GroupCount == (DWORD)n);
    HostSec_CloseHandle(token);
    close(sv[0]);
    close(sv[1]);
}

/* A client that is another account (a child that became nobody) is served as nobody. */
static void socket_client_served_as_itself(void) {
    SKIP_UNLESS_ROOT();
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    struct passwd *pw = getpwnam("nobody");
    uid_t nobody = pw->pw_uid;
    gid_t nobody_gid = pw->pw_gid;
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/hostsec-peer-%d", (int)getpid());
    unlink(addr.sun_path);
    CHECK(bind(listener, (struct sockaddr *)&addr, sizeof addr) == 0 && listen(listener, 1) == 0);
    chmod(addr.sun_path, 0777);
    pid_t child = fork();
    if (child == 0) {
        if (setgroups(0, NULL) != 0 || setresgid(nobody_gid, nobody_gid, nobody_gid) != 0 ||
            setresuid(nobody, nobody, nobody) != 0)
            _exit(2);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&addr, sizeof addr) != 0) _exit(3);
        char b;
        (void)!read(c, &b, 1);
        _exit(0);
    }
    int conn = accept(listener, NULL, NULL);
    CHECK(conn >= 0);
    CHECK_HR(HostSec_ImpersonateSocketClient(conn), S_OK);
    uid_t r, e, s;
    CHECK(getresuid(&r, &e, &s) == 0 && e == nobody && r == nobody);
    char groups[256];
    status_line("/proc/thread-self/status", "Groups:", groups, sizeof groups);
    CHECK(groups[0] == 0); /* the peer had no supplementary groups */
    CHECK(access("/etc/shadow", R_OK) != 0);
    CHECK_HR(util_revert(mgr), S_OK);
    CHECK(geteuid() == 0);
    (void)!write(conn, "x", 1);
    int status;
    CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(conn);
    close(listener);
    unlink(addr.sun_path);
    close(sv[0]);
    close(sv[1]);
}

static void socket_client_errors_are_documented(void) {
    HANDLE token = (HANDLE)1;
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_HR(HostSec_OpenSocketClientToken(p[0], TOKEN_QUERY, &token), E_HANDLE);
    CHECK(token == NULL);
    CHECK_HR(HostSec_ImpersonateSocketClient(p[0]), E_HANDLE);
    close(p[0]);
    close(p[1]);
    CHECK_HR(HostSec_OpenSocketClientToken(p[0], TOKEN_QUERY, &token), E_HANDLE); /* closed */
    int unconnected = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_HR(HostSec_OpenSocketClientToken(unconnected, TOKEN_QUERY, &token), HRESULT_FROM_WIN32(1368));
    CHECK_HR(HostSec_ImpersonateSocketClient(unconnected), HRESULT_FROM_WIN32(1368));
    close(unconnected);
    int tcp = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_HR(HostSec_OpenSocketClientToken(tcp, TOKEN_QUERY, &token), HRESULT_FROM_WIN32(1368));
    close(tcp);
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CHECK_HR(HostSec_OpenSocketClientToken(sv[0], TOKEN_QUERY, NULL), E_POINTER);
    close(sv[0]);
    close(sv[1]);
}

/* What a plain fork() from an impersonating thread gives (SECURITY.md): the child holds the
 * thread's credentials as Linux copies them, the impersonated uid as real and effective uid
 * but the process's own uid still saved, so it can take its way back; HostSec_SpawnAsUser's
 * child cannot. */
static void plain_fork_from_an_impersonating_thread_keeps_a_way_back(void) {
    SKIP_UNLESS_ROOT();
    HANDLE nobody = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, nobody), S_OK);
    uid_t as = geteuid();
    pid_t pid = fork();
    if (pid == 0) {
        uid_t r, e, s;
        if (getresuid(&r, &e, &s) != 0 || r != as || e != as || s != 0) _exit(2);
        _exit(setresuid(0, 0, 0) == 0 && geteuid() == 0 ? 0 : 3); /* back to root */
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_HR(util_revert(mgr), S_OK);
    /* The spawned child: no saved root id, setresuid(0) refused. */
    char *const try_root[] = {"perl", "-e", "$< = 0; $> = 0; exit($> == 0 ? 0 : 7)", NULL};
    pid_t child = 0;
    if (access("/usr/bin/perl", X_OK) == 0) {
        CHECK_HR(HostSec_SpawnAsUser(nobody, "/usr/bin/perl", try_root, NULL, &child), S_OK);
        CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 7);
    }
    HostSec_CloseHandle(nobody);
}

int main(void) {
    mgr = hosting_manager();
    if (!util_can_impersonate_others()) printf("# unprivileged: no CAP_SETUID/CAP_SETGID\n");
    RUN_TEST(spawn_as_user_child_status_equals_the_token);
    RUN_TEST(spawn_as_user_takes_nothing_from_the_callers_impersonation);
    RUN_TEST(spawn_as_user_checks_its_arguments);
    RUN_TEST(spawn_as_another_user_without_setuid_is_access_denied);
    RUN_TEST(spawn_as_user_from_a_thread_with_a_small_stack);
    RUN_TEST(plain_fork_from_an_impersonating_thread_keeps_a_way_back);
    RUN_TEST(socket_client_token_is_the_peer);
    RUN_TEST(socket_client_served_as_itself);
    RUN_TEST(socket_client_errors_are_documented);
    mgr->lpVtbl->Release(mgr);
    CHECK_EXIT();
}
