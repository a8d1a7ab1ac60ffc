/* HostSec_LogonUserWithPassword through the PAM service "hostsec" (pam.d/hostsec: pam_nologin,
 * pam_faillock, pam_unix), with real accounts this program makes (useradd, chpasswd -c
 * YESCRYPT). Needs root (to make accounts, and for pam_unix to read /etc/shadow); without root
 * only the argument checks run (Tests/sh/test-logon-unprivileged.sh covers the non-root logon).
 *
 * As root the program first enters a mount namespace of its own, with a tmpfs over /tmp and a
 * copy of /etc bound over /etc (the checkout's pam.d/hostsec installed in it, pam_faillock's
 * tallies kept in that tmpfs): accounts, root's password, /etc/nologin, the services some tests
 * write into /etc/pam.d and every lockout exist only there and vanish with the process, however
 * it ends. HOSTSEC_PAM_SERVICE is set by some tests to such services. */
#include "check.h"
#include "hosting.h"
#include "token_util.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>

#define LOGON_FAILURE    HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE)
#define ACCOUNT_EXPIRED  HRESULT_FROM_WIN32(ERROR_ACCOUNT_EXPIRED)
#define PASSWORD_EXPIRED HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED)
#define ACCOUNT_DISABLED HRESULT_FROM_WIN32(ERROR_ACCOUNT_DISABLED)
#define NO_LOGON_SERVERS HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS)
#define NOT_GRANTED      HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED)
#define THREADS          8
#define TALLIES          "/tmp/faillock" /* pam_faillock's directory, in the private tmpfs */

static char prefix[16];
static char names[THREADS + 8][32];
static int made;
static char password[33]; /* random, made in main */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
    char command[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(command, sizeof command, fmt, ap);
    va_end(ap);
    return system(command);
}

/* Sets an account's password through chpasswd's stdin (no shell quoting of the secret). */
static int set_password(const char *name, const char *secret) {
    FILE *p = popen("chpasswd -c YESCRYPT 2>/dev/null", "w");
    if (p == NULL) return -1;
    fprintf(p, "%s:%s\n", name, secret);
    return pclose(p);
}

/* 32 hex digits from /dev/urandom. */
static void random_secret(char out[33]) {
    unsigned char bytes[16];
    FILE *f = fopen("/dev/urandom", "r");
    if (f == NULL || fread(bytes, 1, sizeof bytes, f) != sizeof bytes) abort();
    fclose(f);
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", bytes[i]);
}

/* A fresh account "<prefix><n>" with `password` and `shell` ("" for none), in the group
 * "<prefix>g"; `options` go to useradd as they are (--system, say). */
static const char *account_with(int n, const char *shell, const char *options) {
    snprintf(names[n], sizeof names[n], "%s%d", prefix, n);
    if (sh("useradd -M -N -g %sg -G %sg2 %s -s '%s' %s", prefix, prefix, options, shell, names[n]) != 0 ||
        set_password(names[n], password) != 0) {
        fprintf(stderr, "  cannot make account %s\n", names[n]);
        abort();
    }
    if (n + 1 > made) made = n + 1;
    return names[n];
}

static const char *account(int n) { return account_with(n, "/bin/sh", ""); }

/* Forgets pam_faillock's failures of an account (tests that fail on purpose call it after). */
static void reset_failures(const char *name) { sh("faillock --dir " TALLIES " --user %s --reset", name); }

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static HRESULT logon(const char *name, const char *secret, HANDLE *h) {
    *h = (HANDLE)1;
    return HostSec_LogonUserWithPassword(name, secret, h);
}

/* ---- arguments ---------------------------------------------------------------------- */

static void null_arguments_are_e_pointer_and_clear_the_out_pointer(void) {
    HANDLE h = (HANDLE)1;
    CHECK_HR(HostSec_LogonUserWithPassword(NULL, "x", &h), E_POINTER);
    CHECK(h == NULL);
    h = (HANDLE)1;
    CHECK_HR(HostSec_LogonUserWithPassword("root", NULL, &h), E_POINTER);
    CHECK(h == NULL);
    CHECK_HR(HostSec_LogonUserWithPassword("root", "x", NULL), E_POINTER);
    CHECK(check_stats().LiveHandles == 0);
}

