/* A child process with exactly a token's credentials (HostSec_SpawnAsUser).
 *
 * Between fork and execve the child runs only raw system calls on memory prepared before the
 * fork: another thread of the parent may have held any lock (malloc's, the Swift runtime's,
 * the library's) at the moment of the fork, and the child has only the forking thread, so it
 * must take none. The parent's threads never change credentials: the change happens in the
 * child, which is a process of its own. */
#include "hostsec_shim.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/close_range.h>
#include <linux/keyctl.h>
#include <termios.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Fails the child: its errno through the pipe, then exit. */
static void child_fail(int pipe_fd, int error) {
    int value = error ? error : EIO;
    (void)syscall(SYS_write, pipe_fd, &value, sizeof value);
    (void)syscall(SYS_exit_group, 127);
    for (;;) {
    }
}

/* A descriptor at 3 or above for `fd` (close-on-exec); `fd` itself when it already is. */
static int above_stdio(int fd, int pipe_fd) {
    if (fd >= 3) return fd;
    int moved = (int)syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 3);
    if (moved < 0) child_fail(pipe_fd, errno);
    return moved;
}

/* isatty without the C library (not async-signal-safe): TCGETS answers on terminals only. */
static int is_terminal(int fd) {
    struct termios t;
    return syscall(SYS_ioctl, fd, TCGETS, &t) == 0;
}

/* Descriptors 0-2 as the request says (hs_spawn_request.stdio): each source is first put above
 * 2, so a caller's descriptors may name each other's slots (1 as 2 and 2 as 1). */
static void set_stdio(const hs_spawn_request *r, int pipe_fd) {
    int null_fd = (int)syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) child_fail(pipe_fd, errno);
    null_fd = above_stdio(null_fd, pipe_fd); /* a free slot among 0-2 is replaced below */
    int source[3];
    for (int i = 0; i < 3; i++) {
        int want = r->stdio[i];
        if (want >= 0) {
            source[i] = (int)syscall(SYS_fcntl, want, F_DUPFD_CLOEXEC, 3);
            if (source[i] < 0) child_fail(pipe_fd, errno);
            continue;
        }
        source[i] = null_fd;
        if (want == HS_STDIO_NULL) continue;
        /* The caller's own: kept when open across exec and of a kind a host sets there for its
         * child; a close-on-exec one would leave the slot empty for the program's first open. */
        long flags = syscall(SYS_fcntl, i, F_GETFD);
        struct stat st;
        if (flags < 0 || (flags & FD_CLOEXEC) || syscall(SYS_fstat, i, &st) != 0) continue;
        int terminal = S_ISCHR(st.st_mode) && is_terminal(i);
        if (terminal || (want == HS_STDIO_PASSED && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))) source[i] = i;
    }
    for (int i = 0; i < 3; i++) {
        if (r->detach_terminal && is_terminal(source[i])) source[i] = null_fd;
        if (source[i] != i && syscall(SYS_dup3, source[i], i, 0) < 0) child_fail(pipe_fd, errno);
    }
}

/* `scratch` holds HS_SPAWN_MAX_GROUPS group ids: allocated before the fork (the child may not
 * call malloc), and off the stack (the forking thread's stack may be small). */
