import CHostSec
#if canImport(Glibc)
import Glibc
#endif

// The exported HostSecW32_* functions behind hostsec_win32.h's Windows names, each checked by
// `@c @implementation` against its declaration: pseudo-handles, CloseHandle and the last error.

@c @implementation
package func HostSecW32_GetCurrentProcess() -> HANDLE? { PseudoHandle.currentProcess }

@c @implementation
package func HostSecW32_GetCurrentThread() -> HANDLE? { PseudoHandle.currentThread }

@c @implementation
package func HostSecW32_GetLastError() -> DWORD { hs_w32_last_error() }

@c @implementation
package func HostSecW32_SetLastError(_ dwErrCode: DWORD) { hs_w32_set_last_error(dwErrCode) }

@c @implementation
package func HostSecW32_CloseHandle(_ hObject: HANDLE?) -> BOOL {
    if hObject == PseudoHandle.currentProcess || hObject == PseudoHandle.currentThread { return 1 }
    return win32 { () throws(Win32Failure) in
        try core { () throws(HostSecError) in try Engine.shared.closeHandle(HostSec.TokenHandle(hObject)) }
    }
}
