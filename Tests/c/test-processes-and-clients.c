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
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <termios.h>
#define HOSTSEC_W32_NO_WINDOWS_NAMES
#include <hostsec_win32.h>

static IHostSecurityManager *mgr;

/* This program copied into a folder every account may enter (0755 under /tmp): the child
 * probes below run it as another account ("--probe NAME ..."). Removed at exit. */
static char probe_dir[64], probe_path[96];

static void remove_probe(void) {
    if (probe_path[0]) unlink(probe_path);
    if (probe_dir[0]) rmdir(probe_dir);
}

/* A new file `to` (mode) with the bytes of `from`. */
static void copy_file(const char *from, const char *to, mode_t mode) {
    int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
    char buffer[65536];
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buffer, sizeof buffer)) > 0)
        if (write(out, buffer, (size_t)n) != n) break;
    if (in >= 0) close(in);
    if (out >= 0) close(out);
}

static const char *probe_program(void) {
    if (probe_path[0]) return probe_path;
    snprintf(probe_dir, sizeof probe_dir, "/tmp/hostsec-probe-XXXXXX");
    if (!mkdtemp(probe_dir)) return "/no/probe";
    chmod(probe_dir, 0755);
    snprintf(probe_path, sizeof probe_path, "%s/probe", probe_dir);
    atexit(remove_probe);
    copy_file("/proc/self/exe", probe_path, 0755);
    return probe_path;
}

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
    /* a reserved real uid, no account's (0xF0000000-0xFFFFFFFD) */
    CHECK(getresuid(&r, &e, &s) == 0 && e == nobody && r >= 0xF0000000u && r <= 0xFFFFFFFDu);
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
 * thread's credentials as Linux copies them, the impersonated uid as effective uid, the
 * thread's reserved real uid (no account's, hostsec.h "Threads"), but the process's own uid still saved, so it
 * can take its way back; HostSec_SpawnAsUser's child cannot. */
static void plain_fork_from_an_impersonating_thread_keeps_a_way_back(void) {
    SKIP_UNLESS_ROOT();
    HANDLE nobody = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, nobody), S_OK);
    uid_t as = geteuid(), reserved = 0, e0, s0;
    CHECK(getresuid(&reserved, &e0, &s0) == 0 && reserved >= 0xF0000000u && reserved <= 0xFFFFFFFDu);
    pid_t pid = fork();
    if (pid == 0) {
        uid_t r, e, s;
        if (getresuid(&r, &e, &s) != 0 || r != reserved || e != as || s != 0) _exit(2);
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

/* ---- Children that probe what they got: this program run again as "--probe NAME ...". */

/* 0 when the calling process has no controlling terminal and leads a session of its own. */
static int probe_no_terminal(void) {
    int fd = open("/dev/tty", O_RDWR);
    if (fd >= 0) return 1;
    if (errno != ENXIO) return 2;
    return getsid(0) == getpid() ? 0 : 3;
}

static int is_terminal(int fd) {
    struct termios t;
    return ioctl(fd, TCGETS, &t) == 0;
}

static int is_dev_null(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3);
}

static int probe(int argc, char **argv) {
    const char *what = argv[2];
    if (strcmp(what, "keyring") == 0 && argc == 5) {
        char value[64];
        if (syscall(SYS_keyctl, KEYCTL_READ, atol(argv[3]), value, sizeof value) >= 0) return 1;
        long ring = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
        return ring == atol(argv[4]) ? 2 : 0;
    }
    if (strcmp(what, "terminal-kept") == 0) { /* the caller's terminal stays at 0-2, not as ours */
        int r = probe_no_terminal();
        return r ? r : is_terminal(0) && is_terminal(1) && is_terminal(2) ? 0 : 4;
    }
    if (strcmp(what, "terminal-gone") == 0) { /* DETACHED_PROCESS: /dev/null instead */
        int r = probe_no_terminal();
        return r ? r : is_dev_null(0) && is_dev_null(1) && is_dev_null(2) ? 0 : 4;
    }
    if (strcmp(what, "setuid") == 0) { /* run set-user-ID root: elevated only for good, or not at all */
        uid_t r, e, s;
        if (getresuid(&r, &e, &s) != 0) return 2;
        if (e != 0 || r == 0) return 0;                  /* did not elevate */
        if (setuid(r) != 0) return 3;                    /* the classic drop ... */
        return setuid(0) == 0 || geteuid() == 0 ? 1 : 0; /* ... and root regained after it */
    }
    if (strcmp(what, "state") == 0 && argc == 5) {
        mode_t mask = umask(022);
        if (mask != 022) return 1;
        if (!is_dev_null(0)) return 2;        /* a regular file there: not passed on purpose */
        if (!is_dev_null(2)) return 3;        /* closed there */
        if (write(1, "ok", 2) != 2) return 4; /* a pipe there: passed on purpose */
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, argv[3]) != 0) return 5;
        struct rlimit limit;
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur != (rlim_t)atoll(argv[4])) return 6;
        return 0;
    }
    return 100;
}

