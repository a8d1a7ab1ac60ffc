/* Where the call tracer writes: HOSTSEC_TRACE, read once when the library is loaded, and the
 * one way any trace file is opened (HostSec_SetTrace uses it too).
 *
 * The variable is read with secure_getenv: a set-user-ID, set-group-ID or file-capability
 * host does not take a destination from the caller who started it. Its value is "1" or
 * "stderr", "0" or empty (off), or a path with a '/'; anything else is refused, never taken as
 * a file name in the current directory. A file is opened only if
 * nobody else can have chosen it for us:
 *   - the last component is never followed when it is a symbolic link (O_NOFOLLOW);
 *   - a symbolic link anywhere before it is followed only when it is not in a world-writable
 *     sticky directory (/tmp) or it is owned by the effective uid or the directory's owner:
 *     the kernel's fs.protected_symlinks rule, kept whatever that sysctl says. The path is
 *     walked one component at a time from directory descriptors, and links are resolved
 *     here (readlinkat on the very link that was checked), so nothing is looked up twice;
 *   - an existing file in a world-writable sticky directory must belong to the effective uid
 *     or the directory's owner (fs.protected_regular), and a regular file must have exactly
 *     one link (a hard link made elsewhere would name another file);
 *   - only a regular file, a terminal or /dev/null: a FIFO, socket, directory or block device
 *     is refused before it is opened, and the open is O_NONBLOCK (cleared afterwards), so
 *     nothing here can wait for another process.
 * Before any object exists the tracer's on/off switch (HS_COUNTER_TRACE) is already right for
 * the first interface the library hands out; object creation only ever reads that one word. */
#define _GNU_SOURCE 1 /* secure_getenv */
#include "hostsec_shim.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define HS_TRACE_MAX_LINKS 40 /* as the kernel's own path walk */

const char *hs_trace_reason(int reason) {
    switch (reason) {
    case HS_TRACE_NOT_ALLOWED_TYPE: return "not a regular file";
    case HS_TRACE_FOREIGN_LINK: return "a symbolic link in a world-writable sticky directory, owned by another user";
    case HS_TRACE_FOREIGN_FILE: return "a file in a world-writable sticky directory, owned by another user";
    case HS_TRACE_MANY_LINKS: return "a file with more than one hard link";
    case HS_TRACE_LAST_IS_LINK: return "a symbolic link (never followed)";
    default: return strerror(reason);
    }
}

/* A directory where anyone may create entries but only their owner may remove them. */
static bool shared_sticky(const struct stat *dir) { return (dir->st_mode & S_ISVTX) && (dir->st_mode & S_IWOTH); }

/* Whether an entry owned by owner in directory dir may be trusted not to be another user's. */
static bool trusted_owner(const struct stat *dir, uid_t owner) {
    return !shared_sticky(dir) || owner == geteuid() || owner == dir->st_uid;
}

static bool allowed_type(int fd, const struct stat *st) {
    if (S_ISREG(st->st_mode)) return true;
    if (!S_ISCHR(st->st_mode)) return false;
    return isatty(fd) || st->st_rdev == makedev(1, 3); /* a terminal, or /dev/null */
}

/* The last component, from the directory it is in. */
static int open_last(int dir, const char *name, int *reason) {
    struct stat dst, st;
    if (fstat(dir, &dst) != 0) {
        *reason = errno;
        return -1;
    }
    if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISLNK(st.st_mode)) {
            *reason = HS_TRACE_LAST_IS_LINK;
            return -1;
        }
        if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
            *reason = HS_TRACE_NOT_ALLOWED_TYPE;
            return -1;
        }
    }
    int fd = openat(dir, name, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0600);
    if (fd < 0) {
        *reason = errno == ELOOP ? HS_TRACE_LAST_IS_LINK : errno == ENXIO ? HS_TRACE_NOT_ALLOWED_TYPE : errno;
        return -1;
    }
    int refusal = 0;
    if (fstat(fd, &st) != 0)
        refusal = errno;
    else if (!allowed_type(fd, &st))
        refusal = HS_TRACE_NOT_ALLOWED_TYPE;
    else if (S_ISREG(st.st_mode) && !trusted_owner(&dst, st.st_uid))
        refusal = HS_TRACE_FOREIGN_FILE;
    else if (S_ISREG(st.st_mode) && st.st_nlink != 1)
        refusal = HS_TRACE_MANY_LINKS;
    else {
        int flags = fcntl(fd, F_GETFL);
        if (flags == -1 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == -1) refusal = errno;
    }
    if (refusal != 0) {
        close(fd);
        *reason = refusal;
        return -1;
    }
    return fd;
}

