/*
 * fuzz_abi.c - libFuzzer harness for the whole C ABI of libhostsec.so.
 *
 * Each input is decoded into a sequence of calls (at most MAX_STEPS) across every exported
 * function and every vtable slot: DllGetClassObject, DllCanUnloadNow, IUnknown (slots 0-2 of
 * every object), IClassFactory, IHostControl, IHostSecurityManager, IHostSecurityContext and
 * every HostSec_* function, with hostile arguments (NULL pointers, random, closed and
 * wrong-type handles, arbitrary access masks, out-of-range enums, foreign objects). Some steps
 * run on a second, persistent worker thread; some on a short-lived thread that exits while it
 * may still be impersonating.
 *
 * After every step it checks:
 *   - no E_FAIL / HOST_E_CLRNOTAVAILABLE, and the library has not failed closed;
 *   - out pointers are NULL after a failure and set after a success;
 *   - HostSec_GetStatistics agrees with what the sequence holds (objects, handles, server
 *     locks, impersonating threads);
 *   - the calling thread's kernel credentials are its token's identity when the token acts
 *     (level >= SecurityImpersonation), and exactly "self" otherwise;
 *   - contract results that are fully determined by the arguments (E_POINTER, E_HANDLE,
 *     CLASS_E_CLASSNOTAVAILABLE, ...).
 * Password logons go through the PAM service hostsec-fuzz (pam.d/hostsec-fuzz, installed by
 * scripts/setup): pam_unix without failure delay, so no input waits.
 * After each input it reverts both threads, closes and releases everything, and checks that
 * every count is back at its baseline and both threads are "self" again.
 *
 * A broken invariant prints what broke and aborts, which libFuzzer reports as a crash.
 * Built by scripts/fuzz; HOSTSEC_FUZZ_EMBEDDING=1 adds the embedding API (type information,
 * HostSec_Invoke, HostSec_SetTrace).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#define COBJMACROS
#include <hostsec.h>
#define HOSTSEC_W32_NO_WINDOWS_NAMES
#include <hostsec_win32.h>
#include <pthread.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#ifndef HOSTSEC_FUZZ_EMBEDDING
#define HOSTSEC_FUZZ_EMBEDDING 0
#endif

#define MAX_STEPS   64
#define MAX_OBJECTS 48
#define MAX_HANDLES 48
#define MAX_STALE   16
#define MAX_GROUPS  256

#define JUNK ((void *)(uintptr_t)0x5A5A5A5A5A5A5A5AULL)

/* ---- failing ------------------------------------------------------------------------- */

static int current_step;
static int current_op;
static int verbose; /* HOSTSEC_FUZZ_VERBOSE=1: print each step (to read a crashing input) */

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz_abi: invariant broken at step %d (op %d): ", current_step, current_op);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

static const char *hr_name(HRESULT hr) {
    const char *n = HostSec_HResultName(hr);
    return n ? n : "?";
}

/* No call may ever report a catastrophe: nothing the harness does breaks a restore. */
static HRESULT sane(HRESULT hr, const char *what) {
    if (hr == E_FAIL || hr == HOST_E_CLRNOTAVAILABLE) fail("%s returned %s", what, hr_name(hr));
    return hr;
}

static void expect(HRESULT got, HRESULT want, const char *what) {
    if (got != want)
        fail("%s returned 0x%08x (%s), expected 0x%08x (%s)", what, (unsigned)got, hr_name(got), (unsigned)want,
             hr_name(want));
}

static void out_rule(HRESULT hr, void *out, const char *what) {
    if (FAILED(hr) && out != NULL) fail("%s failed with %s but left its out pointer %p", what, hr_name(hr), out);
    if (SUCCEEDED(hr) && out == NULL) fail("%s succeeded but stored NULL", what);
}

/* ---- input --------------------------------------------------------------------------- */

typedef struct {
    const uint8_t *p;
    size_t n;
} input;

static uint8_t u8(input *in) {
    if (in->n == 0) return 0;
    in->n--;
    return *in->p++;
}
static uint32_t u32(input *in) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v = v << 8 | u8(in);
    return v;
}
static uint64_t u64(input *in) { return (uint64_t)u32(in) << 32 | u32(in); }

/* Access masks: mostly meaningful combinations, sometimes any 32 bits. */
static DWORD mask(input *in) {
    static const DWORD common[] = {0,
                                   TOKEN_QUERY,
                                   TOKEN_DUPLICATE,
                                   TOKEN_IMPERSONATE,
                                   TOKEN_QUERY_SOURCE,
                                   TOKEN_QUERY | TOKEN_DUPLICATE,
                                   TOKEN_QUERY | TOKEN_IMPERSONATE,
                                   TOKEN_ALL_ACCESS,
                                   MAXIMUM_ALLOWED,
                                   GENERIC_READ,
                                   GENERIC_WRITE,
                                   GENERIC_EXECUTE,
                                   GENERIC_ALL,
                                   ACCESS_SYSTEM_SECURITY,
                                   0xFFFFFFFFu};
    uint8_t b = u8(in);
    if (b < 200) return common[b % (sizeof common / sizeof common[0])];
    return u32(in);
}

/* An enum value: usually in range, sometimes any 32-bit value. */
static uint32_t enum_value(input *in, uint32_t lo, uint32_t hi) {
    uint8_t b = u8(in);
    if (b < 224) return lo + b % (hi - lo + 1);
    static const uint32_t odd[] = {0xFFFFFFFFu, 0x80000000u, 4, 5, 11, 99, 0x7FFFFFFFu, 2};
    return odd[b % 8];
}

/* ---- a foreign COM object that the library must never call ----------------------------- */

static HRESULT foreign_qi(void *This, REFIID riid, void **ppv) {
    (void)This;
    (void)riid;
    (void)ppv;
    fail("the library called into a foreign object (QueryInterface)");
}
static ULONG foreign_addref(void *This) {
    (void)This;
    fail("the library called into a foreign object (AddRef)");
}
static ULONG foreign_release(void *This) {
    (void)This;
    fail("the library called into a foreign object (Release)");
}
static HRESULT foreign_capture(void *This, void **pp) {
    (void)This;
    (void)pp;
    fail("the library called into a foreign object (Capture)");
}
static const struct {
    void *qi, *addref, *release, *capture;
} foreign_vtbl = {(void *)foreign_qi, (void *)foreign_addref, (void *)foreign_release, (void *)foreign_capture};
static struct {
    const void *vtbl;
    uint64_t junk[4];
} foreign_object = {&foreign_vtbl, {0x1111, 0x2222, 0x3333, 0x4444}};

/* ---- what the sequence holds ---------------------------------------------------------- */

enum kind { K_SM_FACTORY = 1, K_HC_FACTORY, K_CONTROL, K_MANAGER, K_CONTEXT };

static const IID *kind_iid(int k) {
    switch (k) {
    case K_SM_FACTORY:
    case K_HC_FACTORY: return &IID_IClassFactory;
    case K_CONTROL: return &IID_IHostControl;
    case K_MANAGER: return &IID_IHostSecurityManager;
    default: return &IID_IHostSecurityContext;
    }
}

typedef struct {
    void *p; /* one reference held on this interface pointer */
    int kind;
} ref;

static struct {
    ref refs[MAX_OBJECTS];
    int nrefs;
    HANDLE handles[MAX_HANDLES];
    int nhandles;
    HANDLE stale[MAX_STALE];
    int nstale;
    int locks;        /* server locks this input holds */
    int has_token[2]; /* main, worker: the thread holds a thread token (as last observed) */
    int tracing;
} S;

static HOSTSEC_STATISTICS baseline;

static void add_ref(void *p, int kind) {
    if (S.nrefs == MAX_OBJECTS) {
        /* full: give the reference straight back */
        IUnknown_Release((IUnknown *)p);
        return;
    }
    S.refs[S.nrefs].p = p;
    S.refs[S.nrefs].kind = kind;
    S.nrefs++;
}