/* A token to start probes with: nobody's when this process may start other accounts, else
 * the process token (the same checks hold for the caller's own account). */
static HANDLE probe_token(void) {
    HANDLE token = NULL;
    if (util_can_impersonate_others())
        CHECK_HR(HostSec_LogonUser("nobody", &token), S_OK);
    else
        CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &token), S_OK);
    return token;
}

/* Runs the probe as the token: its exit status, or -1 when it did not start. */
static int run_probe(HANDLE token, char *const argv[]) {
    pid_t pid = 0;
    HRESULT hr = HostSec_SpawnAsUser(token, probe_program(), argv, NULL, &pid);
    if (hr != S_OK) {
        fprintf(stderr, "  HostSec_SpawnAsUser(%s): 0x%08x\n", argv[2], (unsigned)hr);
        return -1;
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

/* CreateProcessAsUserA of the probe with dwCreationFlags: its exit code, or -1. */
static int create_probe(HANDLE token, const char *what, DWORD flags) {
    char line[256];
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    snprintf(line, sizeof line, "\"%s\" --probe %s", probe_program(), what);
    if (!HostSecW32_CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, flags, NULL, NULL, &si, &pi)) {
        fprintf(stderr, "  CreateProcessAsUserA(%s): error %u\n", what, (unsigned)HostSecW32_GetLastError());
        return -1;
    }
    DWORD code = 999;
    HostSecW32_WaitForSingleObject(pi.hProcess, INFINITE);
    HostSecW32_GetExitCodeProcess(pi.hProcess, &code);
    HostSecW32_CloseHandle(pi.hProcess);
    HostSecW32_CloseHandle(pi.hThread);
    return (int)code;
}

/* A3-01: the host's session keyring holds a key only its possessors may read; the child
 * cannot read it and has a session keyring of its own. */
static void spawn_as_user_child_has_a_session_keyring_of_its_own(void) {
    long saved = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    long ring = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
    if (ring < 0) {
        printf("skip %s: no keyrings here (%s)\n", __func__, strerror(errno));
        return;
    }
    char secret[33];
    snprintf(secret, sizeof secret, "%016llx%016llx", (unsigned long long)random(), (unsigned long long)random());
    long key = syscall(SYS_add_key, "user", "hostsec-spawn-test", secret, strlen(secret), KEY_SPEC_SESSION_KEYRING);
    CHECK(key > 0);
    CHECK(syscall(SYS_keyctl, KEYCTL_SETPERM, key, 0x3f000000) == 0); /* possessor only */
    HANDLE token = probe_token();
    char key_text[24], ring_text[24];
    snprintf(key_text, sizeof key_text, "%ld", key);
    snprintf(ring_text, sizeof ring_text, "%ld", ring);
    char *const argv[] = {"probe", "--probe", "keyring", key_text, ring_text, NULL};
    int r = run_probe(token, argv);
    if (r != 0) fprintf(stderr, "  probe: %s\n", r == 1 ? "read the host's key" : r == 2 ? "same keyring" : "?");
    CHECK(r == 0);
    HostSec_CloseHandle(token);
    syscall(SYS_keyctl, KEYCTL_INVALIDATE, key);
    /* back to the keyring this process had (a fresh anonymous one when it had none) */
    if (saved > 0) syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
}

/* Run in a session of its own whose controlling terminal is a pseudo-terminal: starts the
 * probe with HostSec_SpawnAsUser and with CreateProcessAsUserA (attached and detached). */
static int tty_host(void) {
    int fd = open("/dev/tty", O_RDWR);
    if (fd < 0) return 90; /* no terminal to keep from the child: the test would prove nothing */
    close(fd);
    HANDLE token = probe_token();
    char *const argv[] = {"probe", "--probe", "terminal-kept", NULL};
    int r = run_probe(token, argv);
    if (r != 0) return 10 + (r < 0 ? 9 : r);
    r = create_probe(token, "terminal-kept", 0);
    if (r != 0) return 20 + (r < 0 ? 9 : r);
    r = create_probe(token, "terminal-gone", DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    if (r != 0) return 30 + (r < 0 ? 9 : r);
    r = create_probe(token, "terminal-gone", CREATE_NO_WINDOW);
    if (r != 0) return 40 + (r < 0 ? 9 : r);
    HostSec_CloseHandle(token);
    return 0;
}

/* A3-02: the child of a host that has a controlling terminal leads a session of its own
 * without one (open("/dev/tty") is ENXIO); DETACHED_PROCESS and CREATE_NO_WINDOW also keep
 * the terminal from its descriptors 0-2. The host runs in a new session on a pseudo-terminal. */
static void spawn_as_user_child_has_no_controlling_terminal(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0);
    char name[128];
    CHECK(ptsname_r(master, name, sizeof name) == 0);
    pid_t host = fork();
    if (host == 0) {
        setsid();
        int slave = open(name, O_RDWR); /* the session's first terminal: its controlling one */
        if (slave < 0) _exit(91);
        dup2(slave, 0), dup2(slave, 1), dup2(slave, 2);
        if (slave > 2) close(slave);
        execl("/proc/self/exe", "test-processes-and-clients", "--tty-host", (char *)NULL);
        _exit(92);
    }
    int status = 0;
    CHECK(waitpid(host, &status, 0) == host);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 200;
    /* tens: 1 HostSec_SpawnAsUser, 2 CreateProcessAsUserA, 3 DETACHED_PROCESS, 4 CREATE_NO_WINDOW;
     * units: 1 /dev/tty opened, 2 another error, 3 not a session leader, 4 descriptors 0-2 */
    if (code != 0) fprintf(stderr, "  terminal host: %d\n", code);
    CHECK(code == 0);
    close(master);
}

/* A3-12: umask 022; descriptors 0-2 kept when a terminal, pipe or socket (what a host sets
 * there for its child), /dev/null otherwise (a regular file, a closed descriptor); the
 * working folder the account's home when it is a folder, else "/"; the host's rlimits. */
static void spawn_as_user_child_umask_and_descriptors_are_documented_values(void) {
    HANDLE token = probe_token();
    HOSTSEC_TOKEN_USER user;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(token, TokenUser, &user, sizeof user, &len), S_OK);
    struct passwd *pw = getpwuid(user.Uid);
    struct stat st;
    char home[4096], nofile[32];
    snprintf(home, sizeof home, "%s", pw && stat(pw->pw_dir, &st) == 0 && S_ISDIR(st.st_mode) ? pw->pw_dir : "/");
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    snprintf(nofile, sizeof nofile, "%llu", (unsigned long long)limit.rlim_cur);
    char secret[] = "/tmp/hostsec-spawn-secret-XXXXXX";
    int file = mkstemp(secret); /* 0600, the caller's */
    CHECK(file >= 0 && write(file, "secret\n", 7) == 7 && lseek(file, 0, SEEK_SET) == 0);
    int p[2];
    CHECK(pipe(p) == 0);
    int saved[3] = {dup(0), dup(1), dup(2)};
    fflush(stdout);
    dup2(file, 0), dup2(p[1], 1), close(2);
    mode_t mask = umask(0);
    char *const argv[] = {"probe", "--probe", "state", home, nofile, NULL};
    int r = run_probe(token, argv);
    umask(mask);
    for (int i = 0; i < 3; i++) dup2(saved[i], i), close(saved[i]);
    close(p[1]);
    char got[8] = {0};
    CHECK(read(p[0], got, sizeof got - 1) == 2 && strcmp(got, "ok") == 0);
    if (r != 0) fprintf(stderr, "  probe: %d (1 umask, 2 fd 0, 3 fd 2, 4 fd 1, 5 cwd %s, 6 rlimit)\n", r, home);
    CHECK(r == 0);
    close(p[0]);
    close(file);
    unlink(secret);
    HostSec_CloseHandle(token);
}

