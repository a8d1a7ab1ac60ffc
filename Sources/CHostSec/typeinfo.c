/* The type information of hostsec.h's interfaces (HostSec_GetInterfaceInfo).
 *
 * Static C data rather than tables built in Swift at run time: it needs no initialization
 * (so no ordering or thread-safety question at first use), the tables are in .data.rel.ro,
 * read-only once relocated (a host that writes through the const pointers it was given
 * faults instead of corrupting them; the name strings are literals in .rodata, which the
 * static Swift runtime's inputs make writable, see shim.c), and it sits in the language the
 * header is written in, so each row reads like the vtable member it describes. Tests/sh/test-typeinfo-header.sh checks every row
 * against the IFooVtbl structs of hostsec.h. */
#include "hostsec.h"
#include "hostsec_shim.h"

#define PARAM(name, type, abi, dir, value, iidIs, iface) \
    { name, type, HOSTSEC_ABI_##abi, HOSTSEC_PARAM_##dir, HOSTSEC_VALUE_##value, iidIs, iface }
#define METHOD(name, slot, params, ret, retAbi, retValue) \
    { name, slot, sizeof(params) / sizeof(params[0]), params, ret, HOSTSEC_ABI_##retAbi, HOSTSEC_VALUE_##retValue }
#define METHOD0(name, slot, ret, retAbi, retValue) \
    { name, slot, 0, NULL, ret, HOSTSEC_ABI_##retAbi, HOSTSEC_VALUE_##retValue }
#define COUNT(a) (DWORD)(sizeof(a) / sizeof(a[0]))

static const HOSTSEC_PARAM_INFO query_interface_params[] = {
    PARAM("riid", "REFIID", POINTER, IN, IID, -1, NULL),
    PARAM("ppvObject", "void **", POINTER, OUT, INTERFACE_OUT, 0, NULL),
};

#define IUNKNOWN_METHODS                                                            \
    METHOD("QueryInterface", 0, query_interface_params, "HRESULT", INT32, HRESULT), \
        METHOD0("AddRef", 1, "ULONG", UINT32, REFCOUNT), METHOD0("Release", 2, "ULONG", UINT32, REFCOUNT)

static const HOSTSEC_METHOD_INFO unknown_methods[] = {IUNKNOWN_METHODS};

static const HOSTSEC_PARAM_INFO create_instance_params[] = {
    PARAM("pUnkOuter", "IUnknown *", POINTER, IN, INTERFACE, -1, &IID_IUnknown),
    PARAM("riid", "REFIID", POINTER, IN, IID, -1, NULL),
    PARAM("ppvObject", "void **", POINTER, OUT, INTERFACE_OUT, 1, NULL),
};
static const HOSTSEC_PARAM_INFO lock_server_params[] = {
    PARAM("fLock", "BOOL", INT32, IN, BOOL, -1, NULL),
};
static const HOSTSEC_METHOD_INFO class_factory_methods[] = {
    IUNKNOWN_METHODS,
    METHOD("CreateInstance", 3, create_instance_params, "HRESULT", INT32, HRESULT),
    METHOD("LockServer", 4, lock_server_params, "HRESULT", INT32, HRESULT),
};

static const HOSTSEC_PARAM_INFO get_host_manager_params[] = {
    PARAM("riid", "REFIID", POINTER, IN, IID, -1, NULL),
    PARAM("ppObject", "void **", POINTER, OUT, INTERFACE_OUT, 0, NULL),
};
static const HOSTSEC_PARAM_INFO set_app_domain_manager_params[] = {
    PARAM("dwAppDomainID", "DWORD", UINT32, IN, NUMBER, -1, NULL),
    PARAM("pUnkAppDomainManager", "IUnknown *", POINTER, IN, INTERFACE, -1, &IID_IUnknown),
};
static const HOSTSEC_METHOD_INFO host_control_methods[] = {
    IUNKNOWN_METHODS,
    METHOD("GetHostManager", 3, get_host_manager_params, "HRESULT", INT32, HRESULT),
    METHOD("SetAppDomainManager", 4, set_app_domain_manager_params, "HRESULT", INT32, HRESULT),
};

static const HOSTSEC_PARAM_INFO capture_params[] = {
    PARAM("ppClonedContext", "IHostSecurityContext **", POINTER, OUT, INTERFACE_OUT, -1, &IID_IHostSecurityContext),
};
static const HOSTSEC_METHOD_INFO security_context_methods[] = {
    IUNKNOWN_METHODS,
    METHOD("Capture", 3, capture_params, "HRESULT", INT32, HRESULT),
};

static const HOSTSEC_PARAM_INFO impersonate_params[] = {
    PARAM("hToken", "HANDLE", POINTER, IN, HANDLE, -1, NULL),
};
static const HOSTSEC_PARAM_INFO open_thread_token_params[] = {
    PARAM("dwDesiredAccess", "DWORD", UINT32, IN, ACCESS_MASK, -1, NULL),
    PARAM("bOpenAsSelf", "BOOL", INT32, IN, BOOL, -1, NULL),
    PARAM("phThreadToken", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO set_thread_token_params[] = {
    PARAM("hToken", "HANDLE", POINTER, IN, HANDLE, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_security_context_params[] = {
    PARAM("eContextType", "EContextType", INT32, IN, CONTEXT_TYPE, -1, NULL),
    PARAM("ppSecurityContext", "IHostSecurityContext **", POINTER, OUT, INTERFACE_OUT, -1, &IID_IHostSecurityContext),
};
static const HOSTSEC_PARAM_INFO set_security_context_params[] = {
    PARAM("eContextType", "EContextType", INT32, IN, CONTEXT_TYPE, -1, NULL),
    PARAM("pSecurityContext", "IHostSecurityContext *", POINTER, IN, INTERFACE, -1, &IID_IHostSecurityContext),
};
static const HOSTSEC_METHOD_INFO security_manager_methods[] = {
    IUNKNOWN_METHODS,
    METHOD("ImpersonateLoggedOnUser", 3, impersonate_params, "HRESULT", INT32, HRESULT),
    METHOD0("RevertToSelf", 4, "HRESULT", INT32, HRESULT),
    METHOD("OpenThreadToken", 5, open_thread_token_params, "HRESULT", INT32, HRESULT),
    METHOD("SetThreadToken", 6, set_thread_token_params, "HRESULT", INT32, HRESULT),
    METHOD("GetSecurityContext", 7, get_security_context_params, "HRESULT", INT32, HRESULT),
    METHOD("SetSecurityContext", 8, set_security_context_params, "HRESULT", INT32, HRESULT),
};

static const HOSTSEC_INTERFACE_INFO interfaces[] = {
    {"IUnknown", &IID_IUnknown, NULL, COUNT(unknown_methods), unknown_methods},
    {"IClassFactory", &IID_IClassFactory, "IUnknown", COUNT(class_factory_methods), class_factory_methods},
    {"IHostControl", &IID_IHostControl, "IUnknown", COUNT(host_control_methods), host_control_methods},
    {"IHostSecurityContext", &IID_IHostSecurityContext, "IUnknown", COUNT(security_context_methods),
     security_context_methods},
    {"IHostSecurityManager", &IID_IHostSecurityManager, "IUnknown", COUNT(security_manager_methods),
     security_manager_methods},
};

const HOSTSEC_INTERFACE_INFO *hs_interface_info_at(uint32_t index) {
    return index < COUNT(interfaces) ? &interfaces[index] : NULL;
}

/* The flat functions described (HostSec_GetFunctionInfoAt); Slot is the index here, the
 * HS_FUNCTION_ value of hostsec_shim.h. */
#define FUNCTION(name, params, ret, retAbi, retValue) METHOD(#name, HS_FUNCTION_##name, params, ret, retAbi, retValue)
#define FUNCTION0(name, ret, retAbi, retValue)        METHOD0(#name, HS_FUNCTION_##name, ret, retAbi, retValue)

static const HOSTSEC_PARAM_INFO logon_user_with_password_params[] = {
    PARAM("userName", "const char *", POINTER, IN, STRING, -1, NULL),
    PARAM("password", "const char *", POINTER, IN, SECRET, -1, NULL),
    PARAM("phToken", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO logon_user_with_password_no_wait_params[] = {
    PARAM("userName", "const char *", POINTER, IN, STRING, -1, NULL),
    PARAM("password", "const char *", POINTER, IN, SECRET, -1, NULL),
    PARAM("phToken", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
    PARAM("pdwFailureDelayMs", "DWORD *", POINTER, OUT, NUMBER, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_class_object_params[] = {
    PARAM("rclsid", "REFCLSID", POINTER, IN, IID, -1, NULL),
    PARAM("riid", "REFIID", POINTER, IN, IID, -1, NULL),
    PARAM("ppv", "void **", POINTER, OUT, INTERFACE_OUT, 1, NULL),
};
static const HOSTSEC_PARAM_INFO hresult_name_params[] = {
    PARAM("hr", "HRESULT", INT32, IN, HRESULT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_statistics_params[] = {
    PARAM("stats", "HOSTSEC_STATISTICS *", POINTER, OUT, POINTER, -1, NULL),
};
static const HOSTSEC_PARAM_INFO close_handle_params[] = {
    PARAM("hObject", "HANDLE", POINTER, IN, HANDLE, -1, NULL),
};
static const HOSTSEC_PARAM_INFO open_process_token_params[] = {
    PARAM("dwDesiredAccess", "DWORD", UINT32, IN, ACCESS_MASK, -1, NULL),
    PARAM("phToken", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO impersonate_self_params[] = {
    PARAM("ImpersonationLevel", "SECURITY_IMPERSONATION_LEVEL", INT32, IN, IMPERSONATION_LEVEL, -1, NULL),
};
static const HOSTSEC_PARAM_INFO duplicate_token_ex_params[] = {
    PARAM("hExistingToken", "HANDLE", POINTER, IN, HANDLE, -1, NULL),
    PARAM("dwDesiredAccess", "DWORD", UINT32, IN, ACCESS_MASK, -1, NULL),
    PARAM("ImpersonationLevel", "SECURITY_IMPERSONATION_LEVEL", INT32, IN, IMPERSONATION_LEVEL, -1, NULL),
    PARAM("TokenType", "TOKEN_TYPE", INT32, IN, TOKEN_TYPE, -1, NULL),
    PARAM("phNewToken", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_token_information_params[] = {
    PARAM("hToken", "HANDLE", POINTER, IN, HANDLE, -1, NULL),
    PARAM("TokenInformationClass", "TOKEN_INFORMATION_CLASS", INT32, IN, INFORMATION_CLASS, -1, NULL),
    PARAM("TokenInformation", "void *", POINTER, OUT, POINTER, -1, NULL),
    PARAM("TokenInformationLength", "DWORD", UINT32, IN, NUMBER, -1, NULL),
    PARAM("ReturnLength", "DWORD *", POINTER, OUT, NUMBER, -1, NULL),
};
static const HOSTSEC_PARAM_INFO logon_user_params[] = {
    PARAM("userName", "const char *", POINTER, IN, STRING, -1, NULL),
    PARAM("phToken", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO set_policy_params[] = {
    PARAM("dwFlags", "DWORD", UINT32, IN, POLICY, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_interface_info_params[] = {
    PARAM("riid", "REFIID", POINTER, IN, IID, -1, NULL),
    PARAM("ppInfo", "const HOSTSEC_INTERFACE_INFO **", POINTER, OUT, POINTER_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_interface_info_at_params[] = {
    PARAM("index", "DWORD", UINT32, IN, NUMBER, -1, NULL),
    PARAM("ppInfo", "const HOSTSEC_INTERFACE_INFO **", POINTER, OUT, POINTER_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO get_function_info_at_params[] = {
    PARAM("index", "DWORD", UINT32, IN, NUMBER, -1, NULL),
    PARAM("ppInfo", "const HOSTSEC_METHOD_INFO **", POINTER, OUT, POINTER_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO invoke_params[] = {
    PARAM("pInterface", "void *", POINTER, IN, INTERFACE, -1, NULL),
    PARAM("riid", "REFIID", POINTER, IN, IID, -1, NULL),
    PARAM("slot", "DWORD", UINT32, IN, NUMBER, -1, NULL),
    PARAM("args", "void **", POINTER, IN, POINTER, -1, NULL),
    PARAM("pResult", "void *", POINTER, OUT, POINTER, -1, NULL),
};
static const HOSTSEC_PARAM_INFO set_trace_params[] = {
    PARAM("enable", "BOOL", INT32, IN, BOOL, -1, NULL),
    PARAM("path", "const char *", POINTER, IN, STRING, -1, NULL),
};
static const HOSTSEC_PARAM_INFO spawn_as_user_params[] = {
    PARAM("token", "HANDLE", POINTER, IN, HANDLE, -1, NULL),
    PARAM("path", "const char *", POINTER, IN, STRING, -1, NULL),
    PARAM("argv", "char *const[]", POINTER, IN, POINTER, -1, NULL),
    PARAM("envp", "char *const[]", POINTER, IN, POINTER, -1, NULL),
    PARAM("pid", "pid_t *", POINTER, OUT, NUMBER, -1, NULL),
};
static const HOSTSEC_PARAM_INFO open_socket_client_token_params[] = {
    PARAM("fd", "int", INT32, IN, NUMBER, -1, NULL),
    PARAM("desiredAccess", "DWORD", UINT32, IN, ACCESS_MASK, -1, NULL),
    PARAM("token", "HANDLE *", POINTER, OUT, HANDLE_OUT, -1, NULL),
};
static const HOSTSEC_PARAM_INFO impersonate_socket_client_params[] = {
    PARAM("fd", "int", INT32, IN, NUMBER, -1, NULL),
};

static const HOSTSEC_METHOD_INFO functions[] = {
    FUNCTION(HostSec_LogonUserWithPassword, logon_user_with_password_params, "HRESULT", INT32, HRESULT),
    FUNCTION(DllGetClassObject, get_class_object_params, "HRESULT", INT32, HRESULT),
    FUNCTION0(DllCanUnloadNow, "HRESULT", INT32, HRESULT),
    FUNCTION0(HostSec_GetVersion, "DWORD", UINT32, NUMBER),
    FUNCTION0(HostSec_GetVersionString, "const char *", POINTER, STRING),
    FUNCTION(HostSec_HResultName, hresult_name_params, "const char *", POINTER, STRING),
    FUNCTION(HostSec_GetStatistics, get_statistics_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_CloseHandle, close_handle_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_OpenProcessToken, open_process_token_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_ImpersonateSelf, impersonate_self_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_DuplicateTokenEx, duplicate_token_ex_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_GetTokenInformation, get_token_information_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_LogonUser, logon_user_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_SetPolicy, set_policy_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_GetInterfaceInfo, get_interface_info_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_GetInterfaceInfoAt, get_interface_info_at_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_GetFunctionInfoAt, get_function_info_at_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_Invoke, invoke_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_SetTrace, set_trace_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_SpawnAsUser, spawn_as_user_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_OpenSocketClientToken, open_socket_client_token_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_ImpersonateSocketClient, impersonate_socket_client_params, "HRESULT", INT32, HRESULT),
    FUNCTION(HostSec_LogonUserWithPasswordNoWait, logon_user_with_password_no_wait_params, "HRESULT", INT32,
             HRESULT),
};
_Static_assert(COUNT(functions) == HS_FUNCTION_COUNT, "one description per HS_FUNCTION_ value");

const HOSTSEC_METHOD_INFO *hs_function_info_at(uint32_t index) {
    return index < COUNT(functions) ? &functions[index] : NULL;
}
