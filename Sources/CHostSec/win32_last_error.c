/* The Win32 layer's per-thread last-error value. Global-dynamic TLS (the library may be
 * dlopen'ed); a thread starts with ERROR_SUCCESS (0). */
#include "hostsec_shim.h"

static __thread uint32_t last_error;

uint32_t hs_w32_last_error(void) { return last_error; }
void hs_w32_set_last_error(uint32_t code) { last_error = code; }
