/* The C half of the shim: IID data, the HRESULT name table, thread-local state,
 * capability syscalls and the fork-safe lock. */
#include "hostsec.h"
#include "hostsec_shim.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/prctl.h>
#include <sys/random.h>

/* The IDs get a section of their own: the static Swift runtime's .rodata inputs are writable,
 * which makes the linked .rodata writable, and these must stay read-only (a stray write would
 * break every QueryInterface in the process). */
#pragma clang section rodata = "hostsec_ids"
const IID IID_IUnknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
const IID IID_IClassFactory = {0x00000001, 0x0000, 0x0000, {0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};
const IID IID_IHostControl = {0x02CA073C, 0x7079, 0x4860, {0x88, 0x0A, 0xC2, 0xF7, 0xA4, 0x49, 0xC9, 0x91}};
const IID IID_IHostSecurityManager = {0x75AD2468, 0xA349, 0x4D02, {0xA7, 0x64, 0x76, 0xA6, 0x8A, 0xEE, 0x0C, 0x4F}};
const IID IID_IHostSecurityContext = {0x7E573CE4, 0x0343, 0x4423, {0x98, 0xD7, 0x63, 0x18, 0x34, 0x8A, 0x1D, 0x3C}};
const CLSID CLSID_HostSecurityManager = {0x5F0C3A2E, 0x9B41, 0x4C6D, {0x8E, 0x27, 0x1A, 0x4B, 0x6C, 0x8D, 0x9E, 0x01}};
const CLSID CLSID_HostControl = {0x5F0C3A2E, 0x9B41, 0x4C6D, {0x8E, 0x27, 0x1A, 0x4B, 0x6C, 0x8D, 0x9E, 0x02}};
#pragma clang section rodata = ""

uint64_t hs_counters[HS_COUNTER_COUNT];
uint32_t hs_shared_closed;
__thread hs_thread hs_tls;
__thread hs_thread *hs_tls_self __attribute__((tls_model("initial-exec")));

/* The registry of thread blocks, for hs_live(): every thread that touched the library, until
 * it exits; an exiting thread adds its counts to `retired` and leaves. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static hs_thread *registry;
static int64_t retired[HS_LIVE_COUNT];
static uint64_t next_id_block = 1;

static pthread_key_t exit_key;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;
static void (*exit_destructor)(hs_thread *);

static void thread_exit(void *value) {
    hs_thread *t = value;
    void (*destructor)(hs_thread *) = __atomic_load_n(&exit_destructor, __ATOMIC_ACQUIRE);
    if (destructor != NULL) destructor(t);
    pthread_mutex_lock(&registry_lock);
    for (int i = 0; i < HS_LIVE_COUNT; i++) retired[i] += __atomic_load_n(&t->live[i], __ATOMIC_RELAXED);
    if (t->prev)
        t->prev->next = t->next;
    else
        registry = t->next;
    if (t->next) t->next->prev = t->prev;
    pthread_mutex_unlock(&registry_lock);
    memset(t->live, 0, sizeof t->live);
    t->registered = 0;
    hs_tls_self = NULL; /* a later call on this thread registers it again */
}

static void fork_parent(void) { pthread_mutex_unlock(&registry_lock); }
/* In a fork child only the forking thread exists. The other threads' blocks leave the
 * registry; what they made (objects, handles, tokens) still exists in the child and stays
 * counted, but their impersonations do not. */
static void fork_child(void) {
    pthread_mutex_init(&registry_lock, NULL);
    hs_thread *me = hs_tls_self;
    for (hs_thread *t = registry; t != NULL; t = t->next) {
        if (t == me) continue;
        for (int i = 0; i < HS_LIVE_COUNT; i++)
            if (i != HS_LIVE_IMPERSONATING) retired[i] += t->live[i];
    }
    registry = NULL;
    if (me != NULL && me->registered) {
        me->prev = me->next = NULL;
        registry = me;
    }
}
void hs_registry_fork_prepare(void) { pthread_mutex_lock(&registry_lock); }

static void make_exit_key(void) {
    (void)pthread_key_create(&exit_key, thread_exit);
    (void)pthread_atfork(hs_registry_fork_prepare, fork_parent, fork_child);
}

hs_thread *hs_thread_self_slow(void) {
    hs_thread *t = &hs_tls;
    (void)pthread_once(&exit_key_once, make_exit_key);
    if (!t->registered) {
        pthread_mutex_lock(&registry_lock);
        t->prev = NULL;
        t->next = registry;
        if (registry) registry->prev = t;
        registry = t;
        pthread_mutex_unlock(&registry_lock);
        t->registered = 1;
        (void)pthread_setspecific(exit_key, t);
    }
    hs_tls_self = t;
    return t;
}

void hs_thread_set_exit(void (*destructor)(hs_thread *)) {
    __atomic_store_n(&exit_destructor, destructor, __ATOMIC_RELEASE);
}