int hs_trace_open(const char *path, int *reason) {
    size_t length = strlen(path);
    if (length == 0) {
        *reason = ENOENT;
        return -1;
    }
    if (length >= PATH_MAX) {
        *reason = ENAMETOOLONG;
        return -1;
    }
    /* The rest of the path still to walk; a link's target is put in front of it. */
    char rest[2 * PATH_MAX], target[PATH_MAX];
    memcpy(rest, path, length + 1);
    int dir = open(path[0] == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) {
        *reason = errno;
        return -1;
    }
    int links = 0, fd = -1;
    char *cursor = rest;
    for (;;) {
        while (*cursor == '/') cursor++;
        if (*cursor == '\0') {
            *reason = EISDIR;
            break;
        } /* the path names a directory */
        char *end = strchr(cursor, '/');
        char *after = end ? end : cursor + strlen(cursor);
        while (*after == '/') after++;
        if (end) *end = '\0';
        if (*after == '\0' && end == NULL) {
            fd = open_last(dir, cursor, reason);
            break;
        }
        if (*after == '\0') {
            *reason = EISDIR;
            break;
        } /* "name/": a directory is meant */
        int next = openat(dir, cursor, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        struct stat st, dst;
        if (next < 0) {
            *reason = errno;
            break;
        }
        if (fstat(next, &st) != 0 || fstat(dir, &dst) != 0) {
            *reason = errno;
            close(next);
            break;
        }
        if (S_ISDIR(st.st_mode)) {
            close(dir);
            dir = next;
            cursor = after;
            continue;
        }
        if (!S_ISLNK(st.st_mode)) {
            *reason = ENOTDIR;
            close(next);
            break;
        }
        if (!trusted_owner(&dst, st.st_uid)) {
            *reason = HS_TRACE_FOREIGN_LINK;
            close(next);
            break;
        }
        ssize_t n = ++links > HS_TRACE_MAX_LINKS ? -1 : readlinkat(next, "", target, sizeof target);
        int failure = links > HS_TRACE_MAX_LINKS ? ELOOP : n < 0 ? errno : ENAMETOOLONG;
        close(next);
        if (n < 0 || (size_t)n >= sizeof target) {
            *reason = failure;
            break;
        }
        size_t remaining = strlen(after);
        if ((size_t)n + 1 + remaining + 1 > sizeof rest) {
            *reason = ENAMETOOLONG;
            break;
        }
        memmove(rest + n + 1, after, remaining + 1);
        memcpy(rest, target, (size_t)n);
        rest[n] = '/';
        cursor = rest;
        if (target[0] == '/') {
            int top = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
            if (top < 0) {
                *reason = errno;
                break;
            }
            close(dir);
            dir = top;
        }
    }
    close(dir);
    return fd;
}

/* ---- HOSTSEC_TRACE ------------------------------------------------------------------- */

static int env_fd = -1; /* the destination HOSTSEC_TRACE chose, -1 for none */
static bool env_owned;  /* whether env_fd was opened here (not stderr) */

/* One report on stderr: the prefix, the value with bytes outside printable ASCII as \xNN (a
 * value cannot write control sequences to a terminal), and the rest. */
static void report(const char *prefix, const char *value, const char *rest) {
    char line[3 * PATH_MAX];
    size_t used = (size_t)snprintf(line, sizeof line, "hostsec: %s", prefix);
    for (const unsigned char *p = (const unsigned char *)value; value && *p && used + 8 < sizeof line / 2; p++) {
        if (*p >= 0x20 && *p < 0x7f)
            line[used++] = (char)*p;
        else
            used += (size_t)snprintf(line + used, sizeof line - used, "\\x%02x", *p);
    }
    snprintf(line + used, sizeof line - used, "%s\n", rest);
    size_t length = strlen(line), done = 0;
    while (done < length) {
        ssize_t n = write(2, line + done, length - done);
        if (n <= 0) break;
        done += (size_t)n;
    }
}

__attribute__((constructor)) static void hs_trace_from_environment(void) {
    const char *value = secure_getenv("HOSTSEC_TRACE");
    if (value == NULL) {
        if (getenv("HOSTSEC_TRACE") != NULL && getauxval(AT_SECURE))
            report("HOSTSEC_TRACE ignored: the process runs with privileges its caller does not have "
                   "(set-user-ID, set-group-ID or file capabilities)",
                   NULL, "");
        return;
    }
    if (value[0] == '\0' || strcmp(value, "0") == 0) return;
    if (strcmp(value, "1") == 0 || strcmp(value, "stderr") == 0) {
        env_fd = 2;
    } else if (strchr(value, '/') == NULL) {
        /* Only a value with a '/' is a file: "Stderr", " 1", "-", "yes" or a bare name is far
         * likelier a mistyped switch than a wish for a file in whatever the current directory is. */
        report("HOSTSEC_TRACE=", value,
               " is not a destination: use 1 or stderr, 0 or empty for off, or a path with a '/' "
               "(./NAME for a file in the current directory); tracing is off");
        return;
    } else {
        int reason = 0;
        env_fd = hs_trace_open(value, &reason);
        env_owned = env_fd >= 0;
        if (env_fd < 0) {
            char rest[256];
            snprintf(rest, sizeof rest, " refused: %s; tracing to stderr", hs_trace_reason(reason));
            report("HOSTSEC_TRACE=", value, rest);
            env_fd = 2;
        }
    }
    hs_counter_set(HS_COUNTER_TRACE, 1);
}

int hs_trace_env_take(bool *owned) {
    int fd = env_fd;
    *owned = env_owned;
    env_fd = -1;
    env_owned = false;
    return fd;
}