static void empty_user_name_is_e_invalidarg(void) {
    HANDLE h;
    CHECK_HR(logon("", "x", &h), E_INVALIDARG);
    CHECK(h == NULL);
}

static void unknown_service_is_no_logon_servers_at_once(void) {
    HANDLE h;
    const char *bad[] = {"hostsec-no-such-service",
                         "../pam.d/hostsec",
                         ".hidden",
                         "",
                         "a/b",
                         "0123456789012345678901234567890123456789012345678901234567890123456789"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("HOSTSEC_PAM_SERVICE", bad[i], 1);
        double t = seconds();
        CHECK_HR(logon("root", "x", &h), NO_LOGON_SERVERS);
        CHECK(h == NULL);
        CHECK(seconds() - t < 0.5);
    }
    unsetenv("HOSTSEC_PAM_SERVICE");
}

/* ---- pam_unix through the service "hostsec" ----------------------------------------- */

static void right_password_gives_the_accounts_primary_token(void) {
    const char *name = account(0);
    struct passwd *pw = getpwnam(name);
    struct group *g2 = NULL;
    char g2name[32];
    snprintf(g2name, sizeof g2name, "%sg2", prefix);
    g2 = getgrnam(g2name);
    HANDLE h;
    CHECK_HR(logon(name, password, &h), S_OK);
    if (h == NULL || pw == NULL || g2 == NULL) {
        CHECK(0);
        return;
    }
    HOSTSEC_TOKEN_USER user;
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK(user.Uid == pw->pw_uid);
    HOSTSEC_TOKEN_PRIMARY_GROUP primary;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenPrimaryGroup, &primary, sizeof primary, &len), S_OK);
    CHECK(primary.Gid == pw->pw_gid);
    char buffer[HOSTSEC_TOKEN_GROUPS_SIZE(64)];
    HOSTSEC_TOKEN_GROUPS *groups = (HOSTSEC_TOKEN_GROUPS *)buffer;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenGroups, groups, sizeof buffer, &len), S_OK);
    int has = 0;
    for (DWORD i = 0; i < groups->GroupCount; i++) has |= groups->Gids[i] == g2->gr_gid;
    CHECK(has);
    TOKEN_TYPE type;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenType, &type, sizeof type, &len), S_OK);
    CHECK(type == TokenPrimary);
    HOSTSEC_TOKEN_SOURCE source;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenSource, &source, sizeof source, &len), S_OK);
    CHECK(strcmp(source.SourceName, "Logon") == 0);
    HANDLE copy = NULL; /* all access: TOKEN_DUPLICATE and TOKEN_ASSIGN_PRIMARY included */
    CHECK_HR(HostSec_DuplicateTokenEx(h, TOKEN_ALL_ACCESS, SecurityImpersonation, TokenPrimary, &copy), S_OK);
    HostSec_CloseHandle(copy);
    CHECK_HR(HostSec_CloseHandle(h), S_OK);
}

static double wrong_seconds, unknown_seconds;

static void wrong_password_is_logon_failure(void) {
    HANDLE h;
    double t = seconds();
    CHECK_HR(logon(names[0], "not the password", &h), LOGON_FAILURE);
    wrong_seconds = seconds() - t;
    CHECK(h == NULL);
    CHECK_HR(logon(names[0], "", &h), LOGON_FAILURE); /* never an empty password */
    CHECK(h == NULL);
    reset_failures(names[0]);
}

static void unknown_account_is_logon_failure(void) {
    HANDLE h;
    char unknown[40];
    snprintf(unknown, sizeof unknown, "%snobody", prefix);
    double t = seconds();
    CHECK_HR(logon(unknown, password, &h), LOGON_FAILURE);
    unknown_seconds = seconds() - t;
    CHECK(h == NULL);
}

/* pam_unix asks for 2 s, which libpam varies by up to half either way; the library waits
 * from the call's start, so both failures fall in the same 1-3 s window (the figures over
 * many runs are in benchmarks/README.md, measured by scripts/bench-logon). */
