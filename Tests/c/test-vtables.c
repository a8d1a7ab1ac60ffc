/* Every vtable the library hands out lies in a read-only mapping of the process
 * (/proc/self/maps): the library's own static const tables, and the tracer's proxy vtables.
 * A host that writes through lpVtbl faults instead of redirecting every object of a class. */
#include "check.h"
#include "hosting.h"

#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>

/* The permissions ("r-xp", "rw-p", ...) of the mapping holding address p, or "" if none. */
static void mapping_of(const void *p, char perms[5]) {
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    perms[0] = 0;
    uintptr_t a = (uintptr_t)p;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char pr[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, pr) == 3 && a >= lo && a < hi) {
            memcpy(perms, pr, 5);
            break;
        }
    }
    if (f) fclose(f);
}

static int read_only(const void *object) {
    const void *vtable = *(const void *const *)object;
    char perms[5];
    mapping_of(vtable, perms);
    if (perms[0] != 'r' || perms[1] != '-') {
        fprintf(stderr, "  vtable %p of %p in a mapping with permissions '%s'\n", vtable, object, perms);
        return 0;
    }
    return 1;
}

/* Every class of object there is, each checked; returns how many were. */
static int check_every_class(void) {
    int checked = 0;
    IClassFactory *factory = NULL, *control_factory = NULL;
    IHostControl *control = NULL;
    IHostSecurityManager *manager = NULL;
    IHostSecurityContext *context = NULL, *clone = NULL;
    IUnknown *unknown = NULL;
    CHECK_HR(DllGetClassObject(&CLSID_HostSecurityManager, &IID_IClassFactory, (void **)&factory), S_OK);
    CHECK_HR(DllGetClassObject(&CLSID_HostControl, &IID_IUnknown, (void **)&control_factory), S_OK);
    CHECK_HR(IClassFactory_CreateInstance(factory, NULL, &IID_IHostSecurityManager, (void **)&manager), S_OK);
    CHECK_HR(IClassFactory_CreateInstance(control_factory, NULL, &IID_IHostControl, (void **)&control), S_OK);
    CHECK_HR(IHostSecurityManager_GetSecurityContext(manager, eCurrentContext, &context), S_OK);
    CHECK_HR(IHostSecurityContext_Capture(context, &clone), S_OK);
    CHECK_HR(IHostSecurityManager_QueryInterface(manager, &IID_IUnknown, (void **)&unknown), S_OK);
    void *objects[] = {factory, control_factory, manager, control, context, clone, unknown};
    for (size_t i = 0; i < sizeof objects / sizeof objects[0]; i++) {
        if (objects[i] == NULL) continue;
        CHECK(read_only(objects[i]));
        checked++;
    }
    IUnknown_Release(unknown);
    IHostSecurityContext_Release(clone);
    IHostSecurityContext_Release(context);
    IHostControl_Release(control);
    IHostSecurityManager_Release(manager);
    IClassFactory_Release(control_factory);
    IClassFactory_Release(factory);
    return checked;
}

static void every_vtable_handed_out_is_in_a_read_only_mapping(void) { CHECK(check_every_class() == 7); }

static void every_tracing_proxy_vtable_is_in_a_read_only_mapping(void) {
    CHECK_HR(HostSec_SetTrace(TRUE, "/dev/null"), S_OK);
    CHECK(check_every_class() == 7);
    CHECK_HR(HostSec_SetTrace(FALSE, NULL), S_OK);
}

/* The proof by effect: a write through lpVtbl kills the writer (in a child). */
static void writing_through_a_vtable_pointer_faults(void) {
    IHostSecurityManager *manager = hosting_manager();
    pid_t pid = fork();
    if (pid == 0) {
        void **slots = *(void ***)manager;
        slots[5] = (void *)0; /* OpenThreadToken */
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    IHostSecurityManager_Release(manager);
}

int main(void) {
    RUN_TEST(every_vtable_handed_out_is_in_a_read_only_mapping);
    RUN_TEST(every_tracing_proxy_vtable_is_in_a_read_only_mapping);
    RUN_TEST(writing_through_a_vtable_pointer_faults);
    CHECK_EXIT();
}