static void drop_ref(int i) {
    S.refs[i] = S.refs[S.nrefs - 1];
    S.nrefs--;
}

static int distinct_objects(void) {
    int n = 0;
    for (int i = 0; i < S.nrefs; i++) {
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = S.refs[j].p == S.refs[i].p;
        n += !seen;
    }
    return n;
}

/* A held reference of kind k (any kind when k is 0), or -1. */
static int pick_ref(input *in, int k) {
    int idx[MAX_OBJECTS], n = 0;
    for (int i = 0; i < S.nrefs; i++)
        if (k == 0 || S.refs[i].kind == k) idx[n++] = i;
    if (n == 0) return -1;
    return idx[u8(in) % n];
}

static int holds_handle(HANDLE h) {
    for (int i = 0; i < S.nhandles; i++)
        if (S.handles[i] == h) return 1;
    return 0;
}

static void add_handle(HANDLE h) {
    if (holds_handle(h)) fail("a new handle %p equals one already open", h);
    if (S.nhandles == MAX_HANDLES) {
        expect(HostSec_CloseHandle(h), S_OK, "HostSec_CloseHandle(new handle, table full)");
        return;
    }
    S.handles[S.nhandles++] = h;
}

static void forget_handle(HANDLE h) {
    for (int i = 0; i < S.nhandles; i++)
        if (S.handles[i] == h) {
            S.handles[i] = S.handles[--S.nhandles];
            break;
        }
    if (S.nstale < MAX_STALE)
        S.stale[S.nstale++] = h;
    else
        S.stale[h == NULL ? 0 : ((uintptr_t)h >> 3) % MAX_STALE] = h;
}

/* A handle argument: held, closed, NULL, random, or a pointer to something else. */
static HANDLE pick_handle(input *in) {
    uint8_t b = u8(in);
    switch (b % 16) {
    case 0: return NULL;
    case 1: return (HANDLE)(uintptr_t)u64(in);
    case 2: return S.nstale ? S.stale[u8(in) % S.nstale] : (HANDLE)(uintptr_t)u32(in);
    case 3: return S.nrefs ? S.refs[u8(in) % S.nrefs].p : (HANDLE)&foreign_object;
    case 4: return (HANDLE)(uintptr_t)(u32(in) & 0xFFu); /* small integers: slot-like values */
    case 5:                                              /* a held handle with one bit flipped */
        if (S.nhandles) return (HANDLE)((uintptr_t)S.handles[u8(in) % S.nhandles] ^ ((uintptr_t)1 << (u8(in) % 64)));
        return JUNK;
    case 6: /* derived from a held handle as if its halves were (secret ^ generation, slot + 1) */
        if (S.nhandles) {
            uintptr_t v = (uintptr_t)S.handles[u8(in) % S.nhandles];
            uint32_t d = u8(in);
            uintptr_t high = (v & ~(uintptr_t)0xFFFFFFFFu) ^ ((uintptr_t)(d >> 6) << 32);
            return (HANDLE)(high | (uint32_t)((uint32_t)v + (d & 63) - 32));
        }
        return JUNK;
    default: return S.nhandles ? S.handles[u8(in) % S.nhandles] : NULL;
    }
}

/* An IID/CLSID argument. */
static const IID *pick_iid(input *in, IID *scratch) {
    switch (u8(in) % 10) {
    case 0: return NULL;
    case 1: return &IID_IUnknown;
    case 2: return &IID_IClassFactory;
    case 3: return &IID_IHostControl;
    case 4: return &IID_IHostSecurityManager;
    case 5: return &IID_IHostSecurityContext;
    case 6: return &CLSID_HostSecurityManager;
    case 7: return &CLSID_HostControl;
    case 8: /* a near miss: a real IID with one byte changed */
        *scratch = IID_IHostSecurityManager;
        ((uint8_t *)scratch)[u8(in) % 16] ^= (uint8_t)(1 + u8(in) % 255);
        return scratch;
    default:
        for (int i = 0; i < 16; i++) ((uint8_t *)scratch)[i] = u8(in);
        return scratch;
    }
}

static int same_iid(const IID *a, const IID *b) { return a && b && memcmp(a, b, sizeof *a) == 0; }

/* ---- credentials ---------------------------------------------------------------------- */