/* A sid string made into a SID for CreateRestrictedToken. */
static PSID sid_of(const char *text) {
    PSID sid = NULL;
    CHECK(HostSecW32_ConvertStringSidToSidA(text, &sid));
    return sid;
}

/* A3-04: restricting and deny-only SIDs have no kernel form; both spawn functions refuse
 * such a token with ERROR_NOT_SUPPORTED and start nothing (a deny-only supplementary group:
 * restricted_token_with_deny_only_group_never_reads_a_file_that_group_is_denied). */
static void spawn_as_user_refuses_a_restricted_token(void) {
    HANDLE process = NULL;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process), S_OK);
    char user[48], group[48];
    snprintf(user, sizeof user, "S-1-22-1-%u", (unsigned)getuid());
    snprintf(group, sizeof group, "S-1-22-2-%u", (unsigned)getgid());
    SID_AND_ATTRIBUTES the_user = {sid_of(user), 0}, the_group = {sid_of(group), 0},
                       nobody = {sid_of("S-1-22-1-65534"), 0};
    SID_AND_ATTRIBUTES all[3] = {the_user, the_group, {sid_of("BA"), 0}};
    HANDLE restricted[4] = {NULL, NULL, NULL, NULL};
    CHECK(HostSecW32_CreateRestrictedToken(process, 0, 0, NULL, 0, NULL, 1, &nobody, &restricted[0]));
    CHECK(HostSecW32_CreateRestrictedToken(process, 0, 1, &the_user, 0, NULL, 0, NULL, &restricted[1]));
    CHECK(HostSecW32_CreateRestrictedToken(process, 0, 1, &the_group, 0, NULL, 0, NULL, &restricted[2]));
    CHECK(
        HostSecW32_CreateRestrictedToken(process, DISABLE_MAX_PRIVILEGE, 3, all, 0, NULL, 1, &nobody, &restricted[3]));
    char *const argv[] = {"true", NULL};
    for (int i = 0; i < 4; i++) {
        pid_t pid = 12345;
        CHECK_HR(HostSec_SpawnAsUser(restricted[i], "/bin/true", argv, NULL, &pid),
                 HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
        CHECK(pid == 12345);
        char line[] = "/bin/true";
        STARTUPINFOA si;
        PROCESS_INFORMATION pi;
        memset(&si, 0, sizeof si);
        si.cb = sizeof si;
        HostSecW32_SetLastError(0);
        CHECK(!HostSecW32_CreateProcessAsUserA(restricted[i], NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi) &&
              HostSecW32_GetLastError() == ERROR_NOT_SUPPORTED);
        HostSec_CloseHandle(restricted[i]);
    }
    int status;
    CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD); /* no child left behind */
    HostSecW32_LocalFree(the_user.Sid), HostSecW32_LocalFree(the_group.Sid), HostSecW32_LocalFree(nobody.Sid);
    HostSecW32_LocalFree(all[2].Sid);
    HostSec_CloseHandle(process);
}