static void wrong_password_and_unknown_account_take_the_delay(void) {
    printf("# wrong password %.3f s, unknown account %.3f s\n", wrong_seconds, unknown_seconds);
    CHECK(wrong_seconds >= 0.99 && wrong_seconds <= 3.2);
    CHECK(unknown_seconds >= 0.99 && unknown_seconds <= 3.2);
}

static void locked_account_never_gets_a_token(void) {
    const char *name = account(1);
    CHECK(sh("usermod -L %s", name) == 0);
    HANDLE h;
    CHECK_HR(logon(name, password, &h), LOGON_FAILURE);
    CHECK(h == NULL);
    CHECK(sh("usermod -U %s", name) == 0);
    CHECK_HR(logon(name, password, &h), S_OK); /* the same password once unlocked */
    HostSec_CloseHandle(h);
}

static void expired_account_is_account_expired(void) {
    const char *name = account(2);
    CHECK(sh("chage -E 0 %s", name) == 0);
    HANDLE h;
    CHECK_HR(logon(name, password, &h), ACCOUNT_EXPIRED);
    CHECK(h == NULL);
    CHECK_HR(logon(name, "not it", &h), LOGON_FAILURE); /* only the password holder learns it */
    CHECK(h == NULL);
}

static void expired_password_is_password_expired(void) {
    const char *name = account(3);
    CHECK(sh("chage -d 0 %s", name) == 0);
    HANDLE h;
    CHECK_HR(logon(name, password, &h), PASSWORD_EXPIRED);
    CHECK(h == NULL);
}

static void utf8_password_is_compared_byte_for_byte(void) {
    const char *name = names[0];
    const char *nfc = "p\xc3\xa4ssw\xc3\xb6rd \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91";  /* pässwörd 日本 🔑 */
    const char *nfd = "pa\xcc\x88ssw\xc3\xb6rd \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x94\x91"; /* the same, ä decomposed */
    CHECK(set_password(name, nfc) == 0);
    HANDLE h;
    CHECK_HR(logon(name, nfc, &h), S_OK);
    HostSec_CloseHandle(h);
    CHECK_HR(logon(name, nfd, &h), LOGON_FAILURE); /* no normalization: other bytes */
    CHECK(set_password(name, password) == 0);
    reset_failures(name);
}

/* libxcrypt hashes passphrases of at most 511 bytes (CRYPT_MAX_PASSPHRASE_SIZE 512 with its
 * NUL): no account can have a 4 KiB password (chpasswd refuses to set one), and a 4 KiB
 * password whose first 511 bytes are the account's is not taken for it (nothing truncates). */
static void password_of_4_kib_is_logon_failure(void) {
    const char *name = names[0];
    char big[4097], longest[512];
    for (int i = 0; i < 4096; i++) big[i] = (char)('a' + i % 26);
    big[4096] = 0;
    memcpy(longest, big, 511);
    longest[511] = 0;
    HANDLE h;
    CHECK(set_password(name, big) != 0);
    CHECK(set_password(name, longest) == 0);
    CHECK_HR(logon(name, longest, &h), S_OK); /* 511 bytes: the longest password there is */
    HostSec_CloseHandle(h);
    CHECK_HR(logon(name, big, &h), LOGON_FAILURE);
    CHECK(h == NULL);
    CHECK(set_password(name, password) == 0);
    reset_failures(name);
}

static void write_service(const char *service, const char *text);

/* ---- who may log on with a password (A3-07, A3-14) ---------------------------------- */

/* pam_nologin in the account step, as login has it: while /etc/nologin exists (this
 * namespace's), the right password of an ordinary account gets no token. */
static void password_logon_is_refused_while_etc_nologin_exists(void) {
    HANDLE h;
    CHECK(sh("echo 'down for maintenance' >/etc/nologin") == 0);
    CHECK_HR(logon(names[0], password, &h), LOGON_FAILURE);
    CHECK(h == NULL);
    CHECK(unlink("/etc/nologin") == 0);
    CHECK_HR(logon(names[0], password, &h), S_OK);
    HostSec_CloseHandle(h);
}

