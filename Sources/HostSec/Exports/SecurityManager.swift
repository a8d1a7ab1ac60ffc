import CHostSec

/// IHostSecurityManager: every slot acts on the calling thread; the object itself holds no
/// state (a thread's token is the thread's, whichever manager object it calls through).
extension Vtables {
    nonisolated(unsafe) static let securityManager: UnsafeRawPointer = {
        let table = UnsafeMutablePointer<IHostSecurityManagerVtbl>.allocate(capacity: 1)
        table.initialize(to: IHostSecurityManagerVtbl(
            QueryInterface: { ComObject.queryInterface($0, $1, $2) },
            AddRef: { ComObject.addRef($0) },
            Release: { ComObject.release($0) },
            ImpersonateLoggedOnUser: { _, token in
                hresult { () throws(HostSecError) in try HostSecurity.shared.impersonateLoggedOnUser(token) }
            },
            RevertToSelf: { _ in
                hresult { () throws(HostSecError) in try HostSecurity.shared.revertToSelf() }
            },
            OpenThreadToken: { _, access, asSelf, out in
                // A thread known not to impersonate: ERROR_NO_TOKEN without a throw (unless the
                // library failed closed, which the counter mirrors for the shared instance).
                if let out, hs_counter(Int32(HS_COUNTER_FAILED)) == 0, !ThreadState.mayHaveToken {
                    out.pointee = nil
                    return HResult.noToken
                }
                return hresult(out) { () throws(HostSecError) in
                    try HostSecurity.shared.openThreadToken(desiredAccess: access, openAsSelf: asSelf != 0)
                }
            },
            SetThreadToken: { _, token in
                hresult { () throws(HostSecError) in try HostSecurity.shared.setThreadToken(token) }
            },
            GetSecurityContext: { _, type, out in SecurityContext.get(type, out) },
            SetSecurityContext: { _, type, context in SecurityContext.set(type, context) }))
        return UnsafeRawPointer(table)
    }()
}