/* The NoNewPrivs line of a child started from `token` (-1: it did not start). */
static int no_new_privs_of_child(HANDLE token) {
    pid_t pid = 0;
    HRESULT hr = HostSec_SpawnAsUser(token, "/bin/sleep", sleep_argv, NULL, &pid);
    CHECK_HR(hr, S_OK);
    if (hr != S_OK) return -1;
    char file[64], v[32];
    snprintf(file, sizeof file, "/proc/%d/status", (int)pid);
    status_line(file, "NoNewPrivs:", v, sizeof v);
    stop(pid);
    return atoi(v);
}

/* A3-04: a token whose privileges were deleted starts a child with no_new_privs, so no
 * set-user-ID or file-capability program gives it back what was deleted. A token with all
 * it had starts one without (when the bounding set could be cut: CAP_SETPCAP). */
static void spawn_as_user_child_of_a_privilege_deleted_token_has_no_new_privs(void) {
    HANDLE process = NULL, deleted = NULL;
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process), S_OK);
    CHECK(HostSecW32_CreateRestrictedToken(process, DISABLE_MAX_PRIVILEGE, 0, NULL, 0, NULL, 0, NULL, &deleted));
    CHECK(no_new_privs_of_child(deleted) == 1);
    char eff[32];
    status_line("/proc/thread-self/status", "CapEff:", eff, sizeof eff);
    if (strtoull(eff, NULL, 16) & (1ull << 8)) CHECK(no_new_privs_of_child(process) == 0);
    /* A privilege removed with AdjustTokenPrivileges (CAP_SYS_BOOT, when the token holds it). */
    HANDLE copy = NULL;
    CHECK_HR(HostSec_DuplicateTokenEx(process, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenPrimary, &copy), S_OK);
    TOKEN_PRIVILEGES remove = {1, {{{0, 0}, SE_PRIVILEGE_REMOVED}}};
    CHECK(HostSecW32_LookupPrivilegeValueA(NULL, "SeShutdownPrivilege", &remove.Privileges[0].Luid));
    char prm[32];
    status_line("/proc/self/status", "CapPrm:", prm, sizeof prm);
    if (strtoull(prm, NULL, 16) & (1ull << 22)) {
        CHECK(HostSecW32_AdjustTokenPrivileges(copy, FALSE, &remove, 0, NULL, NULL));
        CHECK(no_new_privs_of_child(copy) == 1);
    }
    HostSec_CloseHandle(copy);
    HostSec_CloseHandle(deleted);
    HostSec_CloseHandle(process);
}

