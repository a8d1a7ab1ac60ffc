// bench.cpp - per-call costs of libhostsec.so measured from a host through the vtable, next
// to a plain C implementation of the same operations (baseline.c) and the raw syscall
// sequence of kernel-enforced impersonation. Every library benchmark is named "lib/<row>",
// its yardstick "c/<row>"; benchmarks/report.py pairs them into benchmarks/results.md.
#include <benchmark/benchmark.h>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hostsec.h"
#include "baseline.h"

namespace {

IHostSecurityManager *lib_manager() {
    static IHostSecurityManager *manager = [] {
        IClassFactory *factory = nullptr;
        void *object = nullptr;
        if (DllGetClassObject(CLSID_HostSecurityManager, IID_IClassFactory, (void **)&factory) != S_OK ||
            factory->CreateInstance(nullptr, IID_IHostSecurityManager, &object) != S_OK) {
            std::fprintf(stderr, "bench: cannot create the library's security manager\n");
            std::abort();
        }
        factory->Release();
        return static_cast<IHostSecurityManager *>(object);
    }();
    return manager;
}

IHostSecurityManager *c_manager() {
    static IHostSecurityManager *manager = bl_create_manager();
    return manager;
}

struct Account {
    bool found = false;
    uint32_t uid = 0, gid = 0;
    std::vector<uint32_t> groups;
};

const Account &nobody() {
    static Account account = [] {
        Account a;
        struct passwd *pw = getpwnam("nobody");
        if (pw == nullptr) return a;
        a.found = true;
        a.uid = pw->pw_uid;
        a.gid = pw->pw_gid;
        int n = 64;
        std::vector<gid_t> list(n);
        if (getgrouplist(pw->pw_name, pw->pw_gid, list.data(), &n) < 0) n = 0;
        for (int i = 0; i < n; i++) a.groups.push_back(list[i]);
        return a;
    }();
    return account;
}

bool can_switch_credentials(benchmark::State &state) {
    if (geteuid() != 0 || !nobody().found) {
        state.SkipWithError("needs root and a 'nobody' account");
        return false;
    }
    return true;
}

// ---- IUnknown ------------------------------------------------------------------------

void AddRefRelease(benchmark::State &state, IHostSecurityManager *m) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(m->AddRef());
        benchmark::DoNotOptimize(m->Release());
    }
}

// Every IID a host asks a manager for: its own, IUnknown (identity checks, smart pointers),
// and one it does not implement (E_NOINTERFACE: nothing to Release).
void QueryInterfaceRelease(benchmark::State &state, IHostSecurityManager *m, const IID *iid) {
    void *p = nullptr;
    for (auto _ : state) {
        benchmark::DoNotOptimize(m->QueryInterface(*iid, &p));
        if (p != nullptr) benchmark::DoNotOptimize(static_cast<IUnknown *>(p)->Release());
    }
}

// ---- the call tracer ------------------------------------------------------------------
// A manager made while tracing is off is a plain object (the library's static vtable), so
// its calls cost what the rows above show: "off" below is that. "On" is the same call through
// the proxy a traced object gets, which formats and writes one line (to /dev/null here).

template <bool On> void TracedCall(benchmark::State &state) {
    if (On && HostSec_SetTrace(TRUE, "/dev/null") != S_OK) {
        state.SkipWithError("HostSec_SetTrace failed");
        return;
    }
    IClassFactory *factory = nullptr;
    void *object = nullptr;
    DllGetClassObject(CLSID_HostSecurityManager, IID_IClassFactory, (void **)&factory);
    factory->CreateInstance(nullptr, IID_IHostSecurityManager, &object);
    factory->Release();
    auto *m = static_cast<IHostSecurityManager *>(object);
    HANDLE h = nullptr;
    for (auto _ : state) {
        benchmark::DoNotOptimize(m->OpenThreadToken(TOKEN_QUERY, FALSE, &h));
    }
    m->Release();
    if (On) HostSec_SetTrace(FALSE, nullptr);
}

// ---- OpenThreadToken -----------------------------------------------------------------

void OpenNoToken(benchmark::State &state, IHostSecurityManager *m) {
    HANDLE h = nullptr;
    HRESULT hr = m->OpenThreadToken(TOKEN_QUERY, FALSE, &h);
    if (hr != HRESULT_FROM_WIN32(ERROR_NO_TOKEN)) {
        state.SkipWithError("expected ERROR_NO_TOKEN");
        return;
    }
    for (auto _ : state) {
        benchmark::DoNotOptimize(m->OpenThreadToken(TOKEN_QUERY, FALSE, &h));
        benchmark::ClobberMemory();
    }
}

