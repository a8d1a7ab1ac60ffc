/* Type information: HostSec_GetInterfaceInfo and HostSec_GetInterfaceInfoAt. Each described
 * slot is checked against the vtable member of that name (offsetof), each signature against
 * the C declaration's ABI; Tests/sh/test-typeinfo-header.sh checks names and types against
 * the header's text. */
#include "check.h"

#include <stddef.h>

static const HOSTSEC_INTERFACE_INFO *info_of(const IID *iid) {
    const HOSTSEC_INTERFACE_INFO *info = NULL;
    if (HostSec_GetInterfaceInfo(iid, &info) != S_OK) return NULL;
    return info;
}

static const HOSTSEC_METHOD_INFO *method_named(const HOSTSEC_INTERFACE_INFO *info, const char *name) {
    for (DWORD i = 0; info != NULL && i < info->MethodCount; i++)
        if (strcmp(info->Methods[i].Name, name) == 0) return &info->Methods[i];
    return NULL;
}

/* Every vtable member, by name, with its byte offset: the compiler checks each name exists. */
struct member {
    const IID *iid;
    const char *name;
    size_t offset;
    DWORD params;
};
#define M(iface, name, params) \
    { &IID_##iface, #name, offsetof(iface##Vtbl, name), params }
static const struct member members[] = {
    M(IUnknown, QueryInterface, 2),
    M(IUnknown, AddRef, 0),
    M(IUnknown, Release, 0),
    M(IClassFactory, QueryInterface, 2),
    M(IClassFactory, AddRef, 0),
    M(IClassFactory, Release, 0),
    M(IClassFactory, CreateInstance, 3),
    M(IClassFactory, LockServer, 1),
    M(IHostControl, QueryInterface, 2),
    M(IHostControl, AddRef, 0),
    M(IHostControl, Release, 0),
    M(IHostControl, GetHostManager, 2),
    M(IHostControl, SetAppDomainManager, 2),
    M(IHostSecurityContext, QueryInterface, 2),
    M(IHostSecurityContext, AddRef, 0),
    M(IHostSecurityContext, Release, 0),
    M(IHostSecurityContext, Capture, 1),
    M(IHostSecurityManager, QueryInterface, 2),
    M(IHostSecurityManager, AddRef, 0),
    M(IHostSecurityManager, Release, 0),
    M(IHostSecurityManager, ImpersonateLoggedOnUser, 1),
    M(IHostSecurityManager, RevertToSelf, 0),
    M(IHostSecurityManager, OpenThreadToken, 3),
    M(IHostSecurityManager, SetThreadToken, 1),
    M(IHostSecurityManager, GetSecurityContext, 2),
    M(IHostSecurityManager, SetSecurityContext, 2),
};
#define MEMBER_COUNT (sizeof members / sizeof members[0])

static void enumeration_lists_the_five_interfaces_in_header_order(void) {
    static const char *names[] = {"IUnknown", "IClassFactory", "IHostControl", "IHostSecurityContext",
                                  "IHostSecurityManager"};
    static const IID *iids[] = {&IID_IUnknown, &IID_IClassFactory, &IID_IHostControl, &IID_IHostSecurityContext,
                                &IID_IHostSecurityManager};
    for (DWORD i = 0; i < 5; i++) {
        const HOSTSEC_INTERFACE_INFO *info = NULL;
        CHECK_HR(HostSec_GetInterfaceInfoAt(i, &info), S_OK);
        CHECK(info != NULL && strcmp(info->Name, names[i]) == 0);
        CHECK(info != NULL && memcmp(info->Iid, iids[i], sizeof(IID)) == 0);
        CHECK(info != NULL && info == info_of(iids[i]));
        CHECK(info != NULL && (i == 0 ? info->BaseName == NULL : strcmp(info->BaseName, "IUnknown") == 0));
    }
}

static void enumeration_past_the_end_is_invalidarg_with_null(void) {
    const HOSTSEC_INTERFACE_INFO *info = (const HOSTSEC_INTERFACE_INFO *)&info;
    CHECK_HR(HostSec_GetInterfaceInfoAt(5, &info), E_INVALIDARG);
    CHECK(info == NULL);
    info = (const HOSTSEC_INTERFACE_INFO *)&info;
    CHECK_HR(HostSec_GetInterfaceInfoAt(0xFFFFFFFFu, &info), E_INVALIDARG);
    CHECK(info == NULL);
}

static void null_out_pointer_is_e_pointer(void) {
    CHECK_HR(HostSec_GetInterfaceInfoAt(0, NULL), E_POINTER);
    CHECK_HR(HostSec_GetInterfaceInfo(&IID_IUnknown, NULL), E_POINTER);
}

static void null_riid_is_e_pointer_with_null(void) {
    const HOSTSEC_INTERFACE_INFO *info = (const HOSTSEC_INTERFACE_INFO *)&info;
    CHECK_HR(HostSec_GetInterfaceInfo(NULL, &info), E_POINTER);
    CHECK(info == NULL);
}

static void unknown_iid_is_e_nointerface_with_null(void) {
    const HOSTSEC_INTERFACE_INFO *info = (const HOSTSEC_INTERFACE_INFO *)&info;
    CHECK_HR(HostSec_GetInterfaceInfo(&CLSID_HostSecurityManager, &info), E_NOINTERFACE);
    CHECK(info == NULL);
}

static void slot_count_matches_each_vtable_size(void) {
    CHECK(info_of(&IID_IUnknown)->MethodCount == sizeof(IUnknownVtbl) / sizeof(void *));
    CHECK(info_of(&IID_IClassFactory)->MethodCount == sizeof(IClassFactoryVtbl) / sizeof(void *));
    CHECK(info_of(&IID_IHostControl)->MethodCount == sizeof(IHostControlVtbl) / sizeof(void *));
    CHECK(info_of(&IID_IHostSecurityContext)->MethodCount == sizeof(IHostSecurityContextVtbl) / sizeof(void *));
    CHECK(info_of(&IID_IHostSecurityManager)->MethodCount == sizeof(IHostSecurityManagerVtbl) / sizeof(void *));
}

static void every_vtable_member_is_described_at_its_offset_with_its_arity(void) {
    DWORD described = 0;
    for (DWORD i = 0; i < 5; i++) {
        const HOSTSEC_INTERFACE_INFO *info = NULL;
        HostSec_GetInterfaceInfoAt(i, &info);
        described += info->MethodCount;
        for (DWORD s = 0; s < info->MethodCount; s++) CHECK(info->Methods[s].Slot == s);
    }
    CHECK(described == MEMBER_COUNT);
    for (size_t i = 0; i < MEMBER_COUNT; i++) {
        const HOSTSEC_METHOD_INFO *m = method_named(info_of(members[i].iid), members[i].name);
        if (m == NULL) {
            fprintf(stderr, "  %s not described\n", members[i].name);
            CHECK(m != NULL);
            continue;
        }
        CHECK(m->Slot * sizeof(void *) == members[i].offset);
        CHECK(m->ParamCount == members[i].params);
        CHECK((m->ParamCount == 0) == (m->Params == NULL));
    }
}

static void returns_are_hresult_except_addref_and_release(void) {
    for (DWORD i = 0; i < 5; i++) {
        const HOSTSEC_INTERFACE_INFO *info = NULL;
        HostSec_GetInterfaceInfoAt(i, &info);
        for (DWORD s = 0; s < info->MethodCount; s++) {
            const HOSTSEC_METHOD_INFO *m = &info->Methods[s];
            if (s == 1 || s == 2) {
                CHECK(strcmp(m->ReturnTypeName, "ULONG") == 0);
                CHECK(m->ReturnAbiKind == HOSTSEC_ABI_UINT32 && m->ReturnValueKind == HOSTSEC_VALUE_REFCOUNT);
            } else {
                CHECK(strcmp(m->ReturnTypeName, "HRESULT") == 0);
                CHECK(m->ReturnAbiKind == HOSTSEC_ABI_INT32 && m->ReturnValueKind == HOSTSEC_VALUE_HRESULT);
            }
        }
    }
}

static void open_thread_token_parameters_are_described_exactly(void) {
    const HOSTSEC_METHOD_INFO *m = method_named(info_of(&IID_IHostSecurityManager), "OpenThreadToken");
    CHECK(m->Slot == 5 && m->ParamCount == 3);
    const HOSTSEC_PARAM_INFO *p = m->Params;
    CHECK(strcmp(p[0].Name, "dwDesiredAccess") == 0 && strcmp(p[0].TypeName, "DWORD") == 0);
    CHECK(p[0].AbiKind == HOSTSEC_ABI_UINT32 && p[0].Direction == HOSTSEC_PARAM_IN);
    CHECK(p[0].ValueKind == HOSTSEC_VALUE_ACCESS_MASK);
    CHECK(strcmp(p[1].Name, "bOpenAsSelf") == 0 && strcmp(p[1].TypeName, "BOOL") == 0);
    CHECK(p[1].AbiKind == HOSTSEC_ABI_INT32 && p[1].ValueKind == HOSTSEC_VALUE_BOOL);
    CHECK(strcmp(p[2].Name, "phThreadToken") == 0 && strcmp(p[2].TypeName, "HANDLE *") == 0);
    CHECK(p[2].AbiKind == HOSTSEC_ABI_POINTER && p[2].Direction == HOSTSEC_PARAM_OUT);
    CHECK(p[2].ValueKind == HOSTSEC_VALUE_HANDLE_OUT && p[2].IidIsParam == -1 && p[2].InterfaceIid == NULL);
}

static void interface_out_parameters_name_their_interface(void) {
    const HOSTSEC_METHOD_INFO *qi = method_named(info_of(&IID_IHostControl), "QueryInterface");
    CHECK(qi->Params[1].ValueKind == HOSTSEC_VALUE_INTERFACE_OUT && qi->Params[1].IidIsParam == 0);
    const HOSTSEC_METHOD_INFO *ci = method_named(info_of(&IID_IClassFactory), "CreateInstance");
    CHECK(ci->Params[2].IidIsParam == 1 && strcmp(ci->Params[ci->Params[2].IidIsParam].TypeName, "REFIID") == 0);
    CHECK(ci->Params[0].InterfaceIid == &IID_IUnknown);
    const HOSTSEC_METHOD_INFO *get = method_named(info_of(&IID_IHostSecurityManager), "GetSecurityContext");
    CHECK(get->Params[0].ValueKind == HOSTSEC_VALUE_CONTEXT_TYPE && get->Params[0].AbiKind == HOSTSEC_ABI_INT32);
    CHECK(get->Params[1].InterfaceIid == &IID_IHostSecurityContext && get->Params[1].IidIsParam == -1);
    CHECK(strcmp(get->Params[1].TypeName, "IHostSecurityContext **") == 0);
    const HOSTSEC_METHOD_INFO *set = method_named(info_of(&IID_IHostSecurityManager), "SetSecurityContext");
    CHECK(set->Params[1].Direction == HOSTSEC_PARAM_IN && set->Params[1].ValueKind == HOSTSEC_VALUE_INTERFACE);
}

static void functions_enumerate_every_flat_function_then_end(void) {
    static const char *const names[] = {
        "HostSec_LogonUserWithPassword",
        "DllGetClassObject",
        "DllCanUnloadNow",
        "HostSec_GetVersion",
        "HostSec_GetVersionString",
        "HostSec_HResultName",
        "HostSec_GetStatistics",
        "HostSec_CloseHandle",
        "HostSec_OpenProcessToken",
        "HostSec_ImpersonateSelf",
        "HostSec_DuplicateTokenEx",
        "HostSec_GetTokenInformation",
        "HostSec_LogonUser",
        "HostSec_SetPolicy",
        "HostSec_GetInterfaceInfo",
        "HostSec_GetInterfaceInfoAt",
        "HostSec_GetFunctionInfoAt",
        "HostSec_Invoke",
        "HostSec_SetTrace",
        "HostSec_SpawnAsUser",
        "HostSec_OpenSocketClientToken",
        "HostSec_ImpersonateSocketClient",
        "HostSec_LogonUserWithPasswordNoWait",
    };
    const DWORD count = sizeof names / sizeof names[0];
    for (DWORD i = 0; i < count; i++) {
        const HOSTSEC_METHOD_INFO *f = (const HOSTSEC_METHOD_INFO *)1;
        CHECK_HR(HostSec_GetFunctionInfoAt(i, &f), S_OK);
        CHECK(f != NULL && strcmp(f->Name, names[i]) == 0 && f->Slot == i);
        if (f != NULL && f->ParamCount == 0) CHECK(f->Params == NULL);
    }
    const HOSTSEC_METHOD_INFO *f = (const HOSTSEC_METHOD_INFO *)1;
    CHECK_HR(HostSec_GetFunctionInfoAt(count, &f), E_INVALIDARG);
    CHECK(f == NULL);
    CHECK_HR(HostSec_GetFunctionInfoAt(0, NULL), E_POINTER);
}

static void function_returns_other_than_hresult_are_described(void) {
    const HOSTSEC_METHOD_INFO *f = NULL;
    CHECK_HR(HostSec_GetFunctionInfoAt(3, &f), S_OK); /* HostSec_GetVersion */
    CHECK(f && strcmp(f->ReturnTypeName, "DWORD") == 0 && f->ReturnAbiKind == HOSTSEC_ABI_UINT32 &&
          f->ReturnValueKind == HOSTSEC_VALUE_NUMBER);
    CHECK_HR(HostSec_GetFunctionInfoAt(5, &f), S_OK); /* HostSec_HResultName */
    CHECK(f && strcmp(f->ReturnTypeName, "const char *") == 0 && f->ReturnAbiKind == HOSTSEC_ABI_POINTER &&
          f->ReturnValueKind == HOSTSEC_VALUE_STRING && f->ParamCount == 1 &&
          f->Params[0].ValueKind == HOSTSEC_VALUE_HRESULT && f->Params[0].AbiKind == HOSTSEC_ABI_INT32);
    CHECK_HR(HostSec_GetFunctionInfoAt(1, &f), S_OK); /* DllGetClassObject: ppv's interface is riid's */
    CHECK(f && f->ParamCount == 3 && f->Params[2].ValueKind == HOSTSEC_VALUE_INTERFACE_OUT &&
          f->Params[2].IidIsParam == 1 && f->Params[2].Direction == HOSTSEC_PARAM_OUT);
}

static void logon_password_is_described_as_a_secret(void) {
    const HOSTSEC_METHOD_INFO *f = NULL;
    CHECK_HR(HostSec_GetFunctionInfoAt(0, &f), S_OK);
    if (f == NULL) return;
    CHECK(f->ParamCount == 3 && strcmp(f->ReturnTypeName, "HRESULT") == 0 && f->ReturnAbiKind == HOSTSEC_ABI_INT32);
    CHECK(strcmp(f->Params[0].Name, "userName") == 0 && f->Params[0].ValueKind == HOSTSEC_VALUE_STRING);
    CHECK(strcmp(f->Params[1].Name, "password") == 0 && f->Params[1].ValueKind == HOSTSEC_VALUE_SECRET &&
          f->Params[1].Direction == HOSTSEC_PARAM_IN && f->Params[1].AbiKind == HOSTSEC_ABI_POINTER);
    CHECK(strcmp(f->Params[2].Name, "phToken") == 0 && f->Params[2].ValueKind == HOSTSEC_VALUE_HANDLE_OUT &&
          f->Params[2].Direction == HOSTSEC_PARAM_OUT);
}

static void abi_kinds_match_the_c_types(void) {
    /* Pointers are pointer-sized, 32-bit kinds are 4 bytes: what libffi's types assume. */
    for (DWORD i = 0; i < 5; i++) {
        const HOSTSEC_INTERFACE_INFO *info = NULL;
        HostSec_GetInterfaceInfoAt(i, &info);
        for (DWORD s = 0; s < info->MethodCount; s++)
            for (DWORD p = 0; p < info->Methods[s].ParamCount; p++) {
                const HOSTSEC_PARAM_INFO *param = &info->Methods[s].Params[p];
                int pointer = strchr(param->TypeName, '*') != NULL || strcmp(param->TypeName, "REFIID") == 0 ||
                              strcmp(param->TypeName, "HANDLE") == 0;
                CHECK(pointer == (param->AbiKind == HOSTSEC_ABI_POINTER));
                if (strcmp(param->TypeName, "DWORD") == 0) CHECK(param->AbiKind == HOSTSEC_ABI_UINT32);
                if (strcmp(param->TypeName, "BOOL") == 0 || strcmp(param->TypeName, "EContextType") == 0)
                    CHECK(param->AbiKind == HOSTSEC_ABI_INT32);
            }
    }
    CHECK(sizeof(EContextType) == 4 && sizeof(BOOL) == 4 && sizeof(DWORD) == 4);
}

int main(void) {
    RUN_TEST(enumeration_lists_the_five_interfaces_in_header_order);
    RUN_TEST(enumeration_past_the_end_is_invalidarg_with_null);
    RUN_TEST(null_out_pointer_is_e_pointer);
    RUN_TEST(null_riid_is_e_pointer_with_null);
    RUN_TEST(unknown_iid_is_e_nointerface_with_null);
    RUN_TEST(slot_count_matches_each_vtable_size);
    RUN_TEST(every_vtable_member_is_described_at_its_offset_with_its_arity);
    RUN_TEST(returns_are_hresult_except_addref_and_release);
    RUN_TEST(open_thread_token_parameters_are_described_exactly);
    RUN_TEST(interface_out_parameters_name_their_interface);
    RUN_TEST(abi_kinds_match_the_c_types);
    RUN_TEST(functions_enumerate_every_flat_function_then_end);
    RUN_TEST(function_returns_other_than_hresult_are_described);
    RUN_TEST(logon_password_is_described_as_a_secret);
    CHECK_EXIT();
}