/* A3-13: a uid-0 child holds exactly the token's permitted set, also when the caller lacks
 * CAP_SETPCAP and cannot cut the bounding set (a service holding only CAP_SETUID and
 * CAP_SETGID: test-processes-and-clients-unprivileged.sh runs this test so). */
static void spawn_as_user_uid_0_child_holds_the_tokens_permitted_set(void) {
    uint64_t e, perm, inh, need = (1ULL << CAP_SETUID) | (1ULL << CAP_SETGID);
    if (util_capget(&e, &perm, &inh) != 0 || (perm & need) != need) {
        printf("skip %s: needs CAP_SETUID and CAP_SETGID\n", __func__);
        return;
    }
    HANDLE root = NULL;
    CHECK_HR(HostSec_LogonUser("root", &root), S_OK);
    unsigned char buffer[HOSTSEC_TOKEN_PRIVILEGES_SIZE(64)];
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(root, TokenPrivileges, buffer, sizeof buffer, &len), S_OK);
    HOSTSEC_TOKEN_PRIVILEGES *privileges = (HOSTSEC_TOKEN_PRIVILEGES *)buffer;
    unsigned long long permitted = 0;
    for (DWORD i = 0; i < privileges->PrivilegeCount; i++) permitted |= 1ull << privileges->Privileges[i].Capability;
    pid_t pid = 0;
    CHECK_HR(HostSec_SpawnAsUser(root, "/bin/sleep", sleep_argv, NULL, &pid), S_OK);
    char file[64], uid[128], prm[64], eff[64];
    snprintf(file, sizeof file, "/proc/%d/status", (int)pid);
    for (int i = 0; i < 500; i++) { /* until the exec happened */
        usleep(2000);
        char name[64];
        status_line(file, "Name:", name, sizeof name);
        if (strcmp(name, "sleep") == 0) break;
    }
    status_line(file, "Uid:", uid, sizeof uid);
    status_line(file, "CapPrm:", prm, sizeof prm);
    status_line(file, "CapEff:", eff, sizeof eff);
    CHECK(strcmp(uid, "0\t0\t0\t0") == 0);
    if (strtoull(prm, NULL, 16) != permitted || strtoull(eff, NULL, 16) != permitted)
        fprintf(stderr, "  child CapPrm %s CapEff %s, token %llx\n", prm, eff, permitted);
    CHECK(strtoull(prm, NULL, 16) == permitted && strtoull(eff, NULL, 16) == permitted);
    stop(pid);
    HostSec_CloseHandle(root);
}

/* ---- What a child never gets: the host's memory, a group's denied files, half a root. */

/* The scratch account of the deny-only test and its group (removed at exit). */
static char scratch_user[32], scratch_group[32], scratch_dir[64], scratch_file[96], suid_path[112];

static void remove_scratch(void) {
    char command[256];
    if (scratch_file[0]) unlink(scratch_file);
    if (suid_path[0]) unlink(suid_path);
    if (scratch_dir[0]) rmdir(scratch_dir);
    if (scratch_user[0]) {
        snprintf(command, sizeof command, "userdel -f %s 2>/dev/null", scratch_user);
        (void)!system(command);
        scratch_user[0] = 0;
    }
    if (scratch_group[0]) {
        snprintf(command, sizeof command, "groupdel %s 2>/dev/null", scratch_group);
        (void)!system(command);
        scratch_group[0] = 0;
    }
}

struct held_spawn {
    HANDLE token;
    int ready[2]; /* the listener's number goes through it once the filter is in place */
    HRESULT hr;
    pid_t pid;
};

/* Spawns /bin/true from a thread whose seccomp filter hands the child's execveat to a
 * listener: the child then waits in execveat, after its last credential change, until the
 * test lets it go (fork copies the forking thread's filter). */
