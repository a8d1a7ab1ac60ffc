// A C++ host of hostsec.h: virtual calls, REFIID as a reference.
#include <hostsec.h>
#include <cstdio>
#include <type_traits>

static_assert(std::is_reference<REFIID>::value, "REFIID is a reference (a pointer in the ABI)");
static_assert(HRESULT_FROM_WIN32(ERROR_NO_TOKEN) == static_cast<HRESULT>(0x800703F0), "");

static const char *name(HRESULT hr) {
    switch (hr) {
    case S_OK: return "S_OK";
    case E_POINTER: return "E_POINTER";
    case HRESULT_FROM_WIN32(ERROR_NO_TOKEN): return "NO_TOKEN";
    default: return "other";
    }
}

int main() {
    void *pv = nullptr;
    if (FAILED(DllGetClassObject(CLSID_HostControl, IID_IClassFactory, &pv))) return 1;
    IClassFactory *factory = static_cast<IClassFactory *>(pv);
    HRESULT hr = factory->CreateInstance(nullptr, IID_IHostControl, &pv);
    factory->Release();
    if (FAILED(hr)) return 2;
    IHostControl *control = static_cast<IHostControl *>(pv);
    hr = control->GetHostManager(IID_IHostSecurityManager, &pv);
    control->Release();
    if (FAILED(hr)) return 3;
    IHostSecurityManager *p = static_cast<IHostSecurityManager *>(pv);

    IUnknown *unknown = nullptr;
    hr = p->QueryInterface(IID_IUnknown, reinterpret_cast<void **>(&unknown));
    std::printf("identity: %s\n", hr == S_OK && unknown == static_cast<IUnknown *>(p) ? "same" : "different");
    if (unknown) unknown->Release();

    HANDLE token = nullptr;
    DWORD rights[] = {TOKEN_QUERY, GENERIC_READ, MAXIMUM_ALLOWED};
    hr = p->OpenThreadToken(rights[0], TRUE, &token);
    std::printf("before: %s\n", name(hr));
    HostSec_ImpersonateSelf(SecurityImpersonation);
    hr = p->OpenThreadToken(rights[1], FALSE, &token);
    std::printf("after: %s\n", name(hr));
    if (SUCCEEDED(hr)) HostSec_CloseHandle(token);
    std::printf("revert: %s\n", name(p->RevertToSelf()));
    std::printf("release: %lu\n", static_cast<unsigned long>(p->Release()));
    return 0;
}
