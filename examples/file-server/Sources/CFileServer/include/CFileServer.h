// Raw Linux syscalls for hostsec-fileserver that Swift cannot call directly.
#ifndef CFILESERVER_H
#define CFILESERVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/// The calling thread's effective uid and gid, read from the kernel with raw syscalls
/// (credentials are per thread in the kernel; glibc's wrappers would be too, but these never
/// go through a cache).
uint32_t fs_thread_euid(void);
uint32_t fs_thread_egid(void);
/// The calling thread's supplementary groups: the count, or -1 with errno. At most `max`
/// are written to `out`.
int fs_thread_groups(uint32_t *out, int max);

/// openat2(dirfd, path, flags | O_CLOEXEC, mode) resolved beneath dirfd: no "..", absolute
/// path or symbolic link may leave it (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS); with
/// `no_symlinks`, no symbolic link is followed at all (RESOLVE_NO_SYMLINKS). Returns the
/// descriptor, or -1 with errno (EXDEV when the path would leave dirfd, ELOOP when it crosses
/// a link and `no_symlinks` is set).
int fs_open_beneath(int dirfd, const char *path, int flags, unsigned mode, int no_symlinks);

/// Opens the file the O_PATH descriptor `fd` names, with `flags | O_CLOEXEC` (through
/// /proc/self/fd: the same inode, with the caller's permissions checked as for any open).
/// Returns the descriptor, or -1 with errno.
int fs_reopen(int fd, int flags);

/// An unnamed file in the directory `dirfd` (O_TMPFILE | O_RDWR: read back when it is copied
/// into an existing file): its data has no name
/// until fs_link_tmpfile gives it one, and it vanishes if the process dies first.
/// -1 with errno (EOPNOTSUPP, EISDIR when the file system has no O_TMPFILE).
int fs_open_tmpfile(int dirfd, unsigned mode);

/// Gives the unnamed file `fd` the name `name` in `dirfd` (linkat through /proc/self/fd,
/// which needs no capability). Fails with EEXIST when the name is taken.
int fs_link_tmpfile(int fd, int dirfd, const char *name);

/// renameat2(dirfd, from, dirfd, to, 0): replaces `to` atomically.
int fs_rename(int dirfd, const char *from, const char *to);

/// 1 when the open file `fd` has extended attributes (a POSIX ACL is one), 0 when it has none
/// or the file system has none, -1 with errno.
int fs_has_xattrs(int fd);

/// Copies the whole of `from` (read from offset 0) into `to` (written from offset 0):
/// copy_file_range, or pread/pwrite where the file system has none. 0, or -1 with errno.
int fs_copy_into(int from, int to);

/// An account's shadow entry, as far as a cached logon depends on it (days since 1970; -1
/// where the field is empty).
struct fs_shadow {
    char hash[512];
    size_t hash_length;
    long last_change, max, inactive, expire;
    long today;
};

/// Reads `user`'s shadow entry (getspnam_r: needs root with the files backend). 0, or -1 with
/// errno (ENOENT when there is none). The caller wipes `out` after use.
int fs_shadow_entry(const char *user, struct fs_shadow *out);

/// O_ flags Swift's Glibc module does not import.
int fs_o_path(void);
int fs_o_directory(void);
int fs_o_nofollow(void);

/// getrandom(2) until `count` bytes are filled; 0, or -1 with errno.
int fs_random(void *buffer, size_t count);

/// Whether the process may act as other accounts: CAP_SETUID and CAP_SETGID both in its
/// permitted set (capget(2)), as the library requires. 1 yes, 0 no, -1 with errno.
int fs_may_impersonate(void);

#endif