/* Root's right password (this namespace's root) is refused before PAM runs, unless the host
 * sets HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON; a wrong one is refused the same way. */
static void root_password_logon_is_refused_without_the_policy(void) {
    char secret[33];
    random_secret(secret);
    CHECK(set_password("root", secret) == 0);
    HANDLE h;
    CHECK_HR(logon("root", secret, &h), NOT_GRANTED);
    CHECK(h == NULL);
    CHECK_HR(logon("root", "not the password", &h), NOT_GRANTED);
    CHECK(h == NULL);
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON), S_OK);
    CHECK_HR(logon("root", secret, &h), S_OK);
    HOSTSEC_TOKEN_USER user = {0};
    DWORD len = 0;
    CHECK_HR(HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &len), S_OK);
    CHECK(user.Uid == 0);
    HostSec_CloseHandle(h);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
    CHECK(sh("passwd -l root >/dev/null") == 0);
}

/* An account below UID_MIN (useradd --system) is a service's: refused like root. */
static void a_system_account_password_logon_is_refused_without_the_policy(void) {
    const char *name = account_with(8, "/bin/sh", "--system");
    struct passwd *pw = getpwnam(name);
    CHECK(pw != NULL && pw->pw_uid < 1000);
    HANDLE h;
    CHECK_HR(logon(name, password, &h), NOT_GRANTED);
    CHECK(h == NULL);
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_ALLOW_ROOT_PASSWORD_LOGON), S_OK);
    CHECK_HR(logon(name, password, &h), S_OK);
    HostSec_CloseHandle(h);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
}

/* A shell not in /etc/shells (nologin, false) is an account nobody logs in to: refused unless
 * the host sets HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON. An empty shell means /bin/sh. */
static void a_nologin_shell_account_is_refused_unless_the_host_opts_in(void) {
    const char *nologin = account_with(9, "/usr/sbin/nologin", "");
    const char *falsy = account_with(10, "/bin/false", "");
    const char *empty = account_with(11, "", "");
    HANDLE h;
    CHECK_HR(logon(nologin, password, &h), NOT_GRANTED);
    CHECK(h == NULL);
    CHECK_HR(logon(falsy, password, &h), NOT_GRANTED);
    CHECK(h == NULL);
    CHECK_HR(logon(empty, password, &h), S_OK);
    HostSec_CloseHandle(h);
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON), S_OK);
    CHECK_HR(logon(nologin, password, &h), S_OK);
    HostSec_CloseHandle(h);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
}

/* The refusal comes from the user database before PAM: no password is checked and
 * pam_faillock records nothing, so many tries never lock the account, and no delay is due. */
static void a_refused_account_type_never_reaches_pam(void) {
    HANDLE h;
    DWORD delay = 12345;
    for (int i = 0; i < 5; i++) {
        double t = seconds();
        CHECK_HR(HostSec_LogonUserWithPasswordNoWait(names[9], "not the password", &h, &delay), NOT_GRANTED);
        CHECK(h == NULL && delay == 0 && seconds() - t < 0.5);
    }
    CHECK_HR(HostSec_SetPolicy(HOSTSEC_POLICY_ALLOW_NOLOGIN_SHELL_LOGON), S_OK);
    CHECK_HR(logon(names[9], password, &h), S_OK);
    HostSec_CloseHandle(h);
    CHECK_HR(HostSec_SetPolicy(0), S_OK);
}

/* pam_faillock (deny = 3 by default): three wrong passwords in a row and the right one is
 * refused too, with the same answer; `faillock --reset` lets it in again. */
static void repeated_failures_lock_the_account(void) {
    const char *name = account(12);
    HANDLE h;
    for (int i = 0; i < 3; i++) CHECK_HR(logon(name, "not the password", &h), LOGON_FAILURE);
    CHECK_HR(logon(name, password, &h), LOGON_FAILURE);
    CHECK(h == NULL);
    reset_failures(name);
    CHECK_HR(logon(name, password, &h), S_OK);
    HostSec_CloseHandle(h);
}