typedef struct {
    uint32_t ruid, euid, suid, rgid, egid, sgid;
    int ngroups;
    uint32_t groups[MAX_GROUPS];
    uint64_t eff, perm, inh;
} creds;

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void read_creds(creds *c) {
    memset(c, 0, sizeof *c);
    if (syscall(SYS_getresuid, &c->ruid, &c->euid, &c->suid) != 0) fail("getresuid");
    if (syscall(SYS_getresgid, &c->rgid, &c->egid, &c->sgid) != 0) fail("getresgid");
    gid_t g[MAX_GROUPS];
    long n = syscall(SYS_getgroups, MAX_GROUPS, g);
    if (n < 0) fail("getgroups");
    c->ngroups = (int)n;
    for (long i = 0; i < n; i++) c->groups[i] = g[i];
    qsort(c->groups, (size_t)n, sizeof c->groups[0], cmp_u32);
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    memset(d, 0, sizeof d);
    if (syscall(SYS_capget, &h, d) != 0) fail("capget");
    c->eff = (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
    c->perm = (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
    c->inh = (uint64_t)d[0].inheritable | (uint64_t)d[1].inheritable << 32;
}

static creds self_creds[3];                 /* main, worker, transient */
static IHostSecurityManager *probe_manager; /* held for the whole run (in the baseline) */

static void creds_equal(const creds *got, const creds *want, const char *what) {
    if (got->ruid != want->ruid || got->euid != want->euid || got->suid != want->suid || got->rgid != want->rgid ||
        got->egid != want->egid || got->sgid != want->sgid || got->ngroups != want->ngroups ||
        memcmp(got->groups, want->groups, sizeof(uint32_t) * (size_t)got->ngroups) || got->eff != want->eff ||
        got->perm != want->perm || got->inh != want->inh)
        fail("%s: kernel uids %u/%u/%u gids %u/%u/%u groups %d eff %llx perm %llx; expected uids %u/%u/%u "
             "gids %u/%u/%u groups %d eff %llx perm %llx",
             what, got->ruid, got->euid, got->suid, got->rgid, got->egid, got->sgid, got->ngroups,
             (unsigned long long)got->eff, (unsigned long long)got->perm, want->ruid, want->euid, want->suid,
             want->rgid, want->egid, want->sgid, want->ngroups, (unsigned long long)want->eff,
             (unsigned long long)want->perm);
}

static uint8_t info_buf[4096] __attribute__((aligned(16)));

static void token_info(HANDLE h, TOKEN_INFORMATION_CLASS cls, void *buf, DWORD size, const char *what) {
    DWORD len = 0;
    HRESULT hr = HostSec_GetTokenInformation(h, cls, buf, size, &len);
    if (hr != S_OK) fail("%s: GetTokenInformation(%d) of the thread token returned %s", what, (int)cls, hr_name(hr));
}

/* The calling thread's kernel credentials against its thread token; returns whether the
 * thread holds a token. who: 0 main, 1 worker, 2 transient. */
static int check_identity(int who, const char *what) {
    creds now, want;
    read_creds(&now);
    want = self_creds[who];
    HANDLE h = JUNK;
    HRESULT hr = IHostSecurityManager_OpenThreadToken(probe_manager, TOKEN_QUERY, TRUE, &h);
    sane(hr, "OpenThreadToken(probe)");
    out_rule(hr, h, "OpenThreadToken(probe)");
    int has = hr != HRESULT_FROM_WIN32(ERROR_NO_TOKEN);
    if (hr == S_OK) {
        SECURITY_IMPERSONATION_LEVEL level;
        token_info(h, TokenImpersonationLevel, &level, sizeof level, what);
        if (level >= SecurityImpersonation) {
            HOSTSEC_TOKEN_USER user;
            HOSTSEC_TOKEN_PRIMARY_GROUP group;
            token_info(h, TokenUser, &user, sizeof user, what);
            token_info(h, TokenPrimaryGroup, &group, sizeof group, what);
            token_info(h, TokenGroups, info_buf, sizeof info_buf, what);
            HOSTSEC_TOKEN_GROUPS *groups = (HOSTSEC_TOKEN_GROUPS *)info_buf;
            if (groups->GroupCount > MAX_GROUPS) fail("%s: token has %u groups", what, groups->GroupCount);
            /* acting as another uid, the real uid is a reserved one (0xF0000000-0xFFFFFFFD, which
             * one depends on the thread's random key), which no account holds */
            want.euid = user.Uid;
            want.ruid = user.Uid == self_creds[who].euid && user.Uid == self_creds[who].ruid ? user.Uid
                        : now.ruid >= 0xF0000000u && now.ruid <= 0xFFFFFFFDu                 ? now.ruid
                                                                                             : 0;
            want.rgid = want.egid = group.Gid;
            want.ngroups = (int)groups->GroupCount;
            memcpy(want.groups, groups->Gids, sizeof(uint32_t) * groups->GroupCount);
            qsort(want.groups, (size_t)want.ngroups, sizeof want.groups[0], cmp_u32);
            token_info(h, TokenPrivileges, info_buf, sizeof info_buf, what);
            HOSTSEC_TOKEN_PRIVILEGES *privs = (HOSTSEC_TOKEN_PRIVILEGES *)info_buf;
            uint64_t eff = 0;
            for (DWORD i = 0; i < privs->PrivilegeCount; i++)
                if (privs->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED)
                    eff |= 1ULL << privs->Privileges[i].Capability;
            want.eff = eff & self_creds[who].perm;
            /* saved ids, permitted and inheritable sets stay "self" */
        }
        expect(HostSec_CloseHandle(h), S_OK, "HostSec_CloseHandle(probe)");
    } else if (hr != HRESULT_FROM_WIN32(ERROR_NO_TOKEN) && hr != HRESULT_FROM_WIN32(ERROR_CANT_OPEN_ANONYMOUS)) {
        /* the probe opens as self: only an access denial is acceptable besides those */
        if (hr != E_ACCESSDENIED) fail("%s: OpenThreadToken(probe) returned %s", what, hr_name(hr));
        return has;
    }
    creds_equal(&now, &want, what);
    return has;
}

/* ---- statistics ----------------------------------------------------------------------- */

static void check_counts(const char *what) {
    HOSTSEC_STATISTICS s;
    expect(HostSec_GetStatistics(&s), S_OK, "HostSec_GetStatistics");
    if (s.FailedClosed) fail("%s: the library failed closed", what);
    uint64_t objects = baseline.LiveObjects + (uint64_t)distinct_objects();
    if (s.LiveObjects != objects)
        fail("%s: LiveObjects %llu, the sequence holds %llu", what, (unsigned long long)s.LiveObjects,
             (unsigned long long)objects);
    if (s.LiveHandles != baseline.LiveHandles + (uint64_t)S.nhandles)
        fail("%s: LiveHandles %llu, the sequence holds %llu", what, (unsigned long long)s.LiveHandles,
             (unsigned long long)(baseline.LiveHandles + (uint64_t)S.nhandles));
    if (s.ServerLocks != baseline.ServerLocks + (uint64_t)S.locks)
        fail("%s: ServerLocks %llu, the sequence holds %d", what, (unsigned long long)s.ServerLocks, S.locks);
    uint64_t imp = baseline.ImpersonatingThreads + (uint64_t)(S.has_token[0] + S.has_token[1]);
    if (s.ImpersonatingThreads != imp)
        fail("%s: ImpersonatingThreads %llu, expected %llu", what, (unsigned long long)s.ImpersonatingThreads,
             (unsigned long long)imp);
    if (s.LiveTokens < (uint64_t)(S.nhandles > 0)) fail("%s: handles open but no live tokens", what);
}

/* ---- the worker threads --------------------------------------------------------------- */

typedef void (*job_fn)(void *);
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job_fn fn;
    void *arg;
    int busy;
} mailbox = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, NULL, 0};

static void *worker_main(void *unused) {
    (void)unused;
    pthread_mutex_lock(&mailbox.mu);
    for (;;) {
        while (!mailbox.busy) pthread_cond_wait(&mailbox.cv, &mailbox.mu);
        job_fn fn = mailbox.fn;
        void *arg = mailbox.arg;
        pthread_mutex_unlock(&mailbox.mu);
        fn(arg);
        pthread_mutex_lock(&mailbox.mu);
        mailbox.busy = 0;
        pthread_cond_broadcast(&mailbox.cv);
    }
    return NULL;
}

/* Runs fn(arg) on the worker and waits for it. */
static void on_worker(job_fn fn, void *arg) {
    pthread_mutex_lock(&mailbox.mu);
    mailbox.fn = fn;
    mailbox.arg = arg;
    mailbox.busy = 1;
    pthread_cond_broadcast(&mailbox.cv);
    while (mailbox.busy) pthread_cond_wait(&mailbox.cv, &mailbox.mu);
    pthread_mutex_unlock(&mailbox.mu);
}

/* ---- one step ------------------------------------------------------------------------- */

enum {
    OP_GET_CLASS_OBJECT,
    OP_CAN_UNLOAD,
    OP_QUERY_INTERFACE,
    OP_ADDREF,
    OP_RELEASE,
    OP_CREATE_INSTANCE,
    OP_LOCK_SERVER,
    OP_GET_HOST_MANAGER,
    OP_SET_APPDOMAIN_MANAGER,
    OP_IMPERSONATE,
    OP_REVERT,
    OP_OPEN_THREAD_TOKEN,
    OP_SET_THREAD_TOKEN,
    OP_GET_CONTEXT,
    OP_SET_CONTEXT,
    OP_CAPTURE,
    OP_CLOSE_HANDLE,
    OP_OPEN_PROCESS_TOKEN,
    OP_IMPERSONATE_SELF,
    OP_DUPLICATE,
    OP_TOKEN_INFORMATION,
    OP_LOGON,
    OP_MISC,
    OP_EMBEDDING,
    OP_TRANSIENT_THREAD,
    OP_COUNT
};

typedef struct {
    input *in;
    int who; /* 0 main, 1 worker, 2 transient */
} step_args;

static IHostSecurityManager *manager_arg(input *in) {
    int i = pick_ref(in, K_MANAGER);
    return i < 0 ? probe_manager : (IHostSecurityManager *)S.refs[i].p;
}

static void op_get_class_object(input *in) {
    IID a, b;
    const IID *clsid = pick_iid(in, &a), *iid = pick_iid(in, &b);
    int null_out = u8(in) % 8 == 0;
    void *p = JUNK;
    HRESULT hr = sane(DllGetClassObject(clsid, iid, null_out ? NULL : &p), "DllGetClassObject");
    HRESULT want;
    int k = same_iid(clsid, &CLSID_HostSecurityManager) ? K_SM_FACTORY
            : same_iid(clsid, &CLSID_HostControl)       ? K_HC_FACTORY
                                                        : 0;
    if (null_out || !clsid || !iid)
        want = E_POINTER;
    else if (!k)
        want = CLASS_E_CLASSNOTAVAILABLE;
    else if (!same_iid(iid, &IID_IClassFactory) && !same_iid(iid, &IID_IUnknown))
        want = E_NOINTERFACE;
    else
        want = S_OK;
    expect(hr, want, "DllGetClassObject");
    if (null_out) return;
    out_rule(hr, p, "DllGetClassObject");
    if (hr == S_OK) add_ref(p, k);
}