static void *spawn_with_exec_held(void *arg) {
    struct held_spawn *job = arg;
    struct sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_execveat, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog program = {sizeof filter / sizeof filter[0], filter};
    /* Without CAP_SYS_ADMIN a filter needs no_new_privs (this thread's only). */
    uint64_t e, p, i;
    if (util_capget(&e, &p, &i) == 0 && !(e & (1ull << CAP_SYS_ADMIN))) (void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    int listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
    (void)!write(job->ready[1], &listener, sizeof listener);
    if (listener < 0) return NULL;
    char *const argv[] = {"true", NULL};
    job->hr = HostSec_SpawnAsUser(job->token, "/bin/true", argv, NULL, &job->pid);
    return NULL;
}

/* Whether a process of this uid without any capability opens /proc/<pid>/mem. */
static int capability_free_process_opens_memory_of(pid_t pid) {
    pid_t reader = fork();
    if (reader == 0) {
        struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct none[2];
        memset(none, 0, sizeof none);
        if (syscall(SYS_capset, &header, none) != 0) _exit(2);
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
        _exit(open(path, O_RDONLY) >= 0 ? 1 : errno == EACCES || errno == EPERM ? 0 : 3);
    }
    int status = 0;
    if (waitpid(reader, &status, 0) != reader || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status) == 0 ? 0 : WEXITSTATUS(status) == 1 ? 1 : -1;
}

/* ADV2-04: between its last credential change and execve the child's memory is a copy of the
 * host's. When the token's uid and gid are the process's own (its privileges deleted), no
 * credential change makes the kernel mark it undumpable, so another process of that uid with
 * no capability could read the host's secrets there. The child is held in execveat (a seccomp
 * listener of the test) and probed at that very moment. */
static void spawn_as_user_child_is_not_dumpable_before_exec(void) {
    HANDLE process = NULL;
    struct held_spawn job = {NULL, {-1, -1}, E_FAIL, 0};
    /* A host that never changed credentials is dumpable; one whose threads impersonated is
     * not (the kernel clears the flag for the whole process and fork copies it): this test
     * puts back the first kind, as the other tests here impersonate. */
    int dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
    CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
    CHECK_HR(HostSec_OpenProcessToken(TOKEN_ALL_ACCESS, &process), S_OK);
    CHECK(HostSecW32_CreateRestrictedToken(process, DISABLE_MAX_PRIVILEGE, 0, NULL, 0, NULL, 0, NULL, &job.token));
    CHECK(pipe(job.ready) == 0);
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, spawn_with_exec_held, &job) == 0);
    int listener = -1;
    CHECK(read(job.ready[0], &listener, sizeof listener) == sizeof listener && listener >= 0);
    struct pollfd wait_for = {listener, POLLIN, 0};
    struct seccomp_notif request;
    memset(&request, 0, sizeof request);
    int held =
        listener >= 0 && poll(&wait_for, 1, 20000) == 1 && ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &request) == 0;
    CHECK(held);
    if (held) {
        int readable = capability_free_process_opens_memory_of((pid_t)request.pid);
        if (readable != 0) fprintf(stderr, "  /proc/%u/mem opened before execve: %d\n", request.pid, readable);
        CHECK(readable == 0);
        struct seccomp_notif_resp go = {request.id, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE};
        CHECK(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &go) == 0);
    }
    if (listener >= 0) close(listener); /* a child still held gets ENOSYS and fails */
    pthread_join(thread, NULL);
    CHECK_HR(job.hr, S_OK);
    int status = 0;
    if (job.hr == S_OK) CHECK(waitpid(job.pid, &status, 0) == job.pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(job.ready[0]);
    close(job.ready[1]);
    HostSec_CloseHandle(job.token);
    HostSec_CloseHandle(process);
    (void)prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
}

/* The exit status of `cat path` started from `token` by HostSec_SpawnAsUser; -1 when it did
 * not start (its HRESULT in *hr). */
static int cat_as(HANDLE token, const char *path, HRESULT *hr) {
    char *const argv[] = {"cat", (char *)path, NULL};
    pid_t pid = 0;
    int saved[2] = {dup(1), dup(2)}, null = open("/dev/null", O_WRONLY), status = 0;
    fflush(stdout);
    dup2(null, 1), dup2(null, 2);
    *hr = HostSec_SpawnAsUser(token, "/bin/cat", argv, NULL, &pid);
    dup2(saved[0], 1), dup2(saved[1], 2), close(saved[0]), close(saved[1]), close(null);
    if (*hr != S_OK) return -1;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -2;
    return WEXITSTATUS(status);
}

/* ADV2-05: a file that denies a group (mode 0604, group g) is read by everyone but g's
 * members. A token of a member of g whose group g is deny-only (CreateRestrictedToken) must
 * read it no more than the unrestricted token: neither a child nor a thread impersonating it
 * may hold a kernel identity without g. */