static void child(const hs_spawn_request *r, int pipe_fd, uint32_t *scratch) {
    /* Not dumpable, first: until execve the memory is a copy of the host's (its secrets), and
     * a credential change that keeps the uids and gids (the process's own account with fewer
     * capabilities) leaves the flag set, so another process of that uid could open
     * /proc/<pid>/mem. execve sets the flag again for the program as for any other. It cannot
     * fail; if it did, no program runs. */
    if (syscall(SYS_prctl, PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) child_fail(pipe_fd, errno);
    /* Signals: every handler back to the default, then the mask the parent blocked cleared. */
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } dfl = {SIG_DFL, 0, 0, 0};
    for (int sig = 1; sig < 65; sig++)
        if (sig != SIGKILL && sig != SIGSTOP) (void)syscall(SYS_rt_sigaction, sig, &dfl, NULL, 8);

    /* A session of its own: no controlling terminal, so it cannot reach the caller's
     * (TIOCSTI, /dev/tty), nor get its signals. A forked child is never a group leader. */
    if (syscall(SYS_setsid) < 0) child_fail(pipe_fd, errno);
    /* The error pipe and the program kept above 2, then 0-2 as asked. */
    pipe_fd = above_stdio(pipe_fd, pipe_fd);
    int program = above_stdio(r->program, pipe_fd);
    set_stdio(r, pipe_fd);

    /* Back to the process's own credentials: a thread that impersonates holds another
     * account's ids with the saved uid kept at its own, so the uids go back first (allowed by
     * the saved id), the capabilities with them, then groups and gids. */
    struct __user_cap_header_struct self_header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct self_caps[2] = {
        {(uint32_t)r->self_effective, (uint32_t)r->self_permitted, (uint32_t)r->self_inheritable},
        {(uint32_t)(r->self_effective >> 32), (uint32_t)(r->self_permitted >> 32),
         (uint32_t)(r->self_inheritable >> 32)},
    };
    if (syscall(SYS_setresuid, r->self_ruid, r->self_euid, r->self_suid) != 0) child_fail(pipe_fd, errno);
    if (syscall(SYS_capset, &self_header, self_caps) != 0) child_fail(pipe_fd, errno);
    if (r->self_ngroups <= HS_SPAWN_MAX_GROUPS) {
        uint32_t *held = scratch;
        long count = syscall(SYS_getgroups, HS_SPAWN_MAX_GROUPS, held);
        int same_groups = count == (long)r->self_ngroups;
        for (long i = 0; same_groups && i < count; i++) same_groups = held[i] == r->self_groups[i];
        if (!same_groups && syscall(SYS_setgroups, r->self_ngroups, r->self_groups) != 0) child_fail(pipe_fd, errno);
    }
    if (syscall(SYS_setresgid, r->self_rgid, r->self_egid, r->self_sgid) != 0) child_fail(pipe_fd, errno);

    /* The bounding set limited to the token's permitted set, while the child still holds the
     * parent's capabilities (dropping needs CAP_SETPCAP; without it the set stays as inherited). */
    for (int cap = 0; cap < 64; cap++) {
        if (r->bounding & (UINT64_C(1) << cap)) continue;
        long present = syscall(SYS_prctl, PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present != 1) continue;
        if (syscall(SYS_prctl, PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM) child_fail(pipe_fd, errno);
    }
    /* Capabilities survive the uid change only with keep-caps; they are set exactly below. */
    if (syscall(SYS_prctl, PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) child_fail(pipe_fd, errno);
    /* Groups: setgroups needs CAP_SETGID even to set the list the process has, so it is
     * skipped when the list is already the token's. */
    uint32_t *current = scratch;
    long n = syscall(SYS_getgroups, HS_SPAWN_MAX_GROUPS, current);
    int same = n == (long)r->ngroups;
    for (long i = 0; same && i < n; i++) same = current[i] == r->groups[i];
    if (!same && syscall(SYS_setgroups, r->ngroups, r->groups) != 0) child_fail(pipe_fd, errno);
    if (syscall(SYS_setresgid, r->gid, r->gid, r->gid) != 0) child_fail(pipe_fd, errno);
    if (syscall(SYS_setresuid, r->uid, r->uid, r->uid) != 0) child_fail(pipe_fd, errno);
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2] = {
        {(uint32_t)r->effective, (uint32_t)r->permitted, (uint32_t)r->inheritable},
        {(uint32_t)(r->effective >> 32), (uint32_t)(r->permitted >> 32), (uint32_t)(r->inheritable >> 32)},
    };
    if (syscall(SYS_capset, &header, data) != 0) child_fail(pipe_fd, errno);
    (void)syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    for (int cap = 0; cap < 64; cap++)
        if ((r->ambient & (UINT64_C(1) << cap)) &&
            syscall(SYS_prctl, PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
            child_fail(pipe_fd, errno);
    if (syscall(SYS_prctl, PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) child_fail(pipe_fd, errno);
    /* no_new_privs when the token lost privileges; when a capability outside the token's
     * permitted set is still in the bounding set (no CAP_SETPCAP to drop it); and, for a uid
     * other than 0, when any capability is missing from the bounding set: a set-user-ID root
     * program would get euid 0 with only part of root's capabilities, and without
     * CAP_SETUID its setuid(getuid()) keeps the saved uid 0, so setuid(0) takes root back.
     * With it execve gives no more than the child holds now (for uid 0: exactly the token's
     * permitted set), and set-user-ID or file-capability programs do not elevate. */
    int no_new_privs = r->no_new_privs;
    for (int cap = 0; cap < 64 && !no_new_privs; cap++) {
        long present = syscall(SYS_prctl, PR_CAPBSET_READ, cap, 0, 0, 0);
        if (present < 0) break; /* past the kernel's last capability */
        if (present == 1 ? !(r->bounding & (UINT64_C(1) << cap)) : r->uid != 0) no_new_privs = 1;
    }
    if (no_new_privs && syscall(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(pipe_fd, errno);
    /* A session keyring of its own: the one fork copied is the caller's, and possessing it
     * would give the account every possessor-only key in it. No keyrings in the kernel: none
     * to share. */
    if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS) child_fail(pipe_fd, errno);

    /* Read back: exactly the token's ids, or no program runs. */
    uint32_t a, b, c;
    if (syscall(SYS_getresuid, &a, &b, &c) != 0 || a != r->uid || b != r->uid || c != r->uid)
        child_fail(pipe_fd, EPERM);
    if (syscall(SYS_getresgid, &a, &b, &c) != 0 || a != r->gid || b != r->gid || c != r->gid)
        child_fail(pipe_fd, EPERM);

    /* Descriptors: 0-2 stay, every other one closes at exec (the error pipe among them). */
    if (r->close_descriptors && syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        for (int fd = 3; fd < r->max_fd; fd++) (void)syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
    }
    if (syscall(SYS_chdir, r->directory) != 0 && (!r->directory_or_root || syscall(SYS_chdir, "/") != 0))
        child_fail(pipe_fd, errno);
    (void)syscall(SYS_umask, 022);
    uint64_t empty = 0;
    (void)syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, 8);
    /* Exactly the file the caller opened. A script's interpreter opens it again through
     * /dev/fd/N, which a close-on-exec descriptor no longer has (ENOENT): then once more with
     * the descriptor kept open for the interpreter. */
    (void)syscall(SYS_execveat, program, "", r->argv, r->envp, AT_EMPTY_PATH);
    if (errno == ENOENT && syscall(SYS_fcntl, program, F_SETFD, 0) == 0)
        (void)syscall(SYS_execveat, program, "", r->argv, r->envp, AT_EMPTY_PATH);
    child_fail(pipe_fd, errno);
}

int hs_open_program(const char *path) { return open(path, O_PATH | O_CLOEXEC); }

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
/* fork(), with a pidfd for the child made by the same clone (CLONE_PIDFD): it names that child
 * whatever happens to its pid, even if the host reaps it at once and the pid goes to another
 * process. A kernel without CLONE_PIDFD (before 5.2), or a seccomp filter that refuses this
 * clone, gets a plain fork and *pidfd -1. The child
 * runs only raw system calls, so glibc's fork handlers (which a raw clone skips) are not
 * needed. */
static pid_t fork_with_pidfd(int *pidfd) {
    int fd = -1;
    /* clone(flags, stack, parent_tid, ...): the pidfd is stored at parent_tid */
    long r = syscall(SYS_clone, (unsigned long)(CLONE_PIDFD | SIGCHLD), 0UL, &fd, 0UL, 0UL);
    if (r == -1 && (errno == EINVAL || errno == ENOSYS || errno == EPERM)) { /* no CLONE_PIDFD, or a filter */
        *pidfd = -1;
        return fork();
    }
    *pidfd = r > 0 ? fd : -1;
    return (pid_t)r;
}

int hs_spawn(const hs_spawn_request *r, pid_t *pid, int *pidfd) {
    *pidfd = -1;
    if (r->ngroups > HS_SPAWN_MAX_GROUPS) return EINVAL;
    uint32_t *scratch = malloc(HS_SPAWN_MAX_GROUPS * sizeof *scratch);
    if (!scratch) return ENOMEM;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        int e = errno;
        free(scratch);
        return e;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int child_pidfd = -1;
    pid_t child_pid = fork_with_pidfd(&child_pidfd);
    if (child_pid == 0) {
        (void)syscall(SYS_close, fds[0]);
        child(r, fds[1], scratch);
    }
    int fork_errno = errno;
    free(scratch);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(fds[1]);
    if (child_pid < 0) {
        close(fds[0]);
        return fork_errno;
    }
    int child_errno = 0;
    ssize_t got;
    do got = read(fds[0], &child_errno, sizeof child_errno);
    while (got < 0 && errno == EINTR);
    close(fds[0]);
    if (got == (ssize_t)sizeof child_errno) {
        /* The child failed before exec: reap it (through its pidfd: the host may have reaped
         * it already and its pid be another child's), report why. */
        (void)hs_reap_child(child_pidfd, child_pid, 1, &(uint32_t){0});
        if (child_pidfd >= 0) close(child_pidfd);
        return child_errno;
    }
    *pid = child_pid;
    *pidfd = child_pidfd;
    return 0;
}

/* The peer of a connected Unix domain socket (HostSec_OpenSocketClientToken). */
#include <sys/socket.h>

int hs_peer_cred(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid) {
    struct ucred cred;
    socklen_t length = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) != 0) return errno;
    if (length != sizeof cred) return ENOTCONN;
    *pid = cred.pid;
    *uid = cred.uid;
    *gid = cred.gid;
    return 0;
}

int hs_peer_groups(int fd, uint32_t *groups, uint32_t *count) {
    socklen_t length = (socklen_t)(*count * sizeof(gid_t));
    int r = getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &length);
    int error = r == 0 ? 0 : errno;
    *count = (uint32_t)(length / sizeof(gid_t));
    return error;
}

/* Process objects (CreateProcessAsUserA): a pidfd to wait on and reap through (never the pid
 * number, which another child of the host may hold once this one is reaped), and a thread
 * that reaps a child whose handles all closed before it exited, so no zombie stays behind. */
#include <poll.h>
#include <pthread.h>

int hs_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

int hs_wait_readable(int fd, int timeout_ms) {
    struct pollfd p = {fd, POLLIN, 0};
    int r;
    do r = poll(&p, 1, timeout_ms);
    while (r < 0 && errno == EINTR);
    return r;
}

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The exit code of a wait: the status, or 128 + the signal that ended the child. */
static uint32_t exit_code(const siginfo_t *info) {
    return info->si_code == CLD_EXITED ? (uint32_t)info->si_status & 0xFF : 128 + (uint32_t)info->si_status;
}

int hs_reap_child(int pidfd, pid_t pid, int block, uint32_t *code) {
    siginfo_t info;
    int r, flags = WEXITED | (block ? 0 : WNOHANG);
    if (pidfd >= 0) {
        do {
            memset(&info, 0, sizeof info);
            r = waitid((idtype_t)P_PIDFD, (id_t)pidfd, &info, flags);
        } while (r < 0 && errno == EINTR);
        if (r == 0 && info.si_pid == 0) return 0; /* still runs */
        if (r == 0) {
            *code = exit_code(&info);
            return 1;
        }
        if (errno != EINVAL) { /* ECHILD: someone else took the status */
            *code = HS_EXIT_CODE_UNKNOWN_VALUE;
            return 1;
        }
        /* EINVAL: a kernel without P_PIDFD (before 5.4); by pid below. */
    }
    do {
        memset(&info, 0, sizeof info);
        r = waitid(P_PID, (id_t)pid, &info, flags);
    } while (r < 0 && errno == EINTR);
    if (r == 0 && info.si_pid == 0) return 0;
    *code = r == 0 ? exit_code(&info) : HS_EXIT_CODE_UNKNOWN_VALUE;
    return 1;
}

struct reap_later {
    int pidfd;
    pid_t pid;
};

static void reap_and_close(int pidfd, pid_t pid) {
    uint32_t code;
    (void)hs_reap_child(pidfd, pid, 1, &code);
    if (pidfd >= 0) close(pidfd);
}

static void *reaper(void *arg) {
    struct reap_later job = *(struct reap_later *)arg;
    free(arg);
    reap_and_close(job.pidfd, job.pid);
    return NULL;
}

void hs_reap_later(int pidfd, pid_t pid) {
    pthread_t thread;
    pthread_attr_t attr;
    struct reap_later *job = malloc(sizeof *job);
    if (!job) {
        reap_and_close(pidfd, pid); /* no memory to spare: wait here */
        return;
    }
    job->pidfd = pidfd;
    job->pid = pid;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    if (pthread_create(&thread, &attr, reaper, job) != 0) {
        free(job);
        reap_and_close(pidfd, pid); /* no thread to spare: wait here */
    }
    pthread_attr_destroy(&attr);
}
