#include "CFileServer.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <shadow.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

uint32_t fs_thread_euid(void) { return (uint32_t)syscall(SYS_geteuid); }
uint32_t fs_thread_egid(void) { return (uint32_t)syscall(SYS_getegid); }

int fs_thread_groups(uint32_t *out, int max) {
    gid_t groups[65536];
    long n = syscall(SYS_getgroups, 65536, groups);
    if (n < 0) return -1;
    for (long i = 0; i < n && i < max; i++) out[i] = (uint32_t)groups[i];
    return (int)n;
}

int fs_open_beneath(int dirfd, const char *path, int flags, unsigned mode, int no_symlinks) {
    struct open_how how = {0};
    how.flags = (uint64_t)(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
    long fd;
    do {
        fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
    } while (fd < 0 && errno == EINTR);
    return (int)fd;
}

int fs_reopen(int fd, int flags) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int reopened;
    do {
        reopened = open(proc, flags | O_CLOEXEC);
    } while (reopened < 0 && errno == EINTR);
    return reopened;
}

int fs_open_tmpfile(int dirfd, unsigned mode) {
    int fd;
    do {
        fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

int fs_link_tmpfile(int fd, int dirfd, const char *name) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, dirfd, name, AT_SYMLINK_FOLLOW);
}

int fs_rename(int dirfd, const char *from, const char *to) { return renameat(dirfd, from, dirfd, to); }

int fs_o_path(void) { return O_PATH; }
int fs_o_directory(void) { return O_DIRECTORY; }
int fs_o_nofollow(void) { return O_NOFOLLOW; }

int fs_random(void *buffer, size_t count) {
    size_t done = 0;
    while (done < count) {
        ssize_t n = getrandom((char *)buffer + done, count - done, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int fs_has_xattrs(int fd) {
    ssize_t n = flistxattr(fd, NULL, 0);
    if (n < 0) return errno == ENOTSUP ? 0 : -1;
    return n > 0;
}

int fs_copy_into(int from, int to) {
    off_t in = 0, out = 0;
    for (;;) {
        ssize_t n = copy_file_range(from, &in, to, &out, 1 << 30, 0);
        if (n == 0) return 0;
        if (n > 0) continue;
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP && errno != ENOSYS) return -1;
        break; /* no copy_file_range here: read and write */
    }
    char buffer[65536];
    for (;;) {
        ssize_t n = pread(from, buffer, sizeof buffer, in);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return -1;
        if (n == 0) return 0;
        in += n;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = pwrite(to, buffer + done, (size_t)(n - done), out);
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return -1;
            done += w;
            out += w;
        }
    }
}

int fs_shadow_entry(const char *user, struct fs_shadow *out) {
    memset(out, 0, sizeof *out);
    char buffer[4096];
    struct spwd entry, *found = NULL;
    int rc = getspnam_r(user, &entry, buffer, sizeof buffer, &found);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    size_t n = entry.sp_pwdp ? strlen(entry.sp_pwdp) : 0;
    if (n >= sizeof out->hash) {
        explicit_bzero(buffer, sizeof buffer);
        errno = ERANGE;
        return -1;
    }
    if (n) memcpy(out->hash, entry.sp_pwdp, n);
    out->hash_length = n;
    out->last_change = entry.sp_lstchg;
    out->max = entry.sp_max;
    out->inactive = entry.sp_inact;
    out->expire = entry.sp_expire;
    out->today = (long)(time(NULL) / 86400);
    explicit_bzero(buffer, sizeof buffer);
    return 0;
}

int fs_may_impersonate(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {{0}};
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    uint32_t needed = (1u << CAP_SETUID) | (1u << CAP_SETGID);
    return (data[0].permitted & needed) == needed;
}