static void op_can_unload(void) {
    HRESULT hr = DllCanUnloadNow();
    HOSTSEC_STATISTICS s;
    HostSec_GetStatistics(&s);
    expect(hr, s.LiveObjects == 0 && s.ServerLocks == 0 ? S_OK : S_FALSE, "DllCanUnloadNow");
}

static void op_query_interface(input *in) {
    int i = pick_ref(in, 0);
    if (i < 0) return;
    IID scratch;
    const IID *iid = pick_iid(in, &scratch);
    int null_out = u8(in) % 8 == 0;
    void *p = JUNK, *obj = S.refs[i].p;
    int k = S.refs[i].kind;
    HRESULT hr = sane(IUnknown_QueryInterface((IUnknown *)obj, iid, null_out ? NULL : &p), "QueryInterface");
    HRESULT want = null_out || !iid                                               ? E_POINTER
                   : (same_iid(iid, &IID_IUnknown) || same_iid(iid, kind_iid(k))) ? S_OK
                                                                                  : E_NOINTERFACE;
    expect(hr, want, "QueryInterface");
    if (null_out) return;
    out_rule(hr, p, "QueryInterface");
    if (hr == S_OK) {
        if (p != obj) fail("QueryInterface gave %p for object %p: COM identity broken", p, obj);
        add_ref(p, k);
    }
}

static void op_addref(input *in) {
    int i = pick_ref(in, 0);
    if (i < 0) return;
    ULONG n = IUnknown_AddRef((IUnknown *)S.refs[i].p);
    if (n < 2) fail("AddRef returned %u with at least two references held", n);
    add_ref(S.refs[i].p, S.refs[i].kind);
}

static void op_release(input *in) {
    int i = pick_ref(in, 0);
    if (i < 0) return;
    void *p = S.refs[i].p;
    int held = 0;
    for (int j = 0; j < S.nrefs; j++) held += S.refs[j].p == p;
    ULONG n = IUnknown_Release((IUnknown *)p);
    if ((int)n != held - 1) fail("Release returned %u, the sequence holds %d other references", n, held - 1);
    drop_ref(i);
}

static void op_create_instance(input *in) {
    int i = pick_ref(in, u8(in) & 1 ? K_SM_FACTORY : K_HC_FACTORY);
    if (i < 0) return;
    IClassFactory *f = S.refs[i].p;
    int product = S.refs[i].kind == K_SM_FACTORY ? K_MANAGER : K_CONTROL;
    IID scratch;
    const IID *iid = pick_iid(in, &scratch);
    uint8_t b = u8(in);
    IUnknown *outer = b % 8 == 0 ? (IUnknown *)&foreign_object : b % 8 == 1 && S.nrefs ? S.refs[0].p : NULL;
    int null_out = b % 8 == 2;
    void *p = JUNK;
    HRESULT hr = sane(IClassFactory_CreateInstance(f, outer, iid, null_out ? NULL : &p), "CreateInstance");
    HRESULT want = null_out || !iid                                                     ? E_POINTER
                   : outer                                                              ? CLASS_E_NOAGGREGATION
                   : (same_iid(iid, &IID_IUnknown) || same_iid(iid, kind_iid(product))) ? S_OK
                                                                                        : E_NOINTERFACE;
    expect(hr, want, "CreateInstance");
    if (null_out) return;
    out_rule(hr, p, "CreateInstance");
    if (hr == S_OK) add_ref(p, product);
}

static void op_lock_server(input *in) {
    int i = pick_ref(in, u8(in) & 1 ? K_SM_FACTORY : K_HC_FACTORY);
    if (i < 0) return;
    uint8_t b = u8(in);
    BOOL lock = b % 3 == 0 ? FALSE : b % 3 == 1 ? TRUE : (BOOL)u32(in);
    if (S.locks >= 16 && lock) lock = FALSE;
    HRESULT hr = sane(IClassFactory_LockServer((IClassFactory *)S.refs[i].p, lock), "LockServer");
    HOSTSEC_STATISTICS s;
    HostSec_GetStatistics(&s);
    if (lock) {
        expect(hr, S_OK, "LockServer(TRUE)");
        S.locks++;
    } else if (S.locks > 0 || s.ServerLocks > 0) {
        expect(hr, S_OK, "LockServer(FALSE)");
        S.locks--;
    } else {
        expect(hr, E_UNEXPECTED, "LockServer(FALSE) without a lock");
    }
}

static void op_get_host_manager(input *in) {
    int i = pick_ref(in, K_CONTROL);
    if (i < 0) return;
    IID scratch;
    const IID *iid = pick_iid(in, &scratch);
    int null_out = u8(in) % 8 == 0;
    void *p = JUNK;
    HRESULT hr =
        sane(IHostControl_GetHostManager((IHostControl *)S.refs[i].p, iid, null_out ? NULL : &p), "GetHostManager");
    HRESULT want = null_out || !iid ? E_POINTER : same_iid(iid, &IID_IHostSecurityManager) ? S_OK : E_NOINTERFACE;
    expect(hr, want, "GetHostManager");
    if (null_out) return;
    out_rule(hr, p, "GetHostManager");
    if (hr == S_OK) add_ref(p, K_MANAGER);
}

static void op_set_appdomain_manager(input *in) {
    int i = pick_ref(in, K_CONTROL);
    if (i < 0) return;
    uint8_t b = u8(in);
    IUnknown *mgr = b % 3 == 0 ? NULL : b % 3 == 1 ? (IUnknown *)&foreign_object : S.refs[u8(in) % S.nrefs].p;
    expect(IHostControl_SetAppDomainManager((IHostControl *)S.refs[i].p, u32(in), mgr), S_OK, "SetAppDomainManager");
}

/* The interface macros evaluate This twice: every This argument is a plain variable. */
static void op_impersonate(input *in) {
    HANDLE h = pick_handle(in);
    IHostSecurityManager *m = manager_arg(in);
    HRESULT hr = sane(IHostSecurityManager_ImpersonateLoggedOnUser(m, h), "ImpersonateLoggedOnUser");
    if (!holds_handle(h)) expect(hr, E_HANDLE, "ImpersonateLoggedOnUser(not a live handle)");
}

static void op_revert(input *in) {
    IHostSecurityManager *m = manager_arg(in);
    expect(IHostSecurityManager_RevertToSelf(m), S_OK, "RevertToSelf");
}

static void op_open_thread_token(input *in) {
    DWORD access = mask(in);
    uint8_t b = u8(in);
    BOOL as_self = b % 3 == 2 ? (BOOL)u32(in) : (BOOL)(b % 3);
    int null_out = u8(in) % 8 == 0;
    HANDLE h = JUNK;
    IHostSecurityManager *m = manager_arg(in);
    HRESULT hr =
        sane(IHostSecurityManager_OpenThreadToken(m, access, as_self, null_out ? NULL : &h), "OpenThreadToken");
    if (null_out) {
        expect(hr, E_POINTER, "OpenThreadToken(NULL)");
        return;
    }
    out_rule(hr, h, "OpenThreadToken");
    if (hr == S_OK) add_handle(h);
}

static void op_set_thread_token(input *in) {
    HANDLE h = pick_handle(in);
    IHostSecurityManager *m = manager_arg(in);
    HRESULT hr = sane(IHostSecurityManager_SetThreadToken(m, h), "SetThreadToken");
    if (h == NULL)
        expect(hr, S_OK, "SetThreadToken(NULL)");
    else if (!holds_handle(h))
        expect(hr, E_HANDLE, "SetThreadToken(not a live handle)");
}