/* pam_faillock counts a failure at the end of a transaction (authfail) and checks the count at
 * its start (preauth). Transactions of one account must not overlap, or a burst of guesses
 * sent at once all pass preauth before any is counted: 7 wrong passwords sent together, then
 * the right one 30 ms later while they are still being checked, must find the account locked,
 * as the right password after 3 wrong ones does (ADV3-04). */
static pthread_barrier_t burst_start;
static void *guess_wrong(void *arg) {
    HANDLE h = NULL;
    DWORD delay = 0;
    pthread_barrier_wait(&burst_start);
    return (void *)(intptr_t)(HostSec_LogonUserWithPasswordNoWait(arg, "not the password", &h, &delay) ==
                              LOGON_FAILURE);
}
static void a_burst_of_guesses_cannot_outrun_the_lockout(void) {
    const char *name = account(13);
    pthread_t threads[7];
    pthread_barrier_init(&burst_start, NULL, 8);
    for (int i = 0; i < 7; i++) pthread_create(&threads[i], NULL, guess_wrong, (void *)name);
    pthread_barrier_wait(&burst_start);
    usleep(30000);
    HANDLE h = NULL;
    DWORD delay = 0;
    HRESULT right = HostSec_LogonUserWithPasswordNoWait(name, password, &h, &delay);
    for (int i = 0; i < 7; i++) {
        void *refused;
        pthread_join(threads[i], &refused);
        CHECK(refused != NULL);
    }
    pthread_barrier_destroy(&burst_start);
    if (right == S_OK) {
        fprintf(stderr, "  the right password after 7 wrong ones sent at once: S_OK; pam_faillock then holds:\n");
        sh("faillock --dir " TALLIES " --user %s | sed 's/^/    /' >&2", name);
        HostSec_CloseHandle(h);
    }
    CHECK_HR(right, LOGON_FAILURE);
    reset_failures(name);
}

/* su's stack starts with "auth sufficient pam_rootok.so": for a root caller it succeeds
 * without asking for any password. A transaction that never asked is refused. */
static void a_stack_that_never_asks_for_the_password_is_refused(void) {
    setenv("HOSTSEC_PAM_SERVICE", "su", 1);
    HANDLE h;
    CHECK_HR(logon(names[0], "not the password", &h), LOGON_FAILURE);
    CHECK(h == NULL);
    CHECK_HR(logon(names[0], password, &h), LOGON_FAILURE); /* not even with the right one */
    CHECK(h == NULL);
    char service[48];
    snprintf(service, sizeof service, "%s-permit", prefix); /* pam_permit never asks either */
    write_service(service, "auth required pam_permit.so\naccount required pam_permit.so\n");
    setenv("HOSTSEC_PAM_SERVICE", service, 1);
    CHECK_HR(logon(names[0], "not the password", &h), LOGON_FAILURE);
    CHECK(h == NULL);
    unsetenv("HOSTSEC_PAM_SERVICE");
}

/* Names that are almost an account's: a newline, a colon (the passwd field separator), a
 * non-UTF-8 byte, 4 KiB. None names an account; each is ERROR_LOGON_FAILURE after PAM, as an
 * unknown account is, never an error that tells them apart. */
static void odd_names_are_logon_failure(void) {
    char big[4097];
    memset(big, 'a', 4096);
    big[4096] = 0;
    char newline[48], colon[48], latin1[48];
    snprintf(newline, sizeof newline, "%s\n", names[0]);
    snprintf(colon, sizeof colon, "%s:x:0:0", names[0]);
    snprintf(latin1, sizeof latin1, "%s\xe9", names[0]);
    const char *odd[] = {newline, colon, latin1, big, "root\n", " root"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        HANDLE h = (HANDLE)1;
        DWORD delay = 0;
        CHECK_HR(HostSec_LogonUserWithPasswordNoWait(odd[i], password, &h, &delay), LOGON_FAILURE);
        CHECK(h == NULL && delay > 0);
    }
}

/* ---- the failure delay, reported instead of slept (A3-09) --------------------------- */

