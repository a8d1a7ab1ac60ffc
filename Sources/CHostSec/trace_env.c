/* HOSTSEC_TRACE, read once when the library is loaded: before any object exists, so the
 * tracer's on/off switch (HS_COUNTER_TRACE) is already right for the first interface the
 * library hands out, and object creation only ever reads that one word. The Swift tracer
 * reads the variable again for the destination when it first needs it. */
#include "hostsec_shim.h"

#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void hs_trace_from_environment(void) {
    const char *value = getenv("HOSTSEC_TRACE");
    if (value != NULL && value[0] != '\0' && strcmp(value, "0") != 0) hs_counter_set(HS_COUNTER_TRACE, 1);
}