static void op_get_context(input *in) {
    EContextType type = (EContextType)enum_value(in, 0, 1);
    int null_out = u8(in) % 8 == 0;
    IHostSecurityContext *c = JUNK;
    IHostSecurityManager *m = manager_arg(in);
    HRESULT hr = sane(IHostSecurityManager_GetSecurityContext(m, type, null_out ? NULL : &c), "GetSecurityContext");
    if (null_out) {
        expect(hr, E_POINTER, "GetSecurityContext(NULL)");
        return;
    }
    if ((uint32_t)type > 1) expect(hr, E_INVALIDARG, "GetSecurityContext(bad type)");
    out_rule(hr, c, "GetSecurityContext");
    if (hr == S_OK) add_ref(c, K_CONTEXT);
}

static void op_set_context(input *in) {
    EContextType type = (EContextType)enum_value(in, 0, 1);
    uint8_t b = u8(in);
    int i = pick_ref(in, K_CONTEXT);
    void *c;
    int own = 0;
    switch (b % 6) {
    case 0: c = NULL; break;
    case 1: c = &foreign_object; break;
    case 2: {
        int m = pick_ref(in, 0);
        c = m < 0 ? NULL : S.refs[m].p;
        own = m >= 0 && S.refs[m].kind == K_CONTEXT;
    } break;
    default:
        c = i < 0 ? NULL : S.refs[i].p;
        own = i >= 0;
        break;
    }
    IHostSecurityManager *m = manager_arg(in);
    HRESULT hr = sane(IHostSecurityManager_SetSecurityContext(m, type, c), "SetSecurityContext");
    if ((uint32_t)type > 1)
        expect(hr, E_INVALIDARG, "SetSecurityContext(bad type)");
    else if (c == NULL)
        expect(hr, E_POINTER, "SetSecurityContext(NULL)");
    else if (!own)
        expect(hr, E_INVALIDARG, "SetSecurityContext(not a context of the library)");
}

static void op_capture(input *in) {
    int i = pick_ref(in, K_CONTEXT);
    if (i < 0) return;
    int null_out = u8(in) % 8 == 0;
    IHostSecurityContext *c = JUNK;
    HRESULT hr =
        sane(IHostSecurityContext_Capture((IHostSecurityContext *)S.refs[i].p, null_out ? NULL : &c), "Capture");
    if (null_out) {
        expect(hr, E_POINTER, "Capture(NULL)");
        return;
    }
    out_rule(hr, c, "Capture");
    expect(hr, S_OK, "Capture");
    if (c == S.refs[i].p) fail("Capture returned the same object");
    add_ref(c, K_CONTEXT);
}

static void op_close_handle(input *in) {
    HANDLE h = pick_handle(in);
    int held = holds_handle(h);
    HRESULT hr = sane(HostSec_CloseHandle(h), "HostSec_CloseHandle");
    expect(hr, held ? S_OK : E_HANDLE, "HostSec_CloseHandle");
    if (held) forget_handle(h);
}

static void op_open_process_token(input *in) {
    DWORD access = mask(in);
    int null_out = u8(in) % 8 == 0;
    HANDLE h = JUNK;
    HRESULT hr = sane(HostSec_OpenProcessToken(access, null_out ? NULL : &h), "HostSec_OpenProcessToken");
    if (null_out) {
        expect(hr, E_POINTER, "HostSec_OpenProcessToken(NULL)");
        return;
    }
    out_rule(hr, h, "HostSec_OpenProcessToken");
    if (hr == S_OK) add_handle(h);
}

static void op_impersonate_self(input *in) {
    uint32_t level = enum_value(in, 0, 3);
    HRESULT hr = sane(HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)level), "HostSec_ImpersonateSelf");
    expect(hr, level > 3 ? E_INVALIDARG : S_OK, "HostSec_ImpersonateSelf");
}

static void op_duplicate(input *in) {
    HANDLE h = pick_handle(in);
    DWORD access = mask(in);
    uint32_t level = enum_value(in, 0, 3), type = enum_value(in, 1, 2);
    int null_out = u8(in) % 8 == 0;
    HANDLE n = JUNK;
    HRESULT hr = sane(HostSec_DuplicateTokenEx(h, access, (SECURITY_IMPERSONATION_LEVEL)level, (TOKEN_TYPE)type,
                                               null_out ? NULL : &n),
                      "HostSec_DuplicateTokenEx");
    if (null_out) {
        expect(hr, E_POINTER, "HostSec_DuplicateTokenEx(NULL)");
        return;
    }
    if (!holds_handle(h)) expect(hr, E_HANDLE, "HostSec_DuplicateTokenEx(not a live handle)");
    out_rule(hr, n, "HostSec_DuplicateTokenEx");
    if (hr == S_OK) add_handle(n);
}

static void op_token_information(input *in) {
    static uint8_t buf[512] __attribute__((aligned(16)));
    HANDLE h = pick_handle(in);
    uint32_t cls = enum_value(in, 1, 10);
    uint8_t b = u8(in);
    DWORD len = b < 128 ? b : b < 240 ? (DWORD)u8(in) * 2 : u32(in) % 512;
    int null_buf = u8(in) % 6 == 0, null_ret = u8(in) % 10 == 0;
    if (null_buf && u8(in) & 1) len = 0;
    memset(buf, 0xA5, sizeof buf);
    DWORD ret = 0xDEADBEEF;
    HRESULT hr = sane(HostSec_GetTokenInformation(h, (TOKEN_INFORMATION_CLASS)cls, null_buf ? NULL : buf, len,
                                                  null_ret ? NULL : &ret),
                      "HostSec_GetTokenInformation");
    if (null_ret)
        expect(hr, E_POINTER, "HostSec_GetTokenInformation(ReturnLength NULL)");
    else if (!holds_handle(h)) {
        /* two errors at once (no handle, NULL buffer with a length): either may be reported */
        if (hr != E_HANDLE && !(null_buf && len && hr == E_POINTER))
            expect(hr, E_HANDLE, "HostSec_GetTokenInformation(not a live handle)");
    } else if (null_buf && len && hr != E_POINTER && hr != E_ACCESSDENIED && hr != E_INVALIDARG) {
        /* never a success; which of several argument errors is reported is not specified */
        expect(hr, E_POINTER, "HostSec_GetTokenInformation(NULL buffer, length)");
    }
    if (!null_buf) {
        size_t untouched_from = hr == S_OK ? len : 0;
        for (size_t i = untouched_from; i < sizeof buf; i++)
            if (buf[i] != 0xA5)
                fail("HostSec_GetTokenInformation(class %u, length %u) -> %s wrote byte %zu", cls, len, hr_name(hr), i);
    }
    if (hr == S_OK && ret > len) fail("HostSec_GetTokenInformation: S_OK with ReturnLength %u > %u", ret, len);
    if (hr == HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER) && ret <= len)
        fail("HostSec_GetTokenInformation: INSUFFICIENT_BUFFER with ReturnLength %u <= %u", ret, len);
}

/* A name of the input's own bytes (up to 12; a NUL byte becomes 0xE9, invalid UTF-8): the library must match it
 * byte for byte, as getpwnam does. */
static void op_logon_bytes(input *in) {
    char name[13];
    size_t length = u8(in) % sizeof name;
    for (size_t i = 0; i < length; i++) {
        uint8_t c = u8(in);
        name[i] = (char)(c ? c : 0xe9);
    }
    name[length] = 0;
    HANDLE h = JUNK;
    HRESULT hr = sane(HostSec_LogonUser(name, &h), "HostSec_LogonUser(bytes)");
    out_rule(hr, h, "HostSec_LogonUser(bytes)");
    struct passwd *pw = length ? getpwnam(name) : NULL;
    if (pw == NULL && hr != HRESULT_FROM_WIN32(ERROR_NONE_MAPPED) && hr != HOST_E_CLRNOTAVAILABLE)
        fail("HostSec_LogonUser(bytes) -> %s for a name getpwnam does not know", hr_name(hr));
    if (hr == S_OK) {
        HOSTSEC_TOKEN_USER user = {0};
        DWORD got = 0;
        if (HostSec_GetTokenInformation(h, TokenUser, &user, sizeof user, &got) != S_OK || pw == NULL ||
            user.Uid != pw->pw_uid)
            fail("HostSec_LogonUser(bytes) logged on as another account than getpwnam's");
        add_handle(h);
    }
}

