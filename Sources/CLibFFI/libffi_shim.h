/* libffi as the Swift embedding layer uses it. libffi's ffi_type_* globals are mutable C
 * globals, which Swift 6 refuses to touch from nonisolated code; these accessors hand out
 * their addresses instead. Closure allocation is wrapped because ffi_closure's size is a
 * union Swift cannot lay out. */
#ifndef HOSTSEC_LIBFFI_SHIM_H
#define HOSTSEC_LIBFFI_SHIM_H

#include <ffi.h>

static inline ffi_type *hs_ffi_type_sint32(void) { return &ffi_type_sint32; }
static inline ffi_type *hs_ffi_type_uint32(void) { return &ffi_type_uint32; }
static inline ffi_type *hs_ffi_type_pointer(void) { return &ffi_type_pointer; }
static inline ffi_abi hs_ffi_default_abi(void) { return FFI_DEFAULT_ABI; }

typedef void (*hs_ffi_handler)(ffi_cif *cif, void *ret, void **args, void *user_data);

/** An executable closure that calls handler(cif, ret, args, user_data); returns its code
 *  address (what goes into a vtable slot), or NULL. Closures are never freed: the tracer's
 *  vtables are immortal. */
static inline void *hs_ffi_make_closure(ffi_cif *cif, hs_ffi_handler handler, void *user_data) {
    void *code = NULL;
    ffi_closure *closure = (ffi_closure *)ffi_closure_alloc(sizeof(ffi_closure), &code);
    if (closure == NULL) return NULL;
    if (ffi_prep_closure_loc(closure, cif, handler, user_data, code) != FFI_OK) {
        ffi_closure_free(closure);
        return NULL;
    }
    return code;
}

#endif