static void no_wait_null_arguments_are_e_pointer_and_clear_the_out_values(void) {
    HANDLE h = (HANDLE)1;
    DWORD delay = 7;
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait(NULL, "x", &h, &delay), E_POINTER);
    CHECK(h == NULL && delay == 0);
    h = (HANDLE)1, delay = 7;
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait("root", NULL, &h, &delay), E_POINTER);
    CHECK(h == NULL && delay == 0);
    delay = 7;
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait("root", "x", NULL, &delay), E_POINTER);
    CHECK(delay == 0);
    h = (HANDLE)1;
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait("root", "x", &h, NULL), E_POINTER);
    CHECK(h == NULL);
    h = (HANDLE)1, delay = 7;
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait("", "x", &h, &delay), E_INVALIDARG);
    CHECK(h == NULL && delay == 0);
}

/* A wrong password returns as soon as PAM is done, with the rest of pam_unix's 2 s (varied by
 * libpam) in *pdwFailureDelayMs: the time spent plus what remains is the whole delay. */
static void no_wait_logon_reports_the_remaining_delay_instead_of_sleeping(void) {
    HANDLE h;
    DWORD delay = 0;
    double t = seconds();
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait(names[0], "not the password", &h, &delay), LOGON_FAILURE);
    double spent = seconds() - t;
    printf("# no-wait failure: returned after %.3f s, %u ms of delay left\n", spent, (unsigned)delay);
    CHECK(h == NULL);
    CHECK(spent < 0.99 && delay > 0);
    CHECK(spent + delay / 1000.0 >= 0.99 && spent + delay / 1000.0 <= 3.2);
    delay = 7;
    CHECK_HR(HostSec_LogonUserWithPasswordNoWait(names[0], password, &h, &delay), S_OK);
    CHECK(delay == 0);
    HostSec_CloseHandle(h);
    reset_failures(names[0]);
}

/* ---- host-selected services --------------------------------------------------------- */

static void write_service(const char *service, const char *text) {
    char path[128];
    snprintf(path, sizeof path, "/etc/pam.d/%s", service);
    FILE *f = fopen(path, "w");
    if (f == NULL) abort();
    fputs(text, f);
    fclose(f);
}

/* The host's service asks for the password (pam_exec's expose_authtok) and takes any. */
static void host_selects_the_service_with_hostsec_pam_service(void) {
    char service[48];
    snprintf(service, sizeof service, "%s-any", prefix);
    write_service(service,
                  "auth required pam_exec.so expose_authtok quiet /bin/true\naccount required pam_permit.so\n");
    setenv("HOSTSEC_PAM_SERVICE", service, 1);
    HANDLE h;
    CHECK_HR(logon(names[0], "anything at all", &h), S_OK); /* any password: this service was used */
    HostSec_CloseHandle(h);
    char unknown[40];
    snprintf(unknown, sizeof unknown, "%snobody", prefix);
    CHECK_HR(logon(unknown, "x", &h), LOGON_FAILURE); /* PAM vouched, NSS knows no such account */
    CHECK(h == NULL);
    unsetenv("HOSTSEC_PAM_SERVICE");
    CHECK_HR(logon(names[0], "anything at all", &h), LOGON_FAILURE); /* back to "hostsec" */
    sh("rm -f /etc/pam.d/%s", service);
    reset_failures(names[0]);
}

static void account_step_denial_is_account_disabled(void) {
    char service[48], rules[80], text[256];
    snprintf(service, sizeof service, "%s-access", prefix);
    snprintf(rules, sizeof rules, "/tmp/%s-access.conf", prefix);
    FILE *f = fopen(rules, "w");
    if (f == NULL) abort();
    fprintf(f, "-:%s:ALL\n", names[0]);
    fclose(f);
    snprintf(text, sizeof text, "auth required pam_unix.so\naccount required pam_access.so accessfile=%s\n", rules);
    write_service(service, text);
    setenv("HOSTSEC_PAM_SERVICE", service, 1);
    HANDLE h;
    CHECK_HR(logon(names[0], password, &h), ACCOUNT_DISABLED);
    CHECK(h == NULL);
    unsetenv("HOSTSEC_PAM_SERVICE");
    sh("rm -f /etc/pam.d/%s %s", service, rules);
}