/* HostSec_LogonUserWithPassword through the service HOSTSEC_PAM_SERVICE names (hostsec-fuzz,
 * set in LLVMFuzzerInitialize: pam_unix with "nodelay"), so no call waits for a failure delay
 * and the conversation never blocks: it answers from the input, never from a terminal. The
 * password comes from the input (up to 40 bytes) or is NULL. */
static void op_logon_password(input *in, const char *name, uint8_t b) {
    char password[41];
    size_t n = u8(in) % 41;
    for (size_t i = 0; i < n; i++) password[i] = (char)(u8(in) | 1); /* no NUL inside */
    password[n] = 0;
    int null_password = b % 7 == 0, null_out = u8(in) % 8 == 0;
    HANDLE h = JUNK;
    HRESULT hr = sane(HostSec_LogonUserWithPassword(name, null_password ? NULL : password, null_out ? NULL : &h),
                      "HostSec_LogonUserWithPassword");
    if (null_out || !name || null_password) {
        expect(hr, E_POINTER, "HostSec_LogonUserWithPassword(NULL)");
        if (!null_out && h != NULL) fail("HostSec_LogonUserWithPassword(NULL) left its out pointer");
        return;
    }
    out_rule(hr, h, "HostSec_LogonUserWithPassword");
    if (name[0] == 0)
        expect(hr, E_INVALIDARG, "HostSec_LogonUserWithPassword(\"\")");
    else if (hr != S_OK && hr != HRESULT_FROM_WIN32(ERROR_LOGON_FAILURE) &&
             hr != HRESULT_FROM_WIN32(ERROR_NO_LOGON_SERVERS) && hr != HRESULT_FROM_WIN32(ERROR_ACCOUNT_EXPIRED) &&
             hr != HRESULT_FROM_WIN32(ERROR_PASSWORD_EXPIRED) && hr != HRESULT_FROM_WIN32(ERROR_ACCOUNT_DISABLED) &&
             hr != HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED))
        fail("HostSec_LogonUserWithPassword(%s) -> %s", name, hr_name(hr));
    if (b % 10 >= 6 && b % 10 != 8 && hr == S_OK) fail("HostSec_LogonUserWithPassword(no account) -> S_OK");
    /* root, nobody (nologin shell), daemon, bin, sys (below UID_MIN): refused before PAM. */
    if (b % 10 <= 4 && hr != HRESULT_FROM_WIN32(ERROR_LOGON_TYPE_NOT_GRANTED))
        fail("HostSec_LogonUserWithPassword(%s) -> %s, not ERROR_LOGON_TYPE_NOT_GRANTED", name, hr_name(hr));
    if (hr == S_OK) add_handle(h);
}

static void op_logon(input *in) {
    static const char *names[] = {"root",   "nobody", "daemon", "bin", "sys", "", "no-such-account-x",
                                  "root\n", "0",      NULL};
    uint8_t b = u8(in);
    if (b >= 250) {
        op_logon_bytes(in);
        return;
    }
    const char *name = names[b % 10];
    if ((b / 10) % 4 == 3) {
        op_logon_password(in, name, b);
        return;
    }
    int null_out = u8(in) % 8 == 0;
    HANDLE h = JUNK;
    HRESULT hr = sane(HostSec_LogonUser(name, null_out ? NULL : &h), "HostSec_LogonUser");
    if (null_out || !name) {
        expect(hr, E_POINTER, "HostSec_LogonUser(NULL)");
        if (!null_out && h != NULL) fail("HostSec_LogonUser(NULL name) left its out pointer");
        return;
    }
    out_rule(hr, h, "HostSec_LogonUser");
    if (b % 10 >= 5 && b % 10 != 8) expect(hr, HRESULT_FROM_WIN32(ERROR_NONE_MAPPED), "HostSec_LogonUser(no account)");
    if (hr == S_OK) add_handle(h);
}

/* Access control on fuzzed handles and bytes: socket clients on any descriptor number,
 * SpawnAsUser's argument checks (no process is started), restricted tokens, a token's
 * descriptor read and replaced from fuzzed SDDL, AccessCheck against it. */
static void op_access_control(input *in) {
    HANDLE h = pick_handle(in), n = JUNK;
    switch (u8(in) % 5) {
    case 0: {
        HRESULT hr = sane(HostSec_OpenSocketClientToken(u8(in) % 64, mask(in), &n), "HostSec_OpenSocketClientToken");
        if (hr != S_OK && hr != E_HANDLE && hr != HRESULT_FROM_WIN32(1368) && hr != E_ACCESSDENIED)
            fail("HostSec_OpenSocketClientToken: %s", hr_name(hr));
        out_rule(hr, n, "HostSec_OpenSocketClientToken");
        if (hr == S_OK) add_handle(n);
        break;
    }
    case 1: {
        pid_t pid = 77;
        char *argv[] = {"true", NULL};
        expect(HostSec_SpawnAsUser(h, NULL, argv, NULL, &pid), E_POINTER, "HostSec_SpawnAsUser(path NULL)");
        if (pid != 77) fail("HostSec_SpawnAsUser: pid written on failure");
        break;
    }
    case 2: {
        DWORD flags = u8(in) % 4;
        BOOL ok = HostSecW32_CreateRestrictedToken(h, flags, 0, NULL, 0, NULL, 0, NULL, &n);
        if (!ok && n != NULL) fail("CreateRestrictedToken: out handle not NULL on failure");
        if (ok && !holds_handle(h)) fail("CreateRestrictedToken: succeeded on a handle not held");
        if (ok) add_handle(n);
        (void)HostSecW32_IsTokenRestricted(h);
        break;
    }
    default: {
        char text[64];
        size_t len = u8(in) % sizeof text;
        for (size_t i = 0; i < len; i++) text[i] = (char)(u8(in) % 95 + 32);
        text[len] = 0;
        PSECURITY_DESCRIPTOR sd = NULL;
        if (!HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(text, 1, &sd, NULL)) {
            if (sd != NULL) fail("ConvertStringSecurityDescriptor: out pointer not NULL on failure");
            break;
        }
        static uint8_t buffer[1024];
        DWORD needed = 0, granted = 0, length = sizeof buffer;
        BOOL status = 0;
        GENERIC_MAPPING mapping = {1, 2, 4, 7};
        if (u8(in) & 1) (void)HostSecW32_SetKernelObjectSecurity(h, DACL_SECURITY_INFORMATION, sd);
        (void)HostSecW32_GetKernelObjectSecurity(h, u8(in) % 16, buffer, sizeof buffer, &needed);
        if (HostSecW32_AccessCheck(sd, h, mask(in) & 0x0FFFFFFF, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted,
                                   &status) &&
            (status ? granted == 0 : granted != 0))
            fail("AccessCheck: status %d with granted 0x%x", status, granted);
        HostSecW32_LocalFree(sd);
        break;
    }
    }
}

static void op_misc(input *in) {
    if (u8(in) % 4 == 3) {
        op_access_control(in);
        return;
    }
    switch (u8(in) % 3) {
    case 0: {
        const char *n = HostSec_HResultName((HRESULT)u32(in));
        if (!n) fail("HostSec_HResultName: NULL");
        if (strlen(n) > 64) fail("HostSec_HResultName: a %zu-byte name", strlen(n));
        break;
    }
    case 1: expect(HostSec_GetStatistics(NULL), E_POINTER, "HostSec_GetStatistics(NULL)"); break;
    default:
        if (HostSec_GetVersion() / 1000000 != HOSTSEC_VERSION_MAJOR) fail("HostSec_GetVersion: major differs");
        break;
    }
}