uint64_t hs_live(int which) {
    pthread_mutex_lock(&registry_lock);
    int64_t sum = retired[which];
    for (hs_thread *t = registry; t != NULL; t = t->next) sum += __atomic_load_n(&t->live[which], __ATOMIC_RELAXED);
    pthread_mutex_unlock(&registry_lock);
    return (uint64_t)sum;
}

uint64_t hs_next_id_refill(hs_thread *t) {
    t->next_id = __atomic_fetch_add(&next_id_block, HS_ID_BLOCK, __ATOMIC_RELAXED);
    t->id_limit = t->next_id + HS_ID_BLOCK;
    return t->next_id++;
}

const char *hs_hresult_name_or_unknown(HRESULT hr) {
    const char *name = hs_hresult_name(hr);
    return name != NULL ? name : HOSTSEC_HRESULT_UNKNOWN_NAME;
}

static const hs_hresult_row returned_rows[] = {
#define HS_ROW_X(name, value, meaning) {#name, (int32_t)(value)},
#define HS_ROW_W(name, value, meaning) {"HRESULT_FROM_WIN32(" #name ")", (int32_t)(value)},
    HOSTSEC_HRESULT_RETURNED(HS_ROW_X, HS_ROW_W)
#undef HS_ROW_X
#undef HS_ROW_W
};
const hs_hresult_row *hs_hresult_returned(uint32_t *count) {
    *count = sizeof returned_rows / sizeof returned_rows[0];
    return returned_rows;
}

static const hs_access_right_row token_rights_rows[] = {
/* One row a line (a formatter would take the rows for one expression): */
/* clang-format off */
#define HS_RIGHT(name) {#name, (uint32_t)(name)},
    HS_RIGHT(TOKEN_ASSIGN_PRIMARY) HS_RIGHT(TOKEN_DUPLICATE) HS_RIGHT(TOKEN_IMPERSONATE) HS_RIGHT(TOKEN_QUERY)
    HS_RIGHT(TOKEN_QUERY_SOURCE) HS_RIGHT(TOKEN_ADJUST_PRIVILEGES) HS_RIGHT(TOKEN_ADJUST_GROUPS)
    HS_RIGHT(TOKEN_ADJUST_DEFAULT) HS_RIGHT(TOKEN_ADJUST_SESSIONID)
    HS_RIGHT(DELETE) HS_RIGHT(READ_CONTROL) HS_RIGHT(WRITE_DAC) HS_RIGHT(WRITE_OWNER) HS_RIGHT(SYNCHRONIZE)
    HS_RIGHT(STANDARD_RIGHTS_REQUIRED) HS_RIGHT(ACCESS_SYSTEM_SECURITY) HS_RIGHT(MAXIMUM_ALLOWED)
    HS_RIGHT(GENERIC_ALL) HS_RIGHT(GENERIC_EXECUTE) HS_RIGHT(GENERIC_WRITE) HS_RIGHT(GENERIC_READ)
    HS_RIGHT(TOKEN_ALL_ACCESS) HS_RIGHT(TOKEN_READ) HS_RIGHT(TOKEN_WRITE) HS_RIGHT(TOKEN_EXECUTE)
#undef HS_RIGHT
    /* clang-format on */
};
const hs_access_right_row *hs_token_access_rights(uint32_t *count) {
    *count = sizeof token_rights_rows / sizeof token_rights_rows[0];
    return token_rights_rows;
}

const char *hs_version_string(void) { return HOSTSEC_VERSION_STRING; }

const char *hs_hresult_name(HRESULT hr) {
    switch ((uint32_t)hr) {
        /* One-line macros a formatter would take for case labels: */
        /* clang-format off */
#define HS_NAME_X(name, value, meaning) case (uint32_t)(value): return #name;
#define HS_NAME_W(name, value, meaning) case (uint32_t)(value): return "HRESULT_FROM_WIN32(" #name ")";
        HOSTSEC_HRESULT_TABLE(HS_NAME_X, HS_NAME_W)
#undef HS_NAME_X
#undef HS_NAME_W
        /* clang-format on */
    default: return NULL;
    }
}

int hs_sys_capget(uint64_t *effective, uint64_t *permitted, uint64_t *inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &header, data) == -1) return errno;
    *effective = (uint64_t)data[0].effective | ((uint64_t)data[1].effective << 32);
    *permitted = (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
    *inheritable = (uint64_t)data[0].inheritable | ((uint64_t)data[1].inheritable << 32);
    return 0;
}

int hs_sys_capset(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    data[0].permitted = (uint32_t)permitted;
    data[1].permitted = (uint32_t)(permitted >> 32);
    data[0].inheritable = (uint32_t)inheritable;
    data[1].inheritable = (uint32_t)(inheritable >> 32);
    return syscall(SYS_capset, &header, data) == -1 ? errno : 0;
}

