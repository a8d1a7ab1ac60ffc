/* baseline.c - see baseline.h. Plain C11, no tricks in either direction. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "baseline.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>

static const IID bl_iid_unknown = {0x00000000, 0x0000, 0x0000, {0xC0, 0, 0, 0, 0, 0, 0, 0x46}};
static const IID bl_iid_manager = {0x75AD2468, 0xA349, 0x4D02, {0xA7, 0x64, 0x76, 0xA6, 0x8A, 0xEE, 0x0C, 0x4F}};
static const IID bl_iid_context = {0x7E573CE4, 0x0343, 0x4423, {0x98, 0xD7, 0x63, 0x18, 0x34, 0x8A, 0x1D, 0x3C}};

#define BL_ALL_ACCESS 0x000F01FFu
#define BL_MAX_GROUPS 64
#define BL_NO_TOKEN   ((HRESULT)0x800703F0)
#define BL_BAD_LEVEL  ((HRESULT)0x80070542)
#define BL_ANONYMOUS  ((HRESULT)0x80070543)

/* ---- tokens ------------------------------------------------------------------------- */

typedef struct bl_identity {
    uint32_t uid, gid, ngroups;
    uint32_t groups[BL_MAX_GROUPS];
    uint64_t cap_effective, cap_permitted;
} bl_identity;

typedef struct bl_token {
    atomic_uint refs;
    int kind;  /* TOKEN_TYPE */
    int level; /* SECURITY_IMPERSONATION_LEVEL */
    uint32_t ndacl;
    struct {
        uint32_t uid, mask;
    } dacl[2];
    bl_identity id;
} bl_token;

static bl_token *token_new(const bl_identity *id, int kind, int level, uint32_t creator) {
    bl_token *t = malloc(sizeof *t);
    if (t == NULL) return NULL;
    atomic_init(&t->refs, 1);
    t->kind = kind;
    t->level = kind == TokenPrimary ? SecurityAnonymous : level;
    t->dacl[0].uid = id->uid;
    t->dacl[0].mask = BL_ALL_ACCESS;
    t->ndacl = 1;
    if (creator != id->uid) {
        t->dacl[1].uid = creator;
        t->dacl[1].mask = BL_ALL_ACCESS;
        t->ndacl = 2;
    }
    t->id = *id;
    return t;
}
static bl_token *token_copy(const bl_token *src, int kind, int level) {
    bl_token *t = malloc(sizeof *t);
    if (t == NULL) return NULL;
    *t = *src;
    atomic_init(&t->refs, 1);
    t->kind = kind;
    t->level = level;
    return t;
}
static inline void token_retain(bl_token *t) { atomic_fetch_add_explicit(&t->refs, 1, memory_order_relaxed); }
static inline void token_release(bl_token *t) {
    if (t != NULL && atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1) free(t);
}

/* ---- per-thread state --------------------------------------------------------------- */

#define BL_FREE_CACHE 128
#define BL_BATCH      64

typedef struct bl_thread {
    bl_token *token; /* the thread token, or NULL */
    bl_token *self;  /* primary token of the thread's own credentials */
    bool applied;    /* kernel credentials changed */
    bool initialized;
    uint32_t ruid, euid, suid, rgid, egid, sgid;
    uint32_t free_count;
    uint32_t free_slots[BL_FREE_CACHE];
} bl_thread;

static _Thread_local bl_thread bl_tls;

void bl_thread_init(void) {
    bl_thread *t = &bl_tls;
    if (t->initialized) return;
    bl_identity id;
    memset(&id, 0, sizeof id);
    syscall(SYS_getresuid, &t->ruid, &t->euid, &t->suid);
    syscall(SYS_getresgid, &t->rgid, &t->egid, &t->sgid);
    long n = syscall(SYS_getgroups, BL_MAX_GROUPS, id.groups);
    id.ngroups = n < 0 ? 0 : (uint32_t)n;
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    syscall(SYS_capget, &header, data);
    id.uid = t->euid;
    id.gid = t->egid;
    id.cap_effective = data[0].effective | (uint64_t)data[1].effective << 32;
    id.cap_permitted = data[0].permitted | (uint64_t)data[1].permitted << 32;
    t->self = token_new(&id, TokenPrimary, SecurityAnonymous, id.uid);
    t->initialized = true;
}

