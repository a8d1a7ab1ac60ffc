/// AdjustTokenPrivileges at the level of capabilities: the Win32 layer turns privileges into
/// capability masks and calls this.
extension Engine {
    /// What an adjustment found and left.
    package struct CapabilityAdjustment: Sendable {
        /// The token's permitted set before the change (what it could enable).
        package var permitted: UInt64
        /// The token's effective set before and after the change.
        package var before: UInt64
        package var after: UInt64
    }

    /// Adjusts the capabilities of the token behind `handle` (needs TOKEN_ADJUST_PRIVILEGES):
    /// `enable` on within its permitted set, `disable` off, `remove` off for good. Every handle
    /// to the token sees the change. The calling thread's kernel credentials follow at once
    /// when it acts as the token: its impersonation token (re-applied through the kernel
    /// switch), or the process token while it is not impersonating. Other threads acting as
    /// the process token follow at their next call into the library; a thread impersonating
    /// the same token from another thread keeps its capabilities until it impersonates again.
    package func adjustCapabilities(
        _ handle: TokenHandle, enable: UInt64, disable: UInt64,
        remove: UInt64
    ) throws(HostSecError) -> CapabilityAdjustment {
        try ensureOpen()
        let (token, rights) = try handles.lookup(handle)
        if !rights.contains(.adjustPrivileges) { throw .accessDenied }
        let state = try threadState()
        let permitted = token.currentIdentity.capPermitted
        let (before, after) = token.adjustCapabilities(enable: enable, disable: disable, remove: remove)
        let result = CapabilityAdjustment(permitted: permitted, before: before, after: after)
        if let current = state.token, current === token {
            try assign(token, to: state)
        } else if state.token == nil, token === selfToken(state) {
            try followProcessToken(state)
        }
        return result
    }
}
