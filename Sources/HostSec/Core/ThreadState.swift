import CHostSec

/// The calling OS thread's security state. Only its own thread reads or writes it (the
/// thread-exit destructor runs on that thread too), so it needs no lock.
final class ThreadState {
    /// The process's credentials ("self"), once the thread has been checked to hold them
    /// (`Engine.threadState()`); nil before. Every thread's "self" is the process's.
    private(set) var selfCredentials: KernelCredentials?
    /// The process token (a primary token describing `selfCredentials`).
    private(set) var selfToken: Token?
    /// The thread token, or nil when not impersonating.
    private(set) var token: Token?
    /// What is changed in the kernel now, or nil when the kernel holds "self".
    var applied: KernelChange?

    /// The thread token without a retain (the caller borrows it; only this thread replaces it).
    @inline(__always) var unretainedToken: Unmanaged<Token>? {
        guard let token else { return nil }
        return Unmanaged.passUnretained(token)
    }

    /// Records that the thread holds the process's credentials.
    func adopt(_ me: KernelCredentials, token: Token) {
        selfCredentials = me
        selfToken = token
    }

    func setToken(_ newToken: Token?) {
        if (token == nil) != (newToken == nil) {
            hs_live_add(Int32(HS_LIVE_IMPERSONATING), newToken == nil ? -1 : 1)
        }
        token = newToken
    }

    /// Whether the thread has been checked (`adopt`) and holds no token: what OpenThreadToken
    /// answers ERROR_NO_TOKEN from without further work.
    @inline(__always) var checkedWithoutToken: Bool { token == nil && selfCredentials != nil }

    deinit {  // runs on the owning thread, at its exit
        if token != nil { hs_live_add(Int32(HS_LIVE_IMPERSONATING), -1) }
    }

    /// The calling thread's state, created on first use.
    @inline(__always) static var current: ThreadState {
        let thread = hs_thread_self()!
        if let state = thread.pointee.state {
            return Unmanaged<ThreadState>.fromOpaque(state).takeUnretainedValue()
        }
        return makeCurrent(thread)
    }

    /// The calling thread's state if it has one (no allocation).
    @inline(__always) static var existing: ThreadState? {
        guard let state = hs_thread_self()!.pointee.state else { return nil }
        return Unmanaged<ThreadState>.fromOpaque(state).takeUnretainedValue()
    }

    /// Whether OpenThreadToken must take the slow path: the thread holds a token, or has not
    /// been checked yet. Read from the thread's state in place (no allocation, no retain).
    @inline(__always) static var mayHaveToken: Bool {
        guard let raw = hs_thread_self()!.pointee.state else { return true }
        return !Unmanaged<ThreadState>.fromOpaque(raw)._withUnsafeGuaranteedRef { $0.checkedWithoutToken }
    }

    @inline(never) private static func makeCurrent(_ thread: UnsafeMutablePointer<hs_thread>) -> ThreadState {
        let state = ThreadState()
        thread.pointee.state = Unmanaged.passRetained(state).toOpaque()
        ArmThreadExit.arm()
        return state
    }
}

/// Releases a thread's state and returns its cached handle slots when the thread exits. (The
/// shim arms every thread that touches the library; this installs what it runs.)
enum ArmThreadExit {
    static func arm() { hs_thread_set_exit(threadExit) }

    static let threadExit: @convention(c) (UnsafeMutablePointer<hs_thread>?) -> Void = { thread in
        guard let thread else { return }
        if let state = thread.pointee.state {
            thread.pointee.state = nil
            Unmanaged<ThreadState>.fromOpaque(state).release()
        }
        HandleTable.shared.releaseCache(of: thread)
    }
}