static inline bl_thread *thread_self(void) {
    bl_thread *t = &bl_tls;
    if (!t->initialized) bl_thread_init();
    return t;
}

/* ---- access check ------------------------------------------------------------------- */

static uint32_t map_generic(uint32_t desired) {
    uint32_t mapped = desired & ~(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
    if (desired & GENERIC_READ) mapped |= 0x2001A;
    if (desired & GENERIC_WRITE) mapped |= 0x201E0;
    if (desired & GENERIC_EXECUTE) mapped |= 0x20005;
    if (desired & GENERIC_ALL) mapped |= BL_ALL_ACCESS;
    return mapped;
}

static HRESULT access_check(uint32_t desired, const bl_identity *subject, const bl_token *t, uint32_t *granted) {
    uint32_t mapped = map_generic(desired);
    uint32_t specific = mapped & ~(uint32_t)MAXIMUM_ALLOWED;
    if (specific & ~BL_ALL_ACCESS) return E_ACCESSDENIED;
    if (specific == 0 && !(mapped & MAXIMUM_ALLOWED)) {
        *granted = 0;
        return S_OK;
    }
    uint32_t allowed = 0;
    if (subject->cap_effective & (1u << 1 /* CAP_DAC_OVERRIDE */)) {
        allowed = BL_ALL_ACCESS;
    } else {
        for (uint32_t i = 0; i < t->ndacl; i++)
            if (t->dacl[i].uid == subject->uid) allowed |= t->dacl[i].mask;
    }
    if (specific & ~allowed) return E_ACCESSDENIED;
    if (mapped & MAXIMUM_ALLOWED) {
        if (allowed == 0) return E_ACCESSDENIED;
        *granted = allowed;
        return S_OK;
    }
    *granted = specific;
    return S_OK;
}

/* ---- handle table ------------------------------------------------------------------- */

#define BL_CHUNK_SHIFT 12
#define BL_CHUNK       (1u << BL_CHUNK_SHIFT)
#define BL_MAX_CHUNKS  4096

typedef struct bl_slot {
    _Atomic uint64_t word; /* generation << 32 | pins << 1 | live */
    bl_token *token;
    uint32_t rights;
} bl_slot;

static bl_slot *_Atomic bl_chunks[BL_MAX_CHUNKS];
static pthread_mutex_t bl_table_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t *bl_free;
static uint32_t bl_free_count, bl_free_cap, bl_issued;
static const uint64_t bl_secret = 0x5bd1e99500000000ull;

static bool global_push(uint32_t index) {
    if (bl_free_count == bl_free_cap) {
        uint32_t cap = bl_free_cap ? bl_free_cap * 2 : 1024;
        uint32_t *grown = realloc(bl_free, cap * sizeof *grown);
        if (grown == NULL) return false;
        bl_free = grown;
        bl_free_cap = cap;
    }
    bl_free[bl_free_count++] = index;
    return true;
}

static bool take_slot(bl_thread *t, uint32_t *index) {
    if (t->free_count > 0) {
        *index = t->free_slots[--t->free_count];
        return true;
    }
    pthread_mutex_lock(&bl_table_lock);
    if (bl_free_count == 0) {
        if (bl_issued >= BL_MAX_CHUNKS * BL_CHUNK) {
            pthread_mutex_unlock(&bl_table_lock);
            return false;
        }
        uint32_t chunk = bl_issued >> BL_CHUNK_SHIFT;
        if (bl_chunks[chunk] == NULL) {
            bl_slot *memory = calloc(BL_CHUNK, sizeof(bl_slot));
            if (memory == NULL) {
                pthread_mutex_unlock(&bl_table_lock);
                return false;
            }
            atomic_store_explicit(&bl_chunks[chunk], memory, memory_order_release);
        }
        for (uint32_t i = 0; i < BL_BATCH; i++) global_push(bl_issued + BL_BATCH - 1 - i);
        bl_issued += BL_BATCH;
    }
    uint32_t take = bl_free_count < BL_BATCH ? bl_free_count : BL_BATCH;
    for (uint32_t i = 0; i + 1 < take; i++) t->free_slots[t->free_count++] = bl_free[--bl_free_count];
    *index = bl_free[--bl_free_count];
    pthread_mutex_unlock(&bl_table_lock);
    return true;
}

static void give_slot(bl_thread *t, uint32_t index) {
    if (t->free_count < BL_FREE_CACHE) {
        t->free_slots[t->free_count++] = index;
        return;
    }
    pthread_mutex_lock(&bl_table_lock);
    global_push(index);
    for (uint32_t i = 0; i < BL_BATCH && t->free_count > 0; i++) global_push(t->free_slots[--t->free_count]);
    pthread_mutex_unlock(&bl_table_lock);
}

static inline bl_slot *slot_at(uint32_t index) {
    bl_slot *chunk = atomic_load_explicit(&bl_chunks[index >> BL_CHUNK_SHIFT], memory_order_acquire);
    return chunk == NULL ? NULL : &chunk[index & (BL_CHUNK - 1)];
}

static HRESULT handle_insert(bl_thread *t, bl_token *token, uint32_t rights, HANDLE *ph) {
    uint32_t index;
    if (!take_slot(t, &index)) return E_OUTOFMEMORY;
    bl_slot *s = slot_at(index);
    token_retain(token);
    s->token = token;
    s->rights = rights;
    uint64_t generation = atomic_load_explicit(&s->word, memory_order_relaxed) >> 32;
    atomic_store_explicit(&s->word, generation << 32 | 1, memory_order_release);
    *ph = (HANDLE)(uintptr_t)((generation << 32 | (uint64_t)(index + 1)) ^ bl_secret);
    return S_OK;
}

static bl_slot *handle_locate(HANDLE h, uint64_t *generation, uint32_t *index) {
    uint64_t raw = (uint64_t)(uintptr_t)h ^ bl_secret;
    uint32_t low = (uint32_t)raw;
    if (low == 0 || ((low - 1) >> BL_CHUNK_SHIFT) >= BL_MAX_CHUNKS) return NULL;
    *index = low - 1;
    *generation = raw >> 32;
    return slot_at(low - 1);
}

static void slot_retire(bl_slot *s, uint32_t index) {
    uint64_t generation = atomic_load_explicit(&s->word, memory_order_acquire) >> 32;
    bl_token *token = s->token;
    s->token = NULL;
    s->rights = 0;
    atomic_store_explicit(&s->word, (generation + 1) << 32, memory_order_release);
    token_release(token);
    give_slot(thread_self(), index);
}

/* Pins the slot, copies token (retained) and rights out, unpins. */
static HRESULT handle_lookup(HANDLE h, bl_token **token, uint32_t *rights) {
    uint64_t generation;
    uint32_t index;
    bl_slot *s = handle_locate(h, &generation, &index);
    if (s == NULL) return E_HANDLE;
    uint64_t current = atomic_load_explicit(&s->word, memory_order_acquire);
    do {
        if (current >> 32 != generation || !(current & 1)) return E_HANDLE;
    } while (!atomic_compare_exchange_weak_explicit(&s->word, &current, current + 2, memory_order_acq_rel,
                                                    memory_order_acquire));
    *token = s->token;
    token_retain(*token);
    *rights = s->rights;
    uint64_t after = atomic_fetch_sub_explicit(&s->word, 2, memory_order_acq_rel) - 2;
    if ((after & 0xFFFFFFFFu) == 0) slot_retire(s, index);
    return S_OK;
}

HRESULT bl_CloseHandle(HANDLE h) {
    uint64_t generation;
    uint32_t index;
    bl_slot *s = handle_locate(h, &generation, &index);
    if (s == NULL) return E_HANDLE;
    uint64_t current = atomic_load_explicit(&s->word, memory_order_acquire);
    do {
        if (current >> 32 != generation || !(current & 1)) return E_HANDLE;
    } while (!atomic_compare_exchange_weak_explicit(&s->word, &current, current & ~(uint64_t)1, memory_order_acq_rel,
                                                    memory_order_acquire));
    if ((current & 0xFFFFFFFEu) == 0) slot_retire(s, index);
    return S_OK;
}

/* ---- raw credential switch ---------------------------------------------------------- */

int bl_raw_impersonate(uint32_t uid, uint32_t gid, const uint32_t *groups, uint32_t ngroups) {
    bl_thread *t = thread_self();
    if (syscall(SYS_setgroups, (long)ngroups, groups) == -1) return errno;
    if (syscall(SYS_setresgid, (long)gid, (long)gid, (long)t->sgid) == -1) return errno;
    if (syscall(SYS_setresuid, (long)uid, (long)uid, (long)t->suid) == -1) return errno;
    return 0;
}

int bl_raw_revert(void) {
    bl_thread *t = thread_self();
    const bl_identity *me = &t->self->id;
    if (syscall(SYS_setresuid, (long)t->ruid, (long)t->euid, (long)t->suid) == -1) return errno;
    if (syscall(SYS_setresgid, (long)t->rgid, (long)t->egid, (long)t->sgid) == -1) return errno;
    if (syscall(SYS_setgroups, (long)me->ngroups, me->groups) == -1) return errno;
    return 0;
}

static bool same_account(const bl_identity *a, const bl_identity *b) {
    return a->uid == b->uid && a->gid == b->gid && a->ngroups == b->ngroups &&
           memcmp(a->groups, b->groups, a->ngroups * sizeof(uint32_t)) == 0;
}

/* Makes `token` (a reference the caller gives away) the thread's token. */
static HRESULT assign(bl_thread *t, bl_token *token) {
    if (t->applied) {
        if (bl_raw_revert() != 0) {
            token_release(token);
            return E_FAIL;
        }
        t->applied = false;
    }
    if (token->level >= SecurityImpersonation && !same_account(&token->id, &t->self->id)) {
        int e = bl_raw_impersonate(token->id.uid, token->id.gid, token->id.groups, token->id.ngroups);
        if (e != 0) {
            bl_raw_revert();
            token_release(token);
            return E_ACCESSDENIED;
        }
        t->applied = true;
    }
    token_release(t->token);
    t->token = token;
    return S_OK;
}

static HRESULT revert(bl_thread *t) {
    if (t->applied) {
        if (bl_raw_revert() != 0) return E_FAIL;
        t->applied = false;
    }
    token_release(t->token);
    t->token = NULL;
    return S_OK;
}

HRESULT bl_ImpersonateSelf(SECURITY_IMPERSONATION_LEVEL level) {
    if ((unsigned)level > SecurityDelegation) return E_INVALIDARG;
    bl_thread *t = thread_self();
    bl_token *copy = token_copy(t->self, TokenImpersonation, level);
    if (copy == NULL) return E_OUTOFMEMORY;
    return assign(t, copy);
}

HRESULT bl_LogonUser(uint32_t uid, uint32_t gid, const uint32_t *groups, uint32_t ngroups, HANDLE *ph) {
    bl_thread *t = thread_self();
    bl_identity id;
    memset(&id, 0, sizeof id);
    id.uid = uid;
    id.gid = gid;
    id.ngroups = ngroups > BL_MAX_GROUPS ? BL_MAX_GROUPS : ngroups;
    memcpy(id.groups, groups, id.ngroups * sizeof(uint32_t));
    bl_token *token = token_new(&id, TokenPrimary, SecurityAnonymous, t->euid);
    if (token == NULL) return E_OUTOFMEMORY;
    HRESULT hr = handle_insert(t, token, BL_ALL_ACCESS, ph);
    token_release(token);
    return hr;
}

HRESULT bl_GetTokenInformationUser(HANDLE h, void *buffer, DWORD length, DWORD *returnLength) {
    if (returnLength == NULL) return E_POINTER;
    bl_token *token;
    uint32_t rights;
    HRESULT hr = handle_lookup(h, &token, &rights);
    if (hr != S_OK) {
        *returnLength = 0;
        return hr;
    }
    *returnLength = sizeof(HOSTSEC_TOKEN_USER);
    if (!(rights & TOKEN_QUERY))
        hr = E_ACCESSDENIED;
    else if (length < sizeof(HOSTSEC_TOKEN_USER))
        hr = HRESULT_FROM_WIN32(ERROR_INSUFFICIENT_BUFFER);
    else if (buffer == NULL)
        hr = E_POINTER;
    else
        ((HOSTSEC_TOKEN_USER *)buffer)->Uid = token->id.uid;
    token_release(token);
    return hr;
}

/* ---- COM objects -------------------------------------------------------------------- */

typedef struct bl_object {
    const void *lpVtbl;
    atomic_uint refs;
    bl_token *token; /* security contexts: the captured token or NULL */
} bl_object;

static ULONG bl_add_ref(void *This) {
    return atomic_fetch_add_explicit(&((bl_object *)This)->refs, 1, memory_order_relaxed) + 1;
}
static ULONG bl_release(void *This) {
    bl_object *o = This;
    ULONG left = atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) - 1;
    if (left == 0) {
        token_release(o->token);
        free(o);
    }
    return left;
}
static HRESULT bl_query(void *This, const IID *riid, void **ppv, const IID *own) {
    if (ppv == NULL) return E_POINTER;
    if (This == NULL || riid == NULL) {
        *ppv = NULL;
        return E_POINTER;
    }
    if (memcmp(riid, own, sizeof(IID)) == 0 || memcmp(riid, &bl_iid_unknown, sizeof(IID)) == 0) {
        bl_add_ref(This);
        *ppv = This;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static HRESULT STDMETHODCALLTYPE mgr_QueryInterface(IHostSecurityManager *This, REFIID riid, void **ppv) {
    return bl_query(This, riid, ppv, &bl_iid_manager);
}
static ULONG STDMETHODCALLTYPE mgr_AddRef(IHostSecurityManager *This) { return bl_add_ref(This); }
static ULONG STDMETHODCALLTYPE mgr_Release(IHostSecurityManager *This) { return bl_release(This); }

static HRESULT STDMETHODCALLTYPE mgr_ImpersonateLoggedOnUser(IHostSecurityManager *This, HANDLE h) {
    (void)This;
    bl_token *source;
    uint32_t rights;
    HRESULT hr = handle_lookup(h, &source, &rights);
    if (hr != S_OK) return hr;
    uint32_t needed =
        source->kind == TokenPrimary ? (TOKEN_QUERY | TOKEN_DUPLICATE) : (TOKEN_QUERY | TOKEN_IMPERSONATE);
    if ((rights & needed) != needed) {
        token_release(source);
        return E_ACCESSDENIED;
    }
    int level = source->kind == TokenPrimary
                    ? SecurityImpersonation
                    : (source->level < SecurityImpersonation ? source->level : SecurityImpersonation);
    bl_token *copy = token_copy(source, TokenImpersonation, level);
    token_release(source);
    if (copy == NULL) return E_OUTOFMEMORY;
    return assign(thread_self(), copy);
}

static HRESULT STDMETHODCALLTYPE mgr_RevertToSelf(IHostSecurityManager *This) {
    (void)This;
    return revert(thread_self());
}

static HRESULT STDMETHODCALLTYPE mgr_OpenThreadToken(IHostSecurityManager *This, DWORD access, BOOL asSelf,
                                                     HANDLE *ph) {
    (void)This;
    if (ph == NULL) return E_POINTER;
    bl_thread *t = &bl_tls;
    bl_token *token = t->token;
    if (token == NULL) {
        *ph = NULL;
        return BL_NO_TOKEN;
    }
    if (token->level == SecurityAnonymous) {
        *ph = NULL;
        return BL_ANONYMOUS;
    }
    const bl_identity *subject;
    if (asSelf) {
        subject = &t->self->id;
    } else {
        if (token->level < SecurityImpersonation) {
            *ph = NULL;
            return BL_BAD_LEVEL;
        }
        subject = &token->id;
    }
    uint32_t granted;
    HRESULT hr = access_check(access, subject, token, &granted);
    if (hr == S_OK) hr = handle_insert(t, token, granted, ph);
    if (hr != S_OK) *ph = NULL;
    return hr;
}

static HRESULT STDMETHODCALLTYPE mgr_SetThreadToken(IHostSecurityManager *This, HANDLE h) {
    (void)This;
    if (h == NULL) return revert(thread_self());
    bl_token *token;
    uint32_t rights;
    HRESULT hr = handle_lookup(h, &token, &rights);
    if (hr != S_OK) return hr;
    if (!(rights & TOKEN_IMPERSONATE)) {
        token_release(token);
        return E_ACCESSDENIED;
    }
    if (token->kind != TokenImpersonation) {
        token_release(token);
        return HRESULT_FROM_WIN32(ERROR_BAD_TOKEN_TYPE);
    }
    return assign(thread_self(), token);
}

static HRESULT STDMETHODCALLTYPE ctx_QueryInterface(IHostSecurityContext *This, REFIID riid, void **ppv) {
    return bl_query(This, riid, ppv, &bl_iid_context);
}
static ULONG STDMETHODCALLTYPE ctx_AddRef(IHostSecurityContext *This) { return bl_add_ref(This); }
static ULONG STDMETHODCALLTYPE ctx_Release(IHostSecurityContext *This) { return bl_release(This); }
static HRESULT STDMETHODCALLTYPE ctx_Capture(IHostSecurityContext *This, IHostSecurityContext **out);

static const IHostSecurityContextVtbl bl_context_vtbl = {ctx_QueryInterface, ctx_AddRef, ctx_Release, ctx_Capture};

static HRESULT new_context(bl_token *token, IHostSecurityContext **out) {
    bl_object *o = malloc(sizeof *o);
    if (o == NULL) {
        *out = NULL;
        return E_OUTOFMEMORY;
    }
    o->lpVtbl = &bl_context_vtbl;
    atomic_init(&o->refs, 1);
    if (token != NULL) token_retain(token);
    o->token = token;
    *out = (IHostSecurityContext *)o;
    return S_OK;
}

static HRESULT STDMETHODCALLTYPE ctx_Capture(IHostSecurityContext *This, IHostSecurityContext **out) {
    if (out == NULL) return E_POINTER;
    if (This == NULL) {
        *out = NULL;
        return E_POINTER;
    }
    return new_context(((bl_object *)This)->token, out);
}

static HRESULT STDMETHODCALLTYPE mgr_GetSecurityContext(IHostSecurityManager *This, EContextType type,
                                                        IHostSecurityContext **out) {
    (void)This;
    if (out == NULL) return E_POINTER;
    if (type != eCurrentContext) {
        *out = NULL;
        return E_INVALIDARG;
    } /* restricted: not measured */
    return new_context(thread_self()->token, out);
}

static HRESULT STDMETHODCALLTYPE mgr_SetSecurityContext(IHostSecurityManager *This, EContextType type,
                                                        IHostSecurityContext *context) {
    (void)This;
    if (type != eCurrentContext) return E_INVALIDARG;
    if (context == NULL) return E_POINTER;
    bl_object *o = (bl_object *)context;
    if (o->lpVtbl != &bl_context_vtbl) return E_INVALIDARG;
    bl_thread *t = thread_self();
    if (o->token == NULL) return revert(t);
    token_retain(o->token);
    return assign(t, o->token);
}

static const IHostSecurityManagerVtbl bl_manager_vtbl = {
    mgr_QueryInterface,     mgr_AddRef,          mgr_Release,        mgr_ImpersonateLoggedOnUser,
    mgr_RevertToSelf,       mgr_OpenThreadToken, mgr_SetThreadToken, mgr_GetSecurityContext,
    mgr_SetSecurityContext,
};

IHostSecurityManager *bl_create_manager(void) {
    bl_object *o = malloc(sizeof *o);
    if (o == NULL) return NULL;
    o->lpVtbl = &bl_manager_vtbl;
    atomic_init(&o->refs, 1);
    o->token = NULL;
    return (IHostSecurityManager *)o;
}
