/*
 * Private C helpers for the Swift core: only what Swift cannot express itself.
 *   - the C-layout COM object block and its atomic reference count;
 *   - 64-bit atomics on raw memory (the handle table's entries);
 *   - raw per-thread credential syscalls (glibc's wrappers change every thread);
 *   - thread-local storage for the calling thread's state.
 * Nothing here is exported from libhostsec.so.
 */
#ifndef HOSTSEC_SHIM_H
#define HOSTSEC_SHIM_H

#include <stdint.h>
#include <stdbool.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

/* Swift calls these on its hot paths: always inlined, never an out-of-line call. */
#define HS_INLINE static inline __attribute__((always_inline))

/* ---- COM object block -------------------------------------------------------------- */

/** What every interface pointer handed out by the library points at. */
typedef struct hs_object {
    const void *lpVtbl; /* must stay first: the interface's vtable pointer */
    uint32_t refs;      /* atomic */
    uint32_t kind;      /* which class (HostSec's ObjectKind) */
    void *payload;      /* a retained Swift object, or NULL */
    void *inner;        /* the traced object behind a tracing proxy, or NULL */
} hs_object;

/* Reference counts saturate: a count that reaches 2^31 is set to HS_REFS_IMMORTAL and the
 * object is never freed. Every AddRef and Release that finds the count at or above 2^31 stores
 * HS_REFS_IMMORTAL back, so the count stays inside that half whatever the host does (leaving it
 * would take 2^30 calls racing between one of those stores and the next). Counting up past
 * 2^32 therefore never wraps to a small count that a Release could take to 0. The cost is one
 * sign test on the value the locked add already returns. */
#define HS_REFS_IMMORTAL 0xC0000000u
HS_INLINE uint32_t hs_refs_add(hs_object *o) {
    uint32_t now = __atomic_add_fetch(&o->refs, 1, __ATOMIC_RELAXED);
    if (__builtin_expect((int32_t)now <= 0, 0)) {
        __atomic_store_n(&o->refs, HS_REFS_IMMORTAL, __ATOMIC_RELAXED);
        return HS_REFS_IMMORTAL;
    }
    return now;
}
/** Returns the count left: 0 means the caller frees the object. */
HS_INLINE uint32_t hs_refs_sub(hs_object *o) {
    uint32_t before = __atomic_fetch_sub(&o->refs, 1, __ATOMIC_ACQ_REL);
    if (__builtin_expect((int32_t)before < 0, 0)) {
        __atomic_store_n(&o->refs, HS_REFS_IMMORTAL, __ATOMIC_RELAXED);
        return HS_REFS_IMMORTAL;
    }
    return before - 1;
}
/** Sets an object's count (tests only: to start near the ceiling without 2^31 calls). */
HS_INLINE void hs_refs_set(hs_object *o, uint32_t count) { __atomic_store_n(&o->refs, count, __ATOMIC_RELAXED); }

/* ---- atomics on raw memory ---------------------------------------------------------- */

