import CHostSec

// IHostSecurityManager's slots (vtables.c's manager_vtbl). Every slot acts on the calling
// thread; the object itself holds no state (a thread's token is the thread's, whichever
// manager object it calls through).

@c @implementation
func hs_manager_QueryInterface(
    _ This: UnsafeMutablePointer<IHostSecurityManager>?, _ riid: UnsafePointer<IID>?,
    _ ppvObject: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> HRESULT {
    ComObject.queryInterface(UnsafeMutableRawPointer(This), riid, ppvObject, own: .securityManager)
}

@c @implementation
func hs_manager_AddRef(_ This: UnsafeMutablePointer<IHostSecurityManager>?) -> ULONG {
    ComObject.addRef(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_manager_Release(_ This: UnsafeMutablePointer<IHostSecurityManager>?) -> ULONG {
    ComObject.release(UnsafeMutableRawPointer(This))
}

@c @implementation
func hs_manager_ImpersonateLoggedOnUser(_ This: UnsafeMutablePointer<IHostSecurityManager>?, _ hToken: HANDLE?)
    -> HRESULT
{
    hresult { () throws(HostSecError) in try Engine.shared.impersonateLoggedOnUser(TokenHandle(hToken)) }
}

@c @implementation
func hs_manager_RevertToSelf(_ This: UnsafeMutablePointer<IHostSecurityManager>?) -> HRESULT {
    hresult { () throws(HostSecError) in try Engine.shared.revertToSelf() }
}

@c @implementation
func hs_manager_OpenThreadToken(
    _ This: UnsafeMutablePointer<IHostSecurityManager>?, _ dwDesiredAccess: DWORD,
    _ bOpenAsSelf: BOOL, _ phThreadToken: UnsafeMutablePointer<HANDLE?>?
) -> HRESULT {
    // A thread the core knows holds no token gets its answer without the call machinery.
    if let phThreadToken, let known = Engine.knownThreadTokenAbsence() {
        phThreadToken.pointee = nil
        return known.hr
    }
    return hresult(phThreadToken) { () throws(HostSecError) in
        try Engine.shared.openThreadToken(
            desiredAccess: TokenRights(rawValue: dwDesiredAccess), openAsSelf: bOpenAsSelf != 0)
    }
}

@c @implementation
func hs_manager_SetThreadToken(_ This: UnsafeMutablePointer<IHostSecurityManager>?, _ hToken: HANDLE?) -> HRESULT {
    hresult { () throws(HostSecError) in try Engine.shared.setThreadToken(hToken.map { TokenHandle($0) }) }
}

@c @implementation
func hs_manager_GetSecurityContext(
    _ This: UnsafeMutablePointer<IHostSecurityManager>?, _ eContextType: EContextType,
    _ ppSecurityContext: UnsafeMutablePointer<UnsafeMutablePointer<IHostSecurityContext>?>?
) -> HRESULT {
    SecurityContext.get(eContextType, ppSecurityContext)
}

@c @implementation
func hs_manager_SetSecurityContext(
    _ This: UnsafeMutablePointer<IHostSecurityManager>?, _ eContextType: EContextType,
    _ pSecurityContext: UnsafeMutablePointer<IHostSecurityContext>?
) -> HRESULT {
    SecurityContext.set(eContextType, pSecurityContext)
}