#if HOSTSEC_FUZZ_EMBEDDING
static void op_embedding(input *in) {
    IID scratch;
    switch (u8(in) % 6) {
    case 0: {
        const IID *iid = pick_iid(in, &scratch);
        int null_out = u8(in) % 6 == 0;
        const HOSTSEC_INTERFACE_INFO *info = JUNK;
        HRESULT hr = sane(HostSec_GetInterfaceInfo(iid, null_out ? NULL : &info), "HostSec_GetInterfaceInfo");
        if (null_out || !iid) expect(hr, E_POINTER, "HostSec_GetInterfaceInfo(NULL)");
        if (null_out) return;
        out_rule(hr, (void *)info, "HostSec_GetInterfaceInfo");
        if (hr == S_OK && !same_iid(info->Iid, iid)) fail("HostSec_GetInterfaceInfo: wrong interface");
        if (hr == S_OK)
            for (DWORD s = 0; s < info->MethodCount; s++)
                if (info->Methods[s].Slot != s) fail("HostSec_GetInterfaceInfo: slot %u out of order", s);
        break;
    }
    case 1: {
        DWORD index = u8(in) < 200 ? u8(in) % 8 : u32(in);
        int null_out = u8(in) % 6 == 0;
        const HOSTSEC_INTERFACE_INFO *info = JUNK;
        HRESULT hr = sane(HostSec_GetInterfaceInfoAt(index, null_out ? NULL : &info), "HostSec_GetInterfaceInfoAt");
        if (null_out) {
            expect(hr, E_POINTER, "HostSec_GetInterfaceInfoAt(NULL)");
            return;
        }
        out_rule(hr, (void *)info, "HostSec_GetInterfaceInfoAt");
        expect(hr, index < 5 ? S_OK : E_INVALIDARG, "HostSec_GetInterfaceInfoAt");
        break;
    }
    case 2: { /* HostSec_Invoke with arguments it must refuse before calling anything */
        int i = pick_ref(in, 0);
        void *obj = i < 0 ? NULL : S.refs[i].p;
        uint32_t result = 0xC0FFEE;
        HRESULT hr;
        switch (u8(in) % 5) {
        case 0:
            hr = HostSec_Invoke(NULL, &IID_IUnknown, 1, NULL, &result);
            expect(hr, E_POINTER, "Invoke(NULL This)");
            break;
        case 1:
            if (!obj) return;
            hr = HostSec_Invoke(obj, NULL, 1, NULL, &result);
            expect(hr, E_POINTER, "Invoke(NULL riid)");
            break;
        case 2:
            if (!obj) return;
            hr = HostSec_Invoke(obj, &IID_IUnknown, 1, NULL, NULL);
            expect(hr, E_POINTER, "Invoke(NULL result)");
            break;
        case 3:
            if (!obj) return;
            {
                const HOSTSEC_INTERFACE_INFO *info = NULL;
                expect(HostSec_GetInterfaceInfo(kind_iid(S.refs[i].kind), &info), S_OK, "HostSec_GetInterfaceInfo");
                DWORD slot = info->MethodCount + (u8(in) < 128 ? u8(in) % 8 : u32(in) % (0xFFFFFFFFu - 16));
                hr = HostSec_Invoke(obj, kind_iid(S.refs[i].kind), slot, NULL, &result);
            }
            if (hr != E_INVALIDARG && hr != E_POINTER) fail("Invoke(slot out of range) returned %s", hr_name(hr));
            break;
        default: {
            if (!obj) return;
            const IID *iid = pick_iid(in, &scratch);
            hr = sane(HostSec_Invoke(obj, iid, 0, NULL, &result), "Invoke(QueryInterface, args NULL)");
            const HOSTSEC_INTERFACE_INFO *info = NULL;
            if (!iid)
                expect(hr, E_POINTER, "Invoke(QueryInterface, riid NULL)");
            else if (HostSec_GetInterfaceInfo(iid, &info) != S_OK)
                expect(hr, E_NOINTERFACE, "Invoke(undescribed riid)");
            else if (hr != E_POINTER && hr != E_NOINTERFACE)
                fail("Invoke(QueryInterface, args NULL) returned %s", hr_name(hr));
            break;
        }
        }
        if (result != 0xC0FFEE) fail("HostSec_Invoke wrote the result on failure");
        break;
    }
    case 3: { /* HostSec_Invoke calling real slots */
        int i = pick_ref(in, 0);
        if (i < 0) return;
        void *obj = S.refs[i].p;
        int k = S.refs[i].kind;
        uint32_t result = 0;
        uint8_t b = u8(in);
        if (b % 4 == 0) {
            expect(HostSec_Invoke(obj, &IID_IUnknown, 1, NULL, &result), S_OK, "Invoke(AddRef)");
            add_ref(obj, k);
        } else if (b % 4 == 1) {
            int held = 0;
            for (int j = 0; j < S.nrefs; j++) held += S.refs[j].p == obj;
            expect(HostSec_Invoke(obj, kind_iid(k), 2, NULL, &result), S_OK, "Invoke(Release)");
            if ((int)result != held - 1) fail("Invoke(Release) gave %u, %d references remain", result, held - 1);
            drop_ref(i);
        } else if (b % 4 == 2) {
            const IID *iid = &IID_IUnknown;
            void *p = JUNK, **pp = &p;
            void *args[2] = {&iid, &pp};
            expect(HostSec_Invoke(obj, kind_iid(k), 0, args, &result), S_OK, "Invoke(QueryInterface)");
            expect((HRESULT)result, S_OK, "QueryInterface through Invoke");
            if (p != obj) fail("QueryInterface through Invoke broke COM identity");
            add_ref(p, k);
        } else if (k == K_MANAGER) {
            DWORD access = mask(in);
            BOOL as_self = TRUE;
            HANDLE h = JUNK, *ph = &h;
            void *args[3] = {&access, &as_self, &ph};
            expect(HostSec_Invoke(obj, &IID_IHostSecurityManager, 5, args, &result), S_OK, "Invoke(OpenThreadToken)");
            sane((HRESULT)result, "OpenThreadToken through Invoke");
            out_rule((HRESULT)result, h, "OpenThreadToken through Invoke");
            if ((HRESULT)result == S_OK) add_handle(h);
        }
        break;
    }
    case 4: { /* HostSec_SetTrace arguments it must refuse */
        switch (u8(in) % 5) {
        case 0: expect(HostSec_SetTrace(TRUE, ""), E_INVALIDARG, "HostSec_SetTrace(TRUE, \"\")"); break;
        case 1: expect(HostSec_SetTrace(FALSE, "/dev/null"), E_INVALIDARG, "HostSec_SetTrace(FALSE, path)"); break;
        case 2:
            expect(HostSec_SetTrace(TRUE, "/dev/stdin"), E_ACCESSDENIED, "HostSec_SetTrace(TRUE, a symbolic link)");
            break;
        case 3: expect(HostSec_SetTrace(TRUE, "/"), E_ACCESSDENIED, "HostSec_SetTrace(TRUE, a directory)"); break;
        default:
            expect(HostSec_SetTrace(TRUE, "/nonexistent-hostsec-dir/trace"), E_INVALIDARG,
                   "HostSec_SetTrace(TRUE, missing directory)");
            break;
        }
        break;
    }
    default: /* tracing on (to /dev/null) or off: objects handed out from now on are proxies */
        if (u8(in) & 1) {
            expect(HostSec_SetTrace(TRUE, "/dev/null"), S_OK, "HostSec_SetTrace(TRUE, /dev/null)");
            S.tracing = 1;
        } else {
            expect(HostSec_SetTrace(FALSE, NULL), S_OK, "HostSec_SetTrace(FALSE, NULL)");
        }
        break;
    }
}
#else
static void op_embedding(input *in) { (void)in; }
#endif

