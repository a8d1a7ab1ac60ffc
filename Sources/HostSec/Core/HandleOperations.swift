/// How the faces reach handles: through the engine, never through the table itself
/// (`Tests/sh/layers/check_layers.py` refuses `HandleTable.shared` outside Core).
extension Engine {
    /// The token behind a handle and the rights it was opened with, while the library is open:
    /// HOST_E_CLRNOTAVAILABLE once it closed, `E_HANDLE` for a value that names no live token.
    @inline(__always) func opened(_ handle: TokenHandle) throws(HostSecError) -> (Token, TokenRights) {
        try ensureOpen()
        return try handles.lookup(handle)
    }

    /// The token behind a handle opened with every right in `required` (`E_ACCESSDENIED`
    /// otherwise), while the library is open (`opened`).
    @inline(__always)
    func openedToken(_ handle: TokenHandle, requiring required: TokenRights = []) throws(HostSecError) -> Token {
        let (token, rights) = try opened(handle)
        if !rights.isSuperset(of: required) { throw .accessDenied }
        return token
    }

    /// `HostSec_CloseHandle` and `CloseHandle`: closes a handle of any kind, `E_HANDLE` when it
    /// is not a live one. Also after the library closed: a host can always let go.
    @inline(__always) func closeHandle(_ handle: TokenHandle) throws(HostSecError) { try handles.close(handle) }

    /// A new handle to an object of another kind than a token (a child process); the handle
    /// holds a reference to it until closed.
    func insertHandle(to object: AnyObject, kind: HandleKind) throws(HostSecError) -> TokenHandle {
        try handles.insert(object, kind: kind)
    }

    /// The object of `kind` behind a handle, or nil when the value names no live handle of it.
    func object<Object: AnyObject>(_ handle: TokenHandle, kind: HandleKind, as type: Object.Type) -> Object? {
        handles.object(handle, kind: kind, as: type)
    }
}