template <HRESULT (*Impersonate)(SECURITY_IMPERSONATION_LEVEL), HRESULT (*Close)(HANDLE)>
void OpenClose(benchmark::State &state, IHostSecurityManager *m) {
    if (Impersonate(SecurityImpersonation) != S_OK) {
        state.SkipWithError("ImpersonateSelf failed");
        return;
    }
    HANDLE h = nullptr;
    for (auto _ : state) {
        HRESULT hr = m->OpenThreadToken(TOKEN_QUERY, FALSE, &h);
        benchmark::DoNotOptimize(hr);
        benchmark::DoNotOptimize(h);
        benchmark::DoNotOptimize(Close(h));
    }
    state.SetItemsProcessed(state.iterations());
    m->RevertToSelf();
}

// ---- impersonation -------------------------------------------------------------------

template <HRESULT (*Impersonate)(SECURITY_IMPERSONATION_LEVEL)>
void ImpersonateSelfRevert(benchmark::State &state, IHostSecurityManager *m) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(Impersonate(SecurityImpersonation));
        benchmark::DoNotOptimize(m->RevertToSelf());
    }
}

void LibImpersonateNobody(benchmark::State &state) {
    if (!can_switch_credentials(state)) return;
    IHostSecurityManager *m = lib_manager();
    HANDLE h = nullptr;
    if (HostSec_LogonUser("nobody", &h) != S_OK) {
        state.SkipWithError("HostSec_LogonUser failed");
        return;
    }
    if (m->ImpersonateLoggedOnUser(h) != S_OK || geteuid() != nobody().uid) {
        state.SkipWithError("impersonation did not reach the kernel");
        m->RevertToSelf();
        HostSec_CloseHandle(h);
        return;
    }
    m->RevertToSelf();
    for (auto _ : state) {
        benchmark::DoNotOptimize(m->ImpersonateLoggedOnUser(h));
        benchmark::DoNotOptimize(m->RevertToSelf());
    }
    HostSec_CloseHandle(h);
}

void RawImpersonateNobody(benchmark::State &state) {
    if (!can_switch_credentials(state)) return;
    const Account &a = nobody();
    bl_thread_init();
    for (auto _ : state) {
        benchmark::DoNotOptimize(bl_raw_impersonate(a.uid, a.gid, a.groups.data(), (uint32_t)a.groups.size()));
        benchmark::DoNotOptimize(bl_raw_revert());
    }
    if (geteuid() != 0) std::abort();
}

void CImpersonateNobody(benchmark::State &state) {
    if (!can_switch_credentials(state)) return;
    const Account &a = nobody();
    IHostSecurityManager *m = c_manager();
    HANDLE h = nullptr;
    bl_LogonUser(a.uid, a.gid, a.groups.data(), (uint32_t)a.groups.size(), &h);
    for (auto _ : state) {
        benchmark::DoNotOptimize(m->ImpersonateLoggedOnUser(h));
        benchmark::DoNotOptimize(m->RevertToSelf());
    }
    bl_CloseHandle(h);
}

// Context captured while impersonating nobody: per iteration, apply it (Set), capture the
// thread's context again (Get, while impersonating nobody), release that, revert.
template <bool Lib> void ContextRoundTrip(benchmark::State &state) {
    if (!can_switch_credentials(state)) return;
    const Account &a = nobody();
    IHostSecurityManager *m = Lib ? lib_manager() : c_manager();
    HANDLE h = nullptr;
    HRESULT hr = Lib ? HostSec_LogonUser("nobody", &h)
                     : bl_LogonUser(a.uid, a.gid, a.groups.data(), (uint32_t)a.groups.size(), &h);
    if (hr != S_OK || m->ImpersonateLoggedOnUser(h) != S_OK) {
        state.SkipWithError("impersonation failed");
        return;
    }
    IHostSecurityContext *captured = nullptr;
    if (m->GetSecurityContext(eCurrentContext, &captured) != S_OK) {
        state.SkipWithError("capture failed");
        return;
    }
    m->RevertToSelf();
    for (auto _ : state) {
        IHostSecurityContext *again = nullptr;
        benchmark::DoNotOptimize(m->SetSecurityContext(eCurrentContext, captured));
        benchmark::DoNotOptimize(m->GetSecurityContext(eCurrentContext, &again));
        again->Release();
        benchmark::DoNotOptimize(m->RevertToSelf());
    }
    captured->Release();
    if (Lib)
        HostSec_CloseHandle(h);
    else
        bl_CloseHandle(h);
    if (geteuid() != 0) std::abort();
}

// ---- token information ---------------------------------------------------------------

