/* A C "runtime" that knows no vtable layout at compile time: it dlopens libhostsec.so.1, reads
 * the type information (HostSec_GetInterfaceInfoAt) and calls every method of every interface
 * by slot number through HostSec_Invoke, choosing each argument from the parameter's value
 * kind. hostsec.h is included for its types only; every symbol comes from dlsym.
 *
 *   cc -I include examples/ffi_runtime.c -ldl -o ffi_runtime
 *   ./ffi_runtime [path/to/libhostsec.so.1]        (or set HOSTSEC_LIBRARY)
 */
#include <hostsec.h>

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static HRESULT (*GetInterfaceInfoAt)(DWORD, const HOSTSEC_INTERFACE_INFO **);
static HRESULT (*Invoke)(void *, REFIID, DWORD, void **, void *);
static const char *(*HResultName)(HRESULT);
static HRESULT (*GetClassObject)(REFCLSID, REFIID, void **);
static HRESULT (*LogonUser)(const char *, HANDLE *);
static HRESULT (*CloseHandle)(HANDLE);
static HRESULT (*CanUnloadNow)(void);
static const IID *iid_unknown, *iid_factory, *iid_control, *iid_manager, *iid_context;

static void *need(void *library, const char *name) {
    void *symbol = dlsym(library, name);
    if (symbol == NULL) {
        fprintf(stderr, "ffi_runtime: %s: %s\n", name, dlerror());
        exit(2);
    }
    return symbol;
}

static const char *name_of(HRESULT hr) {
    static char text[16];
    const char *name = HResultName(hr);
    if (strcmp(name, HOSTSEC_HRESULT_UNKNOWN_NAME) != 0) return name;
    snprintf(text, sizeof text, "0x%08X", (unsigned)hr);
    return text;
}

static const HOSTSEC_INTERFACE_INFO *info_named(const char *name) {
    const HOSTSEC_INTERFACE_INFO *info = NULL;
    for (DWORD i = 0; GetInterfaceInfoAt(i, &info) == S_OK; i++)
        if (strcmp(info->Name, name) == 0) return info;
    return NULL;
}

static DWORD slot_named(const HOSTSEC_INTERFACE_INFO *info, const char *method) {
    for (DWORD s = 0; s < info->MethodCount; s++)
        if (strcmp(info->Methods[s].Name, method) == 0) return s;
    fprintf(stderr, "ffi_runtime: %s has no %s\n", info->Name, method);
    exit(2);
}

/* Calls a method by name, for the runtime's own bookkeeping (Release, LockServer). */
static HRESULT call(void *object, const char *interface, const char *method, void **args) {
    const HOSTSEC_INTERFACE_INFO *info = info_named(interface);
    HRESULT result = 0;
    HRESULT hr = Invoke(object, info->Iid, slot_named(info, method), args, &result);
    return hr == S_OK ? result : hr;
}

static void release(void *object) {
    if (object) call(object, "IUnknown", "Release", NULL);
}

/* What the runtime passes for each kind of parameter. */
struct world {
    void *object;  /* the object the interface is called on */
    void *context; /* an IHostSecurityContext to pass in */
    HANDLE token;  /* nobody's logon token */
};