int hs_sys_get_ambient(uint64_t allowed, uint64_t *ambient) {
    /* The ambient set is always a subset of permitted and inheritable: ask only for those. */
    uint64_t mask = 0;
    for (int cap = 0; cap < 64; cap++) {
        if (!(allowed & (UINT64_C(1) << cap))) continue;
        int r = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, (unsigned long)cap, 0UL, 0UL);
        if (r < 0) return errno;
        if (r == 1) mask |= UINT64_C(1) << cap;
    }
    *ambient = mask;
    return 0;
}

int hs_sys_set_ambient(uint64_t ambient) {
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) != 0) return errno;
    for (int cap = 0; cap < 64; cap++) {
        if (!(ambient & (UINT64_C(1) << cap))) continue;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0UL, 0UL) != 0) return errno;
    }
    return 0;
}

int hs_sys_get_keepcaps(int *on) {
    int r = prctl(PR_GET_KEEPCAPS, 0UL, 0UL, 0UL, 0UL);
    if (r < 0) return errno;
    *on = r;
    return 0;
}

int hs_sys_set_keepcaps(int on) {
    return prctl(PR_SET_KEEPCAPS, (unsigned long)(on != 0), 0UL, 0UL, 0UL) != 0 ? errno : 0;
}

struct hs_lock {
    pthread_mutex_t mutex;
};

/* Every hs_lock is taken around fork(): the parent releases them after, the child starts with
 * them free, so no child waits forever on a lock a thread of its parent held. The library never
 * holds two of them at once, so taking them all in creation order cannot deadlock. */
#define HS_MAX_LOCKS 16
static hs_lock *fork_locks[HS_MAX_LOCKS];
static int fork_lock_count;
static pthread_mutex_t fork_locks_guard = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t fork_locks_once = PTHREAD_ONCE_INIT;

static void locks_prepare(void) {
    pthread_mutex_lock(&fork_locks_guard);
    for (int i = 0; i < fork_lock_count; i++) pthread_mutex_lock(&fork_locks[i]->mutex);
}
static void locks_parent(void) {
    for (int i = fork_lock_count - 1; i >= 0; i--) pthread_mutex_unlock(&fork_locks[i]->mutex);
    pthread_mutex_unlock(&fork_locks_guard);
}
static void locks_child(void) {
    for (int i = 0; i < fork_lock_count; i++) pthread_mutex_init(&fork_locks[i]->mutex, NULL);
    pthread_mutex_init(&fork_locks_guard, NULL);
}
static void register_fork_handlers(void) { (void)pthread_atfork(locks_prepare, locks_parent, locks_child); }

static _Thread_local uint64_t thread_nonce;
static pthread_once_t thread_nonce_once = PTHREAD_ONCE_INIT;
static void thread_nonce_fork_child(void) { thread_nonce = 0; } /* the forking thread's, in the child */
static void register_thread_nonce_fork_handler(void) { (void)pthread_atfork(NULL, NULL, thread_nonce_fork_child); }

uint64_t hs_thread_nonce(void) {
    while (thread_nonce == 0) {
        (void)pthread_once(&thread_nonce_once, register_thread_nonce_fork_handler);
        thread_nonce = (uint64_t)arc4random() << 32 | arc4random();
    }
    return thread_nonce;
}

hs_lock *hs_lock_create(void) {
    hs_lock *l = malloc(sizeof *l);
    if (l == NULL) abort();
    pthread_mutex_init(&l->mutex, NULL);
    (void)pthread_once(&fork_locks_once, register_fork_handlers);
    pthread_mutex_lock(&fork_locks_guard);
    if (fork_lock_count == HS_MAX_LOCKS) abort(); /* the library makes a fixed few */
    fork_locks[fork_lock_count++] = l;
    pthread_mutex_unlock(&fork_locks_guard);
    return l;
}
void hs_lock_acquire(hs_lock *l) { pthread_mutex_lock(&l->mutex); }
void hs_lock_release(hs_lock *l) { pthread_mutex_unlock(&l->mutex); }

/* The handle cipher's keys come from here: never from a guessable source. getrandom blocks
 * only until the kernel's pool is first initialized (early boot); if it is unavailable
 * (seccomp, an old kernel) /dev/urandom is read; if neither works the process stops rather
 * than issue handles another component could predict. */
uint64_t hs_random64(void) {
    uint64_t v = 0;
    ssize_t got;
    do got = getrandom(&v, sizeof v, 0);
    while (got < 0 && errno == EINTR);
    if (got == (ssize_t)sizeof v) return v;
    FILE *f = fopen("/dev/urandom", "rbe");
    if (f != NULL) {
        size_t n = fread(&v, sizeof v, 1, f);
        fclose(f);
        if (n == 1) return v;
    }
    abort();
}
