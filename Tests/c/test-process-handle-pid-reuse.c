/* A process handle names the child CreateProcessAsUserA started, never a pid number: a host
 * that reaps its children itself (a SIGCHLD handler calling waitpid(-1), or SIGCHLD ignored)
 * may reap the child at once, and the kernel may give its pid to the next process the host
 * starts. The pidfd behind the handle must come from the clone that made the child
 * (CLONE_PIDFD), not from pidfd_open(pid) afterwards, which may open that other process.
 *
 * The test runs in a pid namespace of its own (as root), where nothing else takes pids: the
 * host there reaps the child and starts a decoy with the child's pid (ns_last_pid) at the
 * moment the library would call pidfd_open; or, if the library never calls it, right after
 * CreateProcessAsUserA returns. Either way the handle must say the child ended (not wait for
 * the decoy), its exit code must be the "reaped by someone else" value, and the decoy must be
 * left alone (still running, its status not taken). */
#include "check.h"
#include "syscall-hook.c"

#include <hostsec_win32.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t decoy = -1; /* the process given the child's pid */

/* Reaps whatever child has exited (the spawned one), then starts a decoy that gets its pid. */
static void reap_and_reuse_the_pid(void) {
    int status;
    pid_t reaped = -1;
    for (int i = 0; i < 500 && reaped <= 0; i++) {
        reaped = waitpid(-1, &status, WNOHANG);
        if (reaped <= 0) usleep(10000);
    }
    if (reaped <= 0) return;
    int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
    if (fd < 0) return;
    char text[32];
    int n = snprintf(text, sizeof text, "%d", (int)reaped - 1);
    ssize_t written = write(fd, text, (size_t)n);
    close(fd);
    if (written != n) return;
    pid_t pid = fork();
    if (pid == 0) {
        pause();
        _exit(0);
    }
    decoy = pid;
    if (decoy != reaped) fprintf(stderr, "  the decoy got pid %d, not the child's %d\n", (int)decoy, (int)reaped);
}

/* The host: pid 1 of a new pid namespace. Exit status 0 when every check held. */
static int host(void) {
    HANDLE process = NULL, token = NULL;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ALL_ACCESS, &process) ||
        !DuplicateTokenEx(process, TOKEN_ALL_ACCESS, NULL, SecurityImpersonation, TokenPrimary, &token))
        return 10;
    CloseHandle(process);
    STARTUPINFOA si;
    PROCESS_INFORMATION pi;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    char line[] = "/bin/true";
    syscall_hook_arm(SYS_pidfd_open, reap_and_reuse_the_pid);
    if (!CreateProcessAsUserA(token, NULL, line, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return 11;
    int hooked = decoy > 0;
    syscall_hook_arm(-1, NULL);
    if (!hooked) reap_and_reuse_the_pid();
    if (decoy <= 0) return 12;
    printf("  child %u, decoy %d (%s)\n", (unsigned)pi.dwProcessId, (int)decoy,
           hooked ? "started when the library opened a pidfd by pid" : "started after CreateProcessAsUserA");
    fflush(stdout);
    int failures = 0;
    DWORD wait = WaitForSingleObject(pi.hProcess, 2000);
    if (wait != WAIT_OBJECT_0) {
        fprintf(stderr, "  WaitForSingleObject: %lu, not WAIT_OBJECT_0: the handle waits for the decoy\n",
                (unsigned long)wait);
        failures++;
    }
    DWORD code = 0;
    if (!GetExitCodeProcess(pi.hProcess, &code) || code != HS_EXIT_CODE_UNKNOWN) {
        fprintf(stderr, "  GetExitCodeProcess: %lu, not HS_EXIT_CODE_UNKNOWN\n", (unsigned long)code);
        failures++;
    }
    int status;
    if (kill(decoy, 0) != 0 || waitpid(decoy, &status, WNOHANG) != 0) {
        fprintf(stderr, "  the decoy was reaped or is gone\n");
        failures++;
    }
    kill(decoy, SIGKILL);
    waitpid(decoy, &status, 0);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    CloseHandle(token);
    return failures == 0 ? 0 : 13;
}

static void a_process_handle_never_names_a_process_that_reused_the_childs_pid(void) {
    if (geteuid() != 0) {
        printf("  (needs root for a pid namespace: skipped)\n");
        return;
    }
    pid_t outer = fork();
    if (outer == 0) {
        if (unshare(CLONE_NEWPID) != 0) _exit(77);
        pid_t inner = fork(); /* pid 1 of the namespace: its exit ends every process in it */
        if (inner == 0) _exit(host());
        int status = 0;
        waitpid(inner, &status, 0);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 99);
    }
    int status = 0;
    waitpid(outer, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        printf("  (no pid namespace here: skipped)\n");
        return;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "  the host in the namespace exited with %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
    RUN_TEST(a_process_handle_never_names_a_process_that_reused_the_childs_pid);
    CHECK_EXIT();
}