HS_INLINE uint64_t hs_load_acquire(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
HS_INLINE uint64_t hs_load_relaxed(const uint64_t *p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }
HS_INLINE void hs_store_release(uint64_t *p, uint64_t v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }
HS_INLINE bool hs_cas(uint64_t *p, uint64_t *expected, uint64_t desired) {
    return __atomic_compare_exchange_n(p, expected, desired, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}
HS_INLINE uint64_t hs_fetch_sub(uint64_t *p, uint64_t v) { return __atomic_fetch_sub(p, v, __ATOMIC_ACQ_REL); }
HS_INLINE void *hs_load_ptr_acquire(void *const *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
HS_INLINE void hs_store_ptr_release(void **p, void *v) { __atomic_store_n(p, v, __ATOMIC_RELEASE); }

/* ---- process-wide counters (server locks; the tracer's switch) ---------------------- */

enum {
    HS_COUNTER_LOCKS = 0,
    HS_COUNTER_TRACE, /* 0 or 1: the call tracer is on */
    HS_COUNTER_COUNT
};
extern uint64_t hs_counters[HS_COUNTER_COUNT];
HS_INLINE uint64_t *hs_counter_ptr(int which) { return &hs_counters[which]; }
HS_INLINE uint64_t hs_counter(int which) { return __atomic_load_n(&hs_counters[which], __ATOMIC_ACQUIRE); }
HS_INLINE uint64_t hs_counter_add(int which, int64_t delta) {
    return __atomic_add_fetch(&hs_counters[which], (uint64_t)delta, __ATOMIC_ACQ_REL);
}
HS_INLINE void hs_counter_set(int which, uint64_t v) { __atomic_store_n(&hs_counters[which], v, __ATOMIC_RELEASE); }

/* ---- one engine per process (engine_copies.c) ------------------------------------------ */

/* Called at this copy of the engine's first use: true when it may run (no other copy of the
 * engine in the process is running), false when it refuses (for good). The answer is made
 * once; later calls return it. */
bool hs_engine_claim(void);
/* How many copies of the engine the loaded objects carry (this one included). */
int hs_engine_copies(void);

/* ---- the fail-closed flag ------------------------------------------------------------ */

/* Where an engine (HostSec's HostSecurity) keeps its fail-closed flag: 0 open, 1 closed. The
 * shared engine's is hs_shared_closed, so OpenThreadToken's no-token answer reads it with one
 * load and without touching the Swift object; engines that tests make get a cell of their own.
 * The one home of the flag: nothing mirrors it. */
extern uint32_t hs_shared_closed;
HS_INLINE uint32_t *hs_shared_closed_flag(void) { return &hs_shared_closed; }
HS_INLINE bool hs_flag_is_set(const uint32_t *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE) != 0; }
HS_INLINE bool hs_flag_is_set_relaxed(const uint32_t *flag) { return __atomic_load_n(flag, __ATOMIC_RELAXED) != 0; }
/** Sets the flag; true for the call that set it (false: it was set already). */
HS_INLINE bool hs_flag_set(uint32_t *flag) {
    uint32_t open = 0;
    return __atomic_compare_exchange_n(flag, &open, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* ---- the call tracer's destination (trace_destination.c) ----------------------------- */

/** Why a trace path was refused, besides an errno value (all errno values are positive). */
enum {
    HS_TRACE_NOT_ALLOWED_TYPE = -1, /* not a regular file, a terminal or /dev/null */
    HS_TRACE_FOREIGN_LINK = -2,     /* a link in a world-writable sticky directory, another user's */
    HS_TRACE_FOREIGN_FILE = -3,     /* a file in a world-writable sticky directory, another user's */
    HS_TRACE_MANY_LINKS = -4,       /* a regular file with more than one hard link */
    HS_TRACE_LAST_IS_LINK = -5      /* the path's last component is a symbolic link */
};
/** Opens path for appending trace lines (created 0600), by the rules in trace_destination.c:
 *  never blocks, follows no link another user may have planted. Returns the descriptor, or -1
 *  with *reason an errno value or one of the HS_TRACE_ refusals. */
int hs_trace_open(const char *path, int *reason);
/** A refusal's text: strerror for an errno value. */
const char *hs_trace_reason(int reason);
/** The destination HOSTSEC_TRACE chose when the library was loaded (the first call takes
 *  it; later calls get -1): a descriptor, or -1 for none; *owned tells whether it was
 *  opened for the tracer (false for stderr). */
int hs_trace_env_take(bool *owned);

/* ---- raw per-thread credential syscalls: each returns 0 or an errno value ----------- */

HS_INLINE int hs_sys_result(long r) { return r == -1 ? errno : 0; }
HS_INLINE int hs_sys_getresuid(uint32_t *r, uint32_t *e, uint32_t *s) {
    return hs_sys_result(syscall(SYS_getresuid, r, e, s));
}
HS_INLINE int hs_sys_getresgid(uint32_t *r, uint32_t *e, uint32_t *s) {
    return hs_sys_result(syscall(SYS_getresgid, r, e, s));
}
/** Returns the group count, or -errno. With size 0 only counts. */
HS_INLINE int hs_sys_getgroups(int size, uint32_t *list) {
    long r = syscall(SYS_getgroups, size, list);
    return r == -1 ? -errno : (int)r;
}
HS_INLINE int hs_sys_setgroups(int size, const uint32_t *list) {
    return hs_sys_result(syscall(SYS_setgroups, (long)size, list));
}
HS_INLINE int hs_sys_setresuid(uint32_t r, uint32_t e, uint32_t s) {
    return hs_sys_result(syscall(SYS_setresuid, (long)r, (long)e, (long)s));
}
HS_INLINE int hs_sys_setresgid(uint32_t r, uint32_t e, uint32_t s) {
    return hs_sys_result(syscall(SYS_setresgid, (long)r, (long)e, (long)s));
}
/** setfsuid/setfsgid return the previous id and never fail visibly; (uint32_t)-1 queries. */
HS_INLINE uint32_t hs_sys_setfsuid(uint32_t id) { return (uint32_t)syscall(SYS_setfsuid, (long)id); }
HS_INLINE uint32_t hs_sys_setfsgid(uint32_t id) { return (uint32_t)syscall(SYS_setfsgid, (long)id); }
/** The calling thread's capability sets (64-bit masks). */
int hs_sys_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable);
/** Sets the calling thread's capability sets. */
int hs_sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable);
HS_INLINE int32_t hs_sys_gettid(void) { return (int32_t)syscall(SYS_gettid); }
/** A random 64-bit value of the calling thread's own (arc4random), drawn at its first use and
 *  drawn again in a fork child: the key of the thread's reserved real uids. */
uint64_t hs_thread_nonce(void);
/** The calling thread's ambient capability set as a mask, asking only for the capabilities in
 *  `allowed`; returns 0 or an errno. */
int hs_sys_get_ambient(uint64_t allowed, uint64_t *ambient);
/** Makes the calling thread's ambient set exactly `ambient` (clear, then raise each bit);
 *  returns 0 or an errno. */
int hs_sys_set_ambient(uint64_t ambient);
/** The calling thread's SECBIT_KEEP_CAPS flag (0 or 1) in *on; returns 0 or an errno. */
int hs_sys_get_keepcaps(int *on);
/** Sets the calling thread's SECBIT_KEEP_CAPS flag; returns 0 or an errno. */
int hs_sys_set_keepcaps(int on);

/* ---- the calling thread's state ----------------------------------------------------- */

/** Free handle slots a thread keeps for itself, so open/close share no lock. */
#define HS_FREE_CACHE 128

/** Per-thread live counts (see hs_live_add). */
enum { HS_LIVE_OBJECTS = 0, HS_LIVE_HANDLES, HS_LIVE_TOKENS, HS_LIVE_IMPERSONATING, HS_LIVE_COUNT };

typedef struct hs_thread {
    void *state; /* the thread's Swift state (retained), or NULL */
    uint32_t free_count;
    uint32_t registered;         /* in the registry, exit destructor armed */
    uint32_t busy;               /* the thread is inside the library (re-entry from a signal handler) */
    int64_t live[HS_LIVE_COUNT]; /* written by this thread only; read by hs_live() */
    uint64_t next_id, id_limit;  /* this thread's block of ids */
    /* The last handle value this thread issued and what it decodes to (HandleTable): closing
     * or using it on this thread needs no decoding. 0 (never a handle): nothing remembered. */
    uint64_t last_handle, last_plain;
    struct hs_thread *next, *prev; /* the registry of threads (hs_live) */
    uint32_t free_slots[HS_FREE_CACHE];
} hs_thread;

extern __thread hs_thread hs_tls;
/* The hot paths reach the thread's block through an 8-byte initial-exec pointer (a %fs-relative
 * load) instead of hs_tls itself, whose global-dynamic model costs a __tls_get_addr call per
 * access. 8 bytes of static TLS fit the surplus glibc keeps for dlopen'ed libraries; the
 * 528-byte block itself stays dynamic. */
extern __thread hs_thread *hs_tls_self __attribute__((tls_model("initial-exec")));
hs_thread *hs_thread_self_slow(void);
HS_INLINE hs_thread *hs_thread_self(void) {
    hs_thread *t = hs_tls_self;
    if (__builtin_expect(t != NULL, 1)) return t;
    return hs_thread_self_slow();
}
/* Entering and leaving the library on the calling thread. A signal handler that calls in while
 * the interrupted code is inside finds `busy` set and is refused. Only this thread writes the
 * flag, so plain stores ordered against the signal (a compiler fence) are enough. */
HS_INLINE bool hs_enter(hs_thread *t) {
    if (t->busy) return false;
    t->busy = 1;
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    return true;
}
HS_INLINE void hs_leave(hs_thread *t) {
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    t->busy = 0;
}
HS_INLINE bool hs_cache_pop(hs_thread *t, uint32_t *slot) {
    if (t->free_count == 0) return false;
    *slot = t->free_slots[--t->free_count];
    return true;
}
HS_INLINE bool hs_cache_push(hs_thread *t, uint32_t slot) {
    if (t->free_count == HS_FREE_CACHE) return false;
    t->free_slots[t->free_count++] = slot;
    return true;
}

/* Live counts (objects, handles, tokens, impersonating threads) are kept per thread: each
 * thread adds to its own block with a plain store (no locked instruction, no shared cache
 * line), and hs_live() sums every registered thread plus what exited threads left behind.
 * A thread may go "negative" (an object released on another thread than it was made on); the
 * sum is exact. */
HS_INLINE void hs_live_add(int which, int64_t delta) {
    hs_thread *t = hs_thread_self();
    __atomic_store_n(&t->live[which], __atomic_load_n(&t->live[which], __ATOMIC_RELAXED) + delta, __ATOMIC_RELAXED);
}
/** The sum of one live count over every thread (takes the registry lock). */
uint64_t hs_live(int which);

/** A process-unique, never-zero 64-bit id (token ids, logon ids). Each thread takes ids from a
 *  block of its own, refilled from one atomic counter every HS_ID_BLOCK ids. */
#define HS_ID_BLOCK 4096
uint64_t hs_next_id_refill(hs_thread *t);
HS_INLINE uint64_t hs_next_id(void) {
    hs_thread *t = hs_thread_self();
    if (__builtin_expect(t->next_id == t->id_limit, 0)) return hs_next_id_refill(t);
    return t->next_id++;
}

/** Sets the function every thread runs at exit (with its hs_thread) before it leaves the
 *  registry. Every thread that touched the library is armed on its first access. */
void hs_thread_set_exit(void (*destructor)(hs_thread *));

/** Fork handlers for the thread registry (pthread_atfork in the shim itself). */
void hs_registry_fork_prepare(void);

/** A mutex for Swift that is safe across fork(): every lock made here is taken around fork
 *  (pthread_atfork) and starts free in the child. Locks are never freed; make a fixed few. */
typedef struct hs_lock hs_lock;
hs_lock *hs_lock_create(void);
void hs_lock_acquire(hs_lock *l);
void hs_lock_release(hs_lock *l);

/** 64 random bits from the kernel (getrandom), or a time-based value if unavailable. */
uint64_t hs_random64(void);

/* ---- processes and peers: spawn, peer credentials, pidfds (spawn.c) ----------------- */

/* HostSec_SpawnAsUser's child (spawn.c): everything prepared before the fork. */
#define HS_SPAWN_MAX_GROUPS    65536
/* What the child gets at descriptor 0, 1 or 2 (hs_spawn_request.stdio): a descriptor of the
 * caller (>= 0) put there, or one of these. */
#define HS_STDIO_NULL          (-1) /* /dev/null */
#define HS_STDIO_PASSED        (-2) /* the caller's own if a terminal, pipe or socket, else /dev/null */
#define HS_STDIO_TERMINAL_ONLY (-3) /* the caller's own if a terminal, else /dev/null */
typedef struct hs_spawn_request {
    /* The process's own credentials ("self"): the child returns to them first, so nothing of
     * the calling thread's impersonation carries over. */
    uint32_t self_ruid, self_euid, self_suid, self_rgid, self_egid, self_sgid;
    const uint32_t *self_groups;
    size_t self_ngroups;
    uint64_t self_effective, self_permitted, self_inheritable;
    uint32_t uid, gid;
    const uint32_t *groups;
    size_t ngroups;
    uint64_t effective, permitted, inheritable, ambient, bounding;
    bool no_new_privs; /* the token lost privileges: nothing may give them back at exec */
    int program;       /* the program, opened by the caller (O_PATH): run with execveat */
    char *const *argv;
    char *const *envp;
    const char *directory;  /* the working folder, changed to as the account */
    bool directory_or_root; /* when the account may not enter `directory`: "/" instead of failing */
    int stdio[3];           /* descriptors 0-2: HS_STDIO_* or a descriptor of the caller */
    bool detach_terminal;   /* a terminal left at 0-2 becomes /dev/null */
    bool close_descriptors; /* every descriptor but 0-2 closes at exec */
    int max_fd;             /* the descriptor limit, for kernels without close_range */
} hs_spawn_request;
/* The program for hs_spawn_request.program: open(path, O_PATH | O_CLOEXEC) by the calling
 * thread; -1 and errno on failure. */
int hs_open_program(const char *path);
/* 0, *pid and *pidfd (the child's pidfd, made by the clone that made it, close-on-exec; -1 on
 * a kernel without CLONE_PIDFD), or the errno that stopped it (in the parent, or the child
 * before exec) with *pidfd -1. */
int hs_spawn(const hs_spawn_request *r, pid_t *pid, int *pidfd);
/* SO_PEERCRED: 0, or the errno. */
int hs_peer_cred(int fd, int32_t *pid, uint32_t *uid, uint32_t *gid);
/* SO_PEERGROUPS into groups[*count]: 0 with *count the number, or the errno (ERANGE: *count is
 * the number needed). */
int hs_peer_groups(int fd, uint32_t *groups, uint32_t *count);
/* Process objects: a pidfd (-1 and errno on failure); poll for readability (1 ready, 0 timed
 * out, -1 error); reap through the pidfd (by pid only when pidfd is -1 or the kernel has no
 * P_PIDFD): 1 and *code when the child ended (exit status, 128 + signal, or
 * HS_EXIT_CODE_UNKNOWN_VALUE when someone else reaped it first), 0 while it runs (block 0);
 * reap on a detached thread, which then closes the pidfd (its owner from the call on). */
#define HS_EXIT_CODE_UNKNOWN_VALUE 0xFFFFFFFFu
int hs_pidfd_open(pid_t pid);
int hs_wait_readable(int fd, int timeout_ms);
int hs_reap_child(int pidfd, pid_t pid, int block, uint32_t *code);
void hs_reap_later(int pidfd, pid_t pid);

/* ---- PAM (pam_conversation.c) ------------------------------------------------------ */

#include <security/pam_appl.h>

/** What one logon's PAM conversation reads and records. */
typedef struct hs_pam_appdata {
    const char *password;     /* the caller's buffer, read in place */
    uint32_t answered;        /* hidden prompts answered: 0 or 1 */
    uint32_t messages;        /* informational and error messages received (not shown) */
    uint32_t fail_delay_usec; /* the delay the stack asked for on failure (pam_fail_delay) */
} hs_pam_appdata;

/** The conversation function: answers the first hidden prompt with a malloc'd copy of the
 *  password (libpam frees it), counts messages, refuses everything else (PAM_CONV_ERR). */
int hs_pam_conversation(int count, const struct pam_message **messages, struct pam_response **responses, void *appdata);
/** Installs the failure-delay callback on a handle: libpam reports the delay instead of
 *  sleeping, and the library waits itself (after releasing the PAM lock). */
int hs_pam_set_fail_delay(pam_handle_t *handle);
/** Serializes the library's PAM transactions of a stack not audited for threads (see
 *  PAM.swift). Safe across fork: a child starts with it free. */
void hs_pam_lock(void);
void hs_pam_unlock(void);
/** The lane of transactions for names that failed recently (PAM.swift, FailingLogons): at most
 *  one fewer than the CPUs the process may run on (at least one) at once, admitted in arrival
 *  order, and at most twice that many waiting. Returns 1 when admitted (leave it with
 *  hs_pam_lane_leave), 0 when the lane is full (nothing to leave). Safe across fork: a child
 *  starts with the lane empty. */
int hs_pam_lane_enter(void);
void hs_pam_lane_leave(void);
/** One transaction per account name at a time, in arrival order (bytes compared; PAM.swift):
 *  waits while an earlier transaction of `name` runs or waits in the process. Returns the mark to pass
 *  to hs_pam_name_leave, or NULL when out of memory (nothing to leave). pam_faillock checks
 *  its count at a transaction's start and adds to it at the end: overlapping transactions of
 *  one account would all pass the check. Safe across fork: a child starts with none running. */
void *hs_pam_name_enter(const char *name);
void hs_pam_name_leave(void *mark);
/** secure_getenv(3) (a _GNU_SOURCE declaration Swift's Glibc module does not show). */
const char *hs_secure_getenv(const char *name);

/* ---- HRESULT names (shim.c) ------------------------------------------------------- */

/** The macro name of hr in HOSTSEC_HRESULT_TABLE, or NULL for a code outside it (the
 *  exported HostSec_HResultName gives HOSTSEC_HRESULT_UNKNOWN_NAME instead). */
const char *hs_hresult_name(int32_t hr);
/** HostSec_HResultName's answer: the name, or HOSTSEC_HRESULT_UNKNOWN_NAME. */
const char *hs_hresult_name_or_unknown(int32_t hr);
/** One row of hostsec.h's HOSTSEC_HRESULT_RETURNED table ("E_HANDLE",
 *  "HRESULT_FROM_WIN32(ERROR_NO_TOKEN)"), for the test that checks the Swift constants. */
typedef struct hs_hresult_row {
    const char *name;
    int32_t value;
} hs_hresult_row;
/** The rows of HOSTSEC_HRESULT_RETURNED, in the header's order; *count receives how many. */
const hs_hresult_row *hs_hresult_returned(uint32_t *count);

/* ---- token access rights (shim.c) ------------------------------------------------- */

/** One of hostsec.h's access-right macros by name with its value ("TOKEN_QUERY",
 *  "TOKEN_ALL_ACCESS"), for the test that checks Swift's TokenRights. */
typedef struct hs_access_right_row {
    const char *name;
    uint32_t value;
} hs_access_right_row;
/** The header's token access rights: each TOKEN_* right and combination, the standard rights,
 *  ACCESS_SYSTEM_SECURITY, MAXIMUM_ALLOWED and the GENERIC_* rights, each evaluated by the C
 *  compiler from the header's own definition; *count receives how many. */
const hs_access_right_row *hs_token_access_rights(uint32_t *count);

/** HOSTSEC_VERSION_STRING, as a static string of the library (a Swift string literal would
 *  not be a C string with static lifetime). */
const char *hs_version_string(void);

/* ---- type information (typeinfo.c) -------------------------------------------------- */

struct HOSTSEC_INTERFACE_INFO;
/** The static description of interface `index` (hostsec.h's order), or NULL past the end. */
const struct HOSTSEC_INTERFACE_INFO *hs_interface_info_at(uint32_t index);

/** The flat functions typeinfo.c describes, by index (their Slot). */
enum {
    HS_FUNCTION_HostSec_LogonUserWithPassword = 0,
    HS_FUNCTION_DllGetClassObject,
    HS_FUNCTION_DllCanUnloadNow,
    HS_FUNCTION_HostSec_GetVersion,
    HS_FUNCTION_HostSec_GetVersionString,
    HS_FUNCTION_HostSec_HResultName,
    HS_FUNCTION_HostSec_GetStatistics,
    HS_FUNCTION_HostSec_CloseHandle,
    HS_FUNCTION_HostSec_OpenProcessToken,
    HS_FUNCTION_HostSec_ImpersonateSelf,
    HS_FUNCTION_HostSec_DuplicateTokenEx,
    HS_FUNCTION_HostSec_GetTokenInformation,
    HS_FUNCTION_HostSec_LogonUser,
    HS_FUNCTION_HostSec_SetPolicy,
    HS_FUNCTION_HostSec_GetInterfaceInfo,
    HS_FUNCTION_HostSec_GetInterfaceInfoAt,
    HS_FUNCTION_HostSec_GetFunctionInfoAt,
    HS_FUNCTION_HostSec_Invoke,
    HS_FUNCTION_HostSec_SetTrace,
    HS_FUNCTION_HostSec_SpawnAsUser,
    HS_FUNCTION_HostSec_OpenSocketClientToken,
    HS_FUNCTION_HostSec_ImpersonateSocketClient,
    HS_FUNCTION_HostSec_LogonUserWithPasswordNoWait,
    HS_FUNCTION_COUNT
};
struct HOSTSEC_METHOD_INFO;
/** The static description of flat function `index`, or NULL past the end. */
const struct HOSTSEC_METHOD_INFO *hs_function_info_at(uint32_t index);

/* The Win32 layer's last-error value (GetLastError / SetLastError): one per thread. */
uint32_t hs_w32_last_error(void);
void hs_w32_set_last_error(uint32_t code);

#endif /* HOSTSEC_SHIM_H */
