// host-cpp.cpp: the C++ view of the same interfaces.
//
//   c++ host-cpp.cpp $(pkg-config --cflags --libs hostsec) -o host-cpp
//
// Interfaces are abstract classes sharing the C vtables, so methods are called directly
// (p->OpenThreadToken(...)) and IIDs are passed by reference. It also carries an identity
// across a revert with a security context, the way a runtime flows identity between threads.
#include <hostsec.h>
#include <cstdio>

static const char *name(HRESULT hr) {
    return HostSec_HResultName(hr); /* never NULL: "unknown HRESULT" outside the table */
}

static void open_token(IHostSecurityManager *manager, const char *when) {
    HANDLE token = nullptr;
    HRESULT hr = manager->OpenThreadToken(TOKEN_QUERY, TRUE, &token);
    std::printf("OpenThreadToken %s: %s\n", when, name(hr));
    if (hr == S_OK) HostSec_CloseHandle(token);
}

int main() {
    void *pv = nullptr;
    if (DllGetClassObject(CLSID_HostSecurityManager, IID_IClassFactory, &pv) != S_OK) return 1;
    IClassFactory *factory = static_cast<IClassFactory *>(pv);
    HRESULT hr = factory->CreateInstance(nullptr, IID_IHostSecurityManager, &pv);
    factory->Release();
    if (hr != S_OK) return 1;
    IHostSecurityManager *manager = static_cast<IHostSecurityManager *>(pv);

    // Identity: QueryInterface for IUnknown gives back the same object.
    IUnknown *unknown = nullptr;
    hr = manager->QueryInterface(IID_IUnknown, reinterpret_cast<void **>(&unknown));
    std::printf("QueryInterface(IID_IUnknown): %s, same object: %s\n", name(hr),
                unknown == static_cast<IUnknown *>(manager) ? "yes" : "no");
    if (unknown != nullptr) unknown->Release();

    open_token(manager, "before");
    HostSec_ImpersonateSelf(SecurityImpersonation);
    open_token(manager, "impersonating");

    // Capture the identity, revert, and apply the captured identity again.
    IHostSecurityContext *context = nullptr;
    std::printf("GetSecurityContext: %s\n", name(manager->GetSecurityContext(eCurrentContext, &context)));
    std::printf("RevertToSelf: %s\n", name(manager->RevertToSelf()));
    open_token(manager, "reverted");
    std::printf("SetSecurityContext: %s\n", name(manager->SetSecurityContext(eCurrentContext, context)));
    open_token(manager, "restored");

    manager->RevertToSelf();
    if (context != nullptr) context->Release();
    std::printf("Release: %lu\n", static_cast<unsigned long>(manager->Release()));
    return 0;
}