static void restricted_token_with_deny_only_group_never_reads_a_file_that_group_is_denied(void) {
    SKIP_UNLESS_ROOT();
    char command[256];
    snprintf(scratch_group, sizeof scratch_group, "hsdo%dg", (int)getpid() % 100000);
    snprintf(scratch_user, sizeof scratch_user, "hsdo%d", (int)getpid() % 100000);
    atexit(remove_scratch);
    snprintf(command, sizeof command, "groupadd %s && useradd -M -N -g nogroup -G %s -s /bin/sh %s", scratch_group,
             scratch_group, scratch_user);
    if (system(command) != 0) {
        CHECK(!"groupadd/useradd");
        remove_scratch();
        return;
    }
    struct group *g = getgrnam(scratch_group);
    CHECK(g != NULL);
    gid_t denied = g ? g->gr_gid : 0;
    snprintf(scratch_dir, sizeof scratch_dir, "/tmp/hostsec-denyonly-XXXXXX");
    CHECK(mkdtemp(scratch_dir) != NULL && chmod(scratch_dir, 0755) == 0);
    snprintf(scratch_file, sizeof scratch_file, "%s/for-all-but-the-group", scratch_dir);
    int fd = open(scratch_file, O_WRONLY | O_CREAT | O_EXCL, 0600);
    CHECK(fd >= 0 && write(fd, "x\n", 2) == 2);
    close(fd);
    CHECK(chown(scratch_file, 0, denied) == 0 && chmod(scratch_file, 0604) == 0);

    HANDLE member = NULL, restricted = NULL, impersonation = NULL;
    CHECK_HR(HostSec_LogonUser(scratch_user, &member), S_OK);
    char sid[48];
    snprintf(sid, sizeof sid, "S-1-22-2-%u", (unsigned)denied);
    SID_AND_ATTRIBUTES the_group = {sid_of(sid), 0};
    CHECK(HostSecW32_CreateRestrictedToken(member, 0, 1, &the_group, 0, NULL, 0, NULL, &restricted));
    HRESULT hr;
    CHECK(cat_as(member, scratch_file, &hr) == 1); /* the member is denied */
    int read_by_child = cat_as(restricted, scratch_file, &hr);
    if (read_by_child == 0) fprintf(stderr, "  the deny-only token's child read the file\n");
    CHECK(read_by_child != 0);
    CHECK_HR(hr, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    char line[160];
    snprintf(line, sizeof line, "/bin/cat %s", scratch_file);
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = si.hStdError = INVALID_HANDLE_VALUE;
    HostSecW32_SetLastError(0);
    BOOL started = HostSecW32_CreateProcessAsUserA(restricted, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi);
    CHECK(!started && HostSecW32_GetLastError() == ERROR_NOT_SUPPORTED);
    if (started) {
        HostSecW32_WaitForSingleObject(pi.hProcess, INFINITE);
        HostSecW32_CloseHandle(pi.hProcess), HostSecW32_CloseHandle(pi.hThread);
    }

    /* A thread impersonating it at SecurityImpersonation: refused, the thread unchanged. */
    char before[2048], after[2048];
    thread_credentials(before, sizeof before);
    CHECK_HR(mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, member), S_OK);
    CHECK(open(scratch_file, O_RDONLY) < 0 && errno == EACCES);
    CHECK_HR(util_revert(mgr), S_OK);
    HRESULT impersonated = mgr->lpVtbl->ImpersonateLoggedOnUser(mgr, restricted);
    if (impersonated == S_OK && (fd = open(scratch_file, O_RDONLY)) >= 0) {
        fprintf(stderr, "  a thread impersonating the deny-only token read the file\n");
        CHECK(!"read while impersonating");
        close(fd);
    }
    CHECK_HR(impersonated, HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    CHECK_HR(util_revert(mgr), S_OK);
    thread_credentials(after, sizeof after);
    CHECK(strcmp(before, after) == 0);
    CHECK_HR(HostSec_DuplicateTokenEx(restricted, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenImpersonation,
                                      &impersonation),
             S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, impersonation), HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED));
    thread_credentials(after, sizeof after);
    CHECK(strcmp(before, after) == 0);
    CHECK_HR(util_revert(mgr), S_OK);
    HostSecW32_SetLastError(0);
    CHECK(!HostSecW32_ImpersonateLoggedOnUser(restricted) && HostSecW32_GetLastError() == ERROR_NOT_SUPPORTED);
    thread_credentials(after, sizeof after);
    CHECK_HR(util_revert(mgr), S_OK);
    CHECK(strcmp(before, after) == 0);
    HostSec_CloseHandle(impersonation);
    /* At SecurityIdentification the kernel does not change: the identity is the token's to
     * query, the thread keeps its own credentials. */
    CHECK_HR(HostSec_DuplicateTokenEx(restricted, TOKEN_ALL_ACCESS, SecurityIdentification, TokenImpersonation,
                                      &impersonation),
             S_OK);
    CHECK_HR(mgr->lpVtbl->SetThreadToken(mgr, impersonation), S_OK);
    thread_credentials(after, sizeof after);
    CHECK(strcmp(before, after) == 0);
    CHECK_HR(util_revert(mgr), S_OK);
    HostSec_CloseHandle(impersonation);
    HostSecW32_LocalFree(the_group.Sid);
    HostSec_CloseHandle(restricted);
    HostSec_CloseHandle(member);
    int status;
    CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD);
    remove_scratch();
}