template <bool Lib> void TokenUserInfo(benchmark::State &state) {
    HANDLE h = nullptr;
    if (Lib) {
        HostSec_ImpersonateSelf(SecurityImpersonation);
        lib_manager()->OpenThreadToken(TOKEN_QUERY, FALSE, &h);
    } else {
        bl_ImpersonateSelf(SecurityImpersonation);
        c_manager()->OpenThreadToken(TOKEN_QUERY, FALSE, &h);
    }
    if (h == nullptr) {
        state.SkipWithError("no token handle");
        return;
    }
    HOSTSEC_TOKEN_USER user;
    DWORD length = 0;
    for (auto _ : state) {
        HRESULT hr = Lib ? HostSec_GetTokenInformation(h, ::TokenUser, &user, sizeof user, &length)
                         : bl_GetTokenInformationUser(h, &user, sizeof user, &length);
        benchmark::DoNotOptimize(hr);
        benchmark::DoNotOptimize(user);
    }
    if (Lib) {
        HostSec_CloseHandle(h);
        lib_manager()->RevertToSelf();
    } else {
        bl_CloseHandle(h);
        c_manager()->RevertToSelf();
    }
}

HRESULT lib_impersonate_self(SECURITY_IMPERSONATION_LEVEL l) { return HostSec_ImpersonateSelf(l); }

void register_all() {
    IHostSecurityManager *lib = lib_manager();
    IHostSecurityManager *c = c_manager();
    benchmark::RegisterBenchmark("lib/AddRef+Release", AddRefRelease, lib);
    benchmark::RegisterBenchmark("c/AddRef+Release", AddRefRelease, c);
    benchmark::RegisterBenchmark("lib/QueryInterface+Release", QueryInterfaceRelease, lib, &IID_IHostSecurityManager);
    benchmark::RegisterBenchmark("c/QueryInterface+Release", QueryInterfaceRelease, c, &IID_IHostSecurityManager);
    benchmark::RegisterBenchmark("lib/QueryInterface(IUnknown)+Release", QueryInterfaceRelease, lib, &IID_IUnknown);
    benchmark::RegisterBenchmark("c/QueryInterface(IUnknown)+Release", QueryInterfaceRelease, c, &IID_IUnknown);
    benchmark::RegisterBenchmark("lib/QueryInterface(IClassFactory) E_NOINTERFACE", QueryInterfaceRelease, lib,
                                 &IID_IClassFactory);
    benchmark::RegisterBenchmark("c/QueryInterface(IClassFactory) E_NOINTERFACE", QueryInterfaceRelease, c,
                                 &IID_IClassFactory);
    benchmark::RegisterBenchmark("lib/OpenThreadToken no token", OpenNoToken, lib);
    benchmark::RegisterBenchmark("lib/traced call", TracedCall<true>);
    benchmark::RegisterBenchmark("off/traced call", TracedCall<false>);
    benchmark::RegisterBenchmark("c/OpenThreadToken no token", OpenNoToken, c);
    benchmark::RegisterBenchmark("lib/OpenThreadToken+CloseHandle",
                                 OpenClose<lib_impersonate_self, HostSec_CloseHandle>, lib);
    benchmark::RegisterBenchmark("c/OpenThreadToken+CloseHandle", OpenClose<bl_ImpersonateSelf, bl_CloseHandle>, c);
    benchmark::RegisterBenchmark("lib/ImpersonateSelf+RevertToSelf", ImpersonateSelfRevert<lib_impersonate_self>, lib);
    benchmark::RegisterBenchmark("c/ImpersonateSelf+RevertToSelf", ImpersonateSelfRevert<bl_ImpersonateSelf>, c);
    benchmark::RegisterBenchmark("lib/ImpersonateLoggedOnUser+RevertToSelf", LibImpersonateNobody);
    benchmark::RegisterBenchmark("raw/ImpersonateLoggedOnUser+RevertToSelf", RawImpersonateNobody);
    benchmark::RegisterBenchmark("c/ImpersonateLoggedOnUser+RevertToSelf", CImpersonateNobody);
    benchmark::RegisterBenchmark("lib/SetSecurityContext+GetSecurityContext+RevertToSelf", ContextRoundTrip<true>);
    benchmark::RegisterBenchmark("c/SetSecurityContext+GetSecurityContext+RevertToSelf", ContextRoundTrip<false>);
    benchmark::RegisterBenchmark("lib/GetTokenInformation(TokenUser)", TokenUserInfo<true>);
    benchmark::RegisterBenchmark("c/GetTokenInformation(TokenUser)", TokenUserInfo<false>);
    benchmark::RegisterBenchmark("lib/open+close threads", OpenClose<lib_impersonate_self, HostSec_CloseHandle>, lib)
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime();
    benchmark::RegisterBenchmark("c/open+close threads", OpenClose<bl_ImpersonateSelf, bl_CloseHandle>, c)
        ->Threads(1)
        ->Threads(2)
        ->UseRealTime();
}

} // namespace

int main(int argc, char **argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