static void call_every_slot(const HOSTSEC_INTERFACE_INFO *info, struct world *w) {
    for (DWORD s = 0; s < info->MethodCount; s++) {
        const HOSTSEC_METHOD_INFO *m = &info->Methods[s];
        union value {
            const IID *iid;
            void *pointer;
            BOOL b;
            DWORD dw;
            EContextType type;
        } values[8];
        void *outs[8] = {0};
        void *args[8];
        printf("%s::%s(", info->Name, m->Name);
        for (DWORD p = 0; p < m->ParamCount; p++) {
            const HOSTSEC_PARAM_INFO *param = &m->Params[p];
            size_t type_length = strlen(param->TypeName);
            printf("%s%s%s%s%s", p ? ", " : "", param->TypeName, param->TypeName[type_length - 1] == '*' ? "" : " ",
                   param->Name, param->Direction == HOSTSEC_PARAM_OUT ? " [out]" : "");
            switch (param->ValueKind) {
            case HOSTSEC_VALUE_IID: /* QueryInterface: its own interface; otherwise the manager */
                values[p].iid = strcmp(m->Name, "QueryInterface") == 0 ? info->Iid : iid_manager;
                break;
            case HOSTSEC_VALUE_INTERFACE:
                values[p].pointer = param->InterfaceIid == iid_context ? w->context : NULL;
                break;
            case HOSTSEC_VALUE_INTERFACE_OUT:
            case HOSTSEC_VALUE_HANDLE_OUT: values[p].pointer = &outs[p]; break;
            case HOSTSEC_VALUE_BOOL: values[p].b = TRUE; break;
            case HOSTSEC_VALUE_ACCESS_MASK: values[p].dw = TOKEN_QUERY; break;
            case HOSTSEC_VALUE_HANDLE: values[p].pointer = w->token; break;
            case HOSTSEC_VALUE_CONTEXT_TYPE: values[p].type = eCurrentContext; break;
            default: values[p].dw = 1; break;
            }
            args[p] = &values[p];
        }
        uint32_t result = 0;
        HRESULT hr = Invoke(w->object, info->Iid, s, args, &result);
        printf(") slot %u -> ", (unsigned)s);
        if (hr != S_OK)
            printf("HostSec_Invoke failed: %s\n", name_of(hr));
        else if (m->ReturnValueKind == HOSTSEC_VALUE_HRESULT)
            printf("%s\n", name_of((HRESULT)result));
        else
            printf("%u\n", (unsigned)result);
        /* Whatever came back through an out parameter is released or closed. */
        for (DWORD p = 0; p < m->ParamCount; p++) {
            if (outs[p] == NULL) continue;
            if (m->Params[p].ValueKind == HOSTSEC_VALUE_HANDLE_OUT)
                CloseHandle(outs[p]);
            else
                release(outs[p]);
        }
    }
}

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : getenv("HOSTSEC_LIBRARY");
    void *library = dlopen(path ? path : "libhostsec.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "ffi_runtime: %s\n", dlerror());
        return 2;
    }
    *(void **)&GetInterfaceInfoAt = need(library, "HostSec_GetInterfaceInfoAt");
    *(void **)&Invoke = need(library, "HostSec_Invoke");
    *(void **)&HResultName = need(library, "HostSec_HResultName");
    *(void **)&GetClassObject = need(library, "DllGetClassObject");
    *(void **)&LogonUser = need(library, "HostSec_LogonUser");
    *(void **)&CloseHandle = need(library, "HostSec_CloseHandle");
    *(void **)&CanUnloadNow = need(library, "DllCanUnloadNow");
    iid_unknown = need(library, "IID_IUnknown");
    iid_factory = need(library, "IID_IClassFactory");
    iid_control = need(library, "IID_IHostControl");
    iid_manager = need(library, "IID_IHostSecurityManager");
    iid_context = need(library, "IID_IHostSecurityContext");
    (void)iid_unknown;

    /* The objects, made the COM way, through methods found by name. */
    void *manager_factory = NULL, *control_factory = NULL, *manager = NULL, *control = NULL, *context = NULL;
    GetClassObject(need(library, "CLSID_HostSecurityManager"), iid_factory, &manager_factory);
    GetClassObject(need(library, "CLSID_HostControl"), iid_factory, &control_factory);
    void *outer = NULL, **pmanager = &manager, **pcontrol = &control, **pcontext = &context;
    const IID *riid = iid_manager;
    void *create_manager[] = {&outer, &riid, &pmanager};
    call(manager_factory, "IClassFactory", "CreateInstance", create_manager);
    const IID *riid_control = iid_control;
    void *create_control[] = {&outer, &riid_control, &pcontrol};
    call(control_factory, "IClassFactory", "CreateInstance", create_control);
    EContextType current = eCurrentContext;
    void *get_context[] = {&current, &pcontext};
    call(manager, "IHostSecurityManager", "GetSecurityContext", get_context);
    HANDLE nobody = NULL;
    LogonUser("nobody", &nobody);
    if (!manager_factory || !control_factory || !manager || !control || !context || !nobody) {
        fprintf(stderr, "ffi_runtime: could not make the objects\n");
        return 2;
    }

    const HOSTSEC_INTERFACE_INFO *info = NULL;
    for (DWORD i = 0; GetInterfaceInfoAt(i, &info) == S_OK; i++) {
        struct world w = {manager, context, nobody};
        if (info->Iid == iid_factory)
            w.object = manager_factory;
        else if (info->Iid == iid_control)
            w.object = control;
        else if (info->Iid == iid_context)
            w.object = context;
        call_every_slot(info, &w);
    }

    /* LockServer(TRUE) above took a server lock: give it back. */
    BOOL unlock = FALSE;
    void *unlock_args[] = {&unlock};
    printf("IClassFactory::LockServer(FALSE) -> %s\n",
           name_of(call(manager_factory, "IClassFactory", "LockServer", unlock_args)));
    call(manager, "IHostSecurityManager", "RevertToSelf", NULL);
    CloseHandle(nobody);
    release(context);
    release(control);
    release(manager);
    release(control_factory);
    release(manager_factory);
    printf("DllCanUnloadNow -> %s\n", name_of(CanUnloadNow()));
    return 0;
}