/* ADV2-06: a set-user-ID root program run by a child of an ordinary token. With a bounding
 * set cut to nothing it would get euid 0 without capabilities: setuid(getuid()) then changes
 * only the effective uid, and setuid(0) takes root back (CVE-2000-0506). It must either not
 * elevate or, if it does, drop for good. */
static void setuid_root_program_in_a_spawned_child_either_does_not_elevate_or_drops_fully(void) {
    SKIP_UNLESS_ROOT();
    const char *probe = probe_program();
    snprintf(suid_path, sizeof suid_path, "%s-setuid", probe);
    atexit(remove_scratch);
    copy_file(probe, suid_path, 0700);
    CHECK(chown(suid_path, 0, 0) == 0 && chmod(suid_path, 04755) == 0);
    HANDLE nobody = NULL;
    CHECK_HR(HostSec_LogonUser("nobody", &nobody), S_OK);
    char *const argv[] = {"probe", "--probe", "setuid", NULL};
    pid_t pid = 0;
    int status = 0;
    CHECK_HR(HostSec_SpawnAsUser(nobody, suid_path, argv, NULL, &pid), S_OK);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    if (WEXITSTATUS(status) != 0)
        fprintf(stderr, "  probe: %d (1: root regained after the drop)\n", WEXITSTATUS(status));
    CHECK(WEXITSTATUS(status) == 0);
    unlink(suid_path);
    suid_path[0] = 0;
    HostSec_CloseHandle(nobody);
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "--probe") == 0) return probe(argc, argv);
    if (argc == 2 && strcmp(argv[1], "--tty-host") == 0) return tty_host();
    /* "--only NAME" runs one test (the service run of test-processes-and-clients-unprivileged.sh) */
    const char *only = argc == 3 && strcmp(argv[1], "--only") == 0 ? argv[2] : NULL;
#define RUN(fn) \
    if (!only || strcmp(only, #fn) == 0) RUN_TEST(fn)
    mgr = hosting_manager();
    if (!util_can_impersonate_others()) printf("# unprivileged: no CAP_SETUID/CAP_SETGID\n");
    RUN(spawn_as_user_child_status_equals_the_token);
    RUN(spawn_as_user_takes_nothing_from_the_callers_impersonation);
    RUN(spawn_as_user_checks_its_arguments);
    RUN(spawn_as_another_user_without_setuid_is_access_denied);
    RUN(spawn_as_user_from_a_thread_with_a_small_stack);
    RUN(spawn_as_user_child_has_a_session_keyring_of_its_own);
    RUN(spawn_as_user_child_has_no_controlling_terminal);
    RUN(spawn_as_user_child_umask_and_descriptors_are_documented_values);
    RUN(spawn_as_user_refuses_a_restricted_token);
    RUN(spawn_as_user_child_of_a_privilege_deleted_token_has_no_new_privs);
    RUN(spawn_as_user_uid_0_child_holds_the_tokens_permitted_set);
    RUN(spawn_as_user_child_is_not_dumpable_before_exec);
    RUN(restricted_token_with_deny_only_group_never_reads_a_file_that_group_is_denied);
    RUN(setuid_root_program_in_a_spawned_child_either_does_not_elevate_or_drops_fully);
    RUN(plain_fork_from_an_impersonating_thread_keeps_a_way_back);
    RUN(socket_client_token_is_the_peer);
    RUN(socket_client_served_as_itself);
    RUN(socket_client_errors_are_documented);
    mgr->lpVtbl->Release(mgr);
    CHECK_EXIT();
}