static void broken_service_is_no_logon_servers(void) {
    char service[48];
    snprintf(service, sizeof service, "%s-broken", prefix);
    write_service(service, "auth required pam_hostsec_no_such_module.so\naccount required pam_permit.so\n");
    setenv("HOSTSEC_PAM_SERVICE", service, 1);
    HANDLE h;
    CHECK_HR(logon(names[0], password, &h), NO_LOGON_SERVERS);
    CHECK(h == NULL);
    unsetenv("HOSTSEC_PAM_SERVICE");
    sh("rm -f /etc/pam.d/%s", service);
}

/* ---- threads ------------------------------------------------------------------------ */

static IHostSecurityManager *manager;
static char directory[64];

static void *log_on_and_create(void *arg) {
    int n = (int)(intptr_t)arg;
    const char *name = names[4 + n % 4];
    HANDLE h = NULL;
    intptr_t failed = 0;
    if (HostSec_LogonUserWithPassword(name, password, &h) != S_OK) return (void *)1;
    if (IHostSecurityManager_ImpersonateLoggedOnUser(manager, h) != S_OK) failed = 2;
    char path[128];
    snprintf(path, sizeof path, "%s/file-%d", directory, n);
    int fd = failed ? -1 : open(path, O_CREAT | O_WRONLY | O_EXCL, 0600);
    if (fd < 0 && !failed) failed = 3;
    if (fd >= 0) close(fd);
    if (IHostSecurityManager_RevertToSelf(manager) != S_OK) failed = 4;
    HostSec_CloseHandle(h);
    return (void *)failed;
}

static void eight_threads_log_on_at_once_and_create_files_as_the_account(void) {
    for (int i = 0; i < 4; i++) account(4 + i);
    manager = hosting_manager();
    snprintf(directory, sizeof directory, "/tmp/%s-files", prefix);
    mkdir(directory, 01777);
    chmod(directory, 01777);
    pthread_t threads[THREADS];
    double t = seconds();
    for (int i = 0; i < THREADS; i++) pthread_create(&threads[i], NULL, log_on_and_create, (void *)(intptr_t)i);
    for (int i = 0; i < THREADS; i++) {
        void *rc;
        pthread_join(threads[i], &rc);
        if (rc != NULL) fprintf(stderr, "  thread %d failed at step %ld\n", i, (long)(intptr_t)rc);
        CHECK(rc == NULL);
    }
    printf("# 8 logons at once: %.3f s\n", seconds() - t);
    for (int i = 0; i < THREADS; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/file-%d", directory, i);
        struct stat st;
        struct passwd *pw = getpwnam(names[4 + i % 4]);
        CHECK(stat(path, &st) == 0 && pw != NULL && st.st_uid == pw->pw_uid && st.st_gid == pw->pw_gid);
    }
    IHostSecurityManager_Release(manager);
    sh("rm -rf %s", directory);
}

/* The private namespace described at the top: a tmpfs over /tmp, /etc copied into it with the
 * checkout's pam.d/hostsec and pam_faillock's directory moved into the tmpfs, and bound over
 * /etc. Called before anything else runs, while the process has one thread. */