static void run_step(void *arg);

/* A thread that does one or two steps and exits, possibly still impersonating: its state
 * must be released at exit. Its steps cannot create objects or handles that outlive it in
 * the bookkeeping any differently from the main thread's, so they use the same tables. */
static void *transient_main(void *arg) {
    input *in = arg;
    /* A new thread acts as the process token, whatever its creator was doing: the library puts
     * it back before its first call does anything. */
    self_creds[2] = self_creds[0];
    uint8_t b = u8(in);
    HANDLE h = pick_handle(in);
    HRESULT hr = b & 1 ? HostSec_ImpersonateSelf((SECURITY_IMPERSONATION_LEVEL)(b >> 1) % 4)
                       : IHostSecurityManager_ImpersonateLoggedOnUser(probe_manager, h);
    sane(hr, "transient thread impersonation");
    check_identity(2, "transient thread");
    return NULL;
}

static void op_transient_thread(input *in) {
    pthread_t t;
    if (pthread_create(&t, NULL, transient_main, in) != 0) fail("pthread_create");
    pthread_join(t, NULL);
}

static void run_step(void *arg) {
    step_args *a = arg;
    input *in = a->in;
    int op = u8(in) % OP_COUNT;
    current_op = op;
    if (verbose) fprintf(stderr, "step %d on %s: op %d\n", current_step, a->who ? "worker" : "main", op);
    switch (op) {
    case OP_GET_CLASS_OBJECT: op_get_class_object(in); break;
    case OP_CAN_UNLOAD: op_can_unload(); break;
    case OP_QUERY_INTERFACE: op_query_interface(in); break;
    case OP_ADDREF: op_addref(in); break;
    case OP_RELEASE: op_release(in); break;
    case OP_CREATE_INSTANCE: op_create_instance(in); break;
    case OP_LOCK_SERVER: op_lock_server(in); break;
    case OP_GET_HOST_MANAGER: op_get_host_manager(in); break;
    case OP_SET_APPDOMAIN_MANAGER: op_set_appdomain_manager(in); break;
    case OP_IMPERSONATE: op_impersonate(in); break;
    case OP_REVERT: op_revert(in); break;
    case OP_OPEN_THREAD_TOKEN: op_open_thread_token(in); break;
    case OP_SET_THREAD_TOKEN: op_set_thread_token(in); break;
    case OP_GET_CONTEXT: op_get_context(in); break;
    case OP_SET_CONTEXT: op_set_context(in); break;
    case OP_CAPTURE: op_capture(in); break;
    case OP_CLOSE_HANDLE: op_close_handle(in); break;
    case OP_OPEN_PROCESS_TOKEN: op_open_process_token(in); break;
    case OP_IMPERSONATE_SELF: op_impersonate_self(in); break;
    case OP_DUPLICATE: op_duplicate(in); break;
    case OP_TOKEN_INFORMATION: op_token_information(in); break;
    case OP_LOGON: op_logon(in); break;
    case OP_MISC: op_misc(in); break;
    case OP_EMBEDDING: op_embedding(in); break;
    default:
        if (a->who == 0) op_transient_thread(in);
        break;
    }
    S.has_token[a->who] = check_identity(a->who, "after the step");
}

/* ---- reset ---------------------------------------------------------------------------- */

static void revert_here(void *arg) {
    int who = *(int *)arg;
    expect(IHostSecurityManager_RevertToSelf(probe_manager), S_OK, "RevertToSelf(reset)");
    S.has_token[who] = check_identity(who, "after reset");
    if (S.has_token[who]) fail("a thread token survived RevertToSelf");
}

static void reset(void) {
    int zero = 0, one = 1;
    revert_here(&zero);
    on_worker(revert_here, &one);
    while (S.nhandles) {
        HANDLE h = S.handles[S.nhandles - 1];
        expect(HostSec_CloseHandle(h), S_OK, "HostSec_CloseHandle(reset)");
        forget_handle(h);
    }
    while (S.nrefs) {
        IUnknown_Release((IUnknown *)S.refs[S.nrefs - 1].p);
        S.nrefs--;
    }
    if (S.locks) {
        IClassFactory *f = NULL;
        expect(DllGetClassObject(&CLSID_HostControl, &IID_IClassFactory, (void **)&f), S_OK,
               "DllGetClassObject(reset)");
        for (; S.locks > 0; S.locks--) expect(IClassFactory_LockServer(f, FALSE), S_OK, "LockServer(FALSE) (reset)");
        IClassFactory_Release(f);
    }
#if HOSTSEC_FUZZ_EMBEDDING
    if (S.tracing) expect(HostSec_SetTrace(FALSE, NULL), S_OK, "HostSec_SetTrace(FALSE) (reset)");
#endif
    S.tracing = 0;
    S.nstale = 0;
    HOSTSEC_STATISTICS s;
    HostSec_GetStatistics(&s);
    if (s.LiveObjects != baseline.LiveObjects || s.LiveHandles != baseline.LiveHandles ||
        s.LiveTokens != baseline.LiveTokens || s.ImpersonatingThreads != baseline.ImpersonatingThreads ||
        s.ServerLocks != baseline.ServerLocks || s.FailedClosed)
        fail("after reset: objects %llu handles %llu tokens %llu impersonating %llu locks %llu closed %u; "
             "baseline %llu %llu %llu %llu %llu",
             (unsigned long long)s.LiveObjects, (unsigned long long)s.LiveHandles, (unsigned long long)s.LiveTokens,
             (unsigned long long)s.ImpersonatingThreads, (unsigned long long)s.ServerLocks, s.FailedClosed,
             (unsigned long long)baseline.LiveObjects, (unsigned long long)baseline.LiveHandles,
             (unsigned long long)baseline.LiveTokens, (unsigned long long)baseline.ImpersonatingThreads,
             (unsigned long long)baseline.ServerLocks);
}

/* ---- libFuzzer entry points ----------------------------------------------------------- */

static void warm(void *arg) {
    int who = *(int *)arg;
    read_creds(&self_creds[who]);
    HANDLE h = NULL;
    expect(HostSec_OpenProcessToken(TOKEN_QUERY, &h), S_OK, "HostSec_OpenProcessToken(warm)");
    expect(HostSec_CloseHandle(h), S_OK, "HostSec_CloseHandle(warm)");
    expect(HostSec_ImpersonateSelf(SecurityImpersonation), S_OK, "HostSec_ImpersonateSelf(warm)");
    expect(IHostSecurityManager_RevertToSelf(probe_manager), S_OK, "RevertToSelf(warm)");
    check_identity(who, "warm-up");
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    verbose = getenv("HOSTSEC_FUZZ_VERBOSE") && atoi(getenv("HOSTSEC_FUZZ_VERBOSE")) > 0;
    setenv("HOSTSEC_PAM_SERVICE", "hostsec-fuzz", 0);
    IClassFactory *f = NULL;
    expect(DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&f), S_OK, "DllGetClassObject");
    expect(IClassFactory_CreateInstance(f, NULL, &IID_IHostSecurityManager, (void **)&probe_manager), S_OK,
           "CreateInstance");
    IClassFactory_Release(f);
    pthread_t t;
    if (pthread_create(&t, NULL, worker_main, NULL) != 0) fail("pthread_create(worker)");
    pthread_detach(t);
    int zero = 0, one = 1;
    warm(&zero);
    on_worker(warm, &one);
    HostSec_GetStatistics(&baseline);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    input in = {data, size};
    for (current_step = 0; current_step < MAX_STEPS && in.n > 0; current_step++) {
        uint8_t where = u8(&in);
        step_args a = {&in, (where & 7) == 7 ? 1 : 0};
        if (a.who == 1)
            on_worker(run_step, &a);
        else
            run_step(&a);
        check_counts("after the step");
    }
    current_step = -1;
    current_op = -1;
    reset();
    return 0;
}