static void enter_a_private_etc(void) {
    const char *checkout = getenv("HOSTSEC_ROOT") ? getenv("HOSTSEC_ROOT") : ".";
    /* Read the checkout's stack first: the checkout may itself be under /tmp, which the tmpfs
     * below hides. */
    char stack_path[4096], stack[8192];
    snprintf(stack_path, sizeof stack_path, "%s/pam.d/hostsec", checkout);
    FILE *in = fopen(stack_path, "r");
    size_t stack_size = in ? fread(stack, 1, sizeof stack, in) : 0;
    if (in == NULL || ferror(in) || stack_size == 0 || stack_size == sizeof stack) {
        perror(stack_path);
        abort();
    }
    fclose(in);
    /* A checkout under /tmp stays visible at its path (sanitizer lanes read their suppressions
     * from it at exit): bound back over the tmpfs. */
    char real[4096];
    int under_tmp = realpath(checkout, real) != NULL && strncmp(real, "/tmp/", 5) == 0, keep = -1;
    if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
        (under_tmp && (keep = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) ||
        mount("hostsec-test", "/tmp", "tmpfs", 0, "mode=1777") != 0) {
        perror("private mount namespace");
        abort();
    }
    if (keep >= 0) {
        char from[64];
        snprintf(from, sizeof from, "/proc/self/fd/%d", keep);
        if (sh("mkdir -p '%s'", real) != 0 || mount(from, real, NULL, MS_BIND | MS_REC, NULL) != 0) {
            perror("the checkout under /tmp");
            abort();
        }
        close(keep);
    }
    FILE *out = NULL;
    if (sh("cp -a /etc /tmp/etc && echo 'dir = " TALLIES "' >>/tmp/etc/security/faillock.conf && "
           "mkdir -m 0755 " TALLIES) != 0 ||
        (out = fopen("/tmp/etc/pam.d/hostsec", "w")) == NULL || fwrite(stack, 1, stack_size, out) != stack_size ||
        fclose(out) != 0 || mount("/tmp/etc", "/etc", NULL, MS_BIND, NULL) != 0) {
        perror("private /etc");
        abort();
    }
}

static void cleanup(void) {
    for (int i = 0; i < made; i++)
        if (names[i][0]) sh("userdel %s 2>/dev/null", names[i]);
    sh("groupdel %sg 2>/dev/null; groupdel %sg2 2>/dev/null", prefix, prefix);
}

int main(void) {
    check_remember_start();
    unsetenv("HOSTSEC_PAM_SERVICE");
    RUN_TEST(null_arguments_are_e_pointer_and_clear_the_out_pointer);
    RUN_TEST(empty_user_name_is_e_invalidarg);
    RUN_TEST(unknown_service_is_no_logon_servers_at_once);
    RUN_TEST(no_wait_null_arguments_are_e_pointer_and_clear_the_out_values);
    if (geteuid() != 0 || !hosting_privileged()) {
        printf("skip logons with real accounts (needs root: Tests/sh/test-logon-unprivileged.sh covers non-root)\n");
        RUN_TEST(nothing_outlives_its_last_release);
        CHECK_EXIT();
    }
    enter_a_private_etc();
    random_secret(password);
    snprintf(prefix, sizeof prefix, "hspw%d", (int)getpid() % 100000);
    if (sh("groupadd %sg && groupadd %sg2", prefix, prefix) != 0) abort();
    atexit(cleanup);
    RUN_TEST(right_password_gives_the_accounts_primary_token);
    RUN_TEST(wrong_password_is_logon_failure);
    RUN_TEST(unknown_account_is_logon_failure);
    RUN_TEST(wrong_password_and_unknown_account_take_the_delay);
    RUN_TEST(locked_account_never_gets_a_token);
    RUN_TEST(expired_account_is_account_expired);
    RUN_TEST(expired_password_is_password_expired);
    RUN_TEST(utf8_password_is_compared_byte_for_byte);
    RUN_TEST(password_of_4_kib_is_logon_failure);
    RUN_TEST(password_logon_is_refused_while_etc_nologin_exists);
    RUN_TEST(root_password_logon_is_refused_without_the_policy);
    RUN_TEST(a_system_account_password_logon_is_refused_without_the_policy);
    RUN_TEST(a_nologin_shell_account_is_refused_unless_the_host_opts_in);
    RUN_TEST(a_refused_account_type_never_reaches_pam);
    RUN_TEST(repeated_failures_lock_the_account);
    RUN_TEST(a_burst_of_guesses_cannot_outrun_the_lockout);
    RUN_TEST(a_stack_that_never_asks_for_the_password_is_refused);
    RUN_TEST(no_wait_logon_reports_the_remaining_delay_instead_of_sleeping);
    RUN_TEST(odd_names_are_logon_failure);
    RUN_TEST(host_selects_the_service_with_hostsec_pam_service);
    RUN_TEST(account_step_denial_is_account_disabled);
    RUN_TEST(broken_service_is_no_logon_servers);
    RUN_TEST(eight_threads_log_on_at_once_and_create_files_as_the_account);
    RUN_TEST(nothing_outlives_its_last_release);
    CHECK_EXIT();
}
