import CHostSec
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Windows thread-token semantics on the calling thread's Linux credentials: the operations
/// behind IHostSecurityManager and the flat HostSec_* API, with typed errors. One instance
/// (`shared`) serves the library; tests make their own with a fault-injecting seam.
package final class Engine: Sendable {
    package static let shared = Engine(syscalls: KernelCredentialSyscalls(), closedFlag: hs_shared_closed_flag())

    let sys: any CredentialSyscalls
    /// The kernel switch over `sys`, made once (not per call: that would copy the existential).
    let kernel: KernelCredentialSwitch
    package let handles: HandleTable
    /// The fail-closed flag (hostsec_shim.h: the shared engine's is the C cell OpenThreadToken's
    /// no-token answer reads; an engine of a test's own has a cell of its own, never freed).
    nonisolated(unsafe) let closedFlag: UnsafeMutablePointer<UInt32>  // accessed atomically only
    /// The HOSTSEC_POLICY_* flags HostSec_SetPolicy set (process-wide).
    private let policyFlags = Atomic<UInt32>(0)

    /// The password check behind `logonUser(name:password:)`: PAM, or a test's stand-in.
    let authentication: any PasswordAuthentication

    package convenience init(
        syscalls: any CredentialSyscalls, handles: HandleTable = .shared,
        authentication: any PasswordAuthentication = PAMAuthentication()
    ) {
        let flag = UnsafeMutablePointer<UInt32>.allocate(capacity: 1)
        flag.initialize(to: 0)
        self.init(syscalls: syscalls, closedFlag: flag, handles: handles, authentication: authentication)
    }

    private init(
        syscalls: any CredentialSyscalls, closedFlag: UnsafeMutablePointer<UInt32>,
        handles: HandleTable = .shared, authentication: any PasswordAuthentication = PAMAuthentication()
    ) {
        self.closedFlag = closedFlag
        self.sys = syscalls
        self.authentication = authentication
        self.kernel = KernelCredentialSwitch(sys: syscalls)
        self.handles = handles
    }

    // MARK: failing closed

    /// True once credentials could not be restored: every hosting call fails from then on.
    package var isClosed: Bool { hs_flag_is_set(closedFlag) }

    @inline(__always) func ensureOpen() throws(HostSecError) {
        if hs_flag_is_set_relaxed(closedFlag) { throw .closed }
    }

    /// Closes the library: E_FAIL for the call that found the failure, HOST_E_CLRNOTAVAILABLE
    /// for any that finds it already closed.
    func failClosed() -> HostSecError {
        hs_flag_set(closedFlag) ? .fail : .closed
    }

    // MARK: policy

    /// The policy flags the library knows (`HOSTSEC_POLICY_*`).
    package static let knownPolicyFlags =
        UInt32(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT) | PasswordLogonAllowance.all.rawValue

    /// `HostSec_SetPolicy`: replaces the process-wide policy flags. Unknown bits are
    /// `E_INVALIDARG` and change nothing.
    package func setPolicy(_ flags: UInt32) throws(HostSecError) {
        if flags & ~Self.knownPolicyFlags != 0 { throw .invalidArg }
        policyFlags.store(flags, ordering: .releasing)
    }

    /// The policy flags in force.
    package var policy: UInt32 { policyFlags.load(ordering: .acquiring) }

    // MARK: self (ThreadAdoption.swift)

    /// The process token: the process's credentials, read the first time any thread uses this
    /// engine, and a primary token describing them. Every thread's "self" is this one, as every
    /// Windows thread that is not impersonating acts as its process's token.
    /// Guarded by `processLock`, an hs_lock, which a fork() child finds free (a Swift `Mutex`
    /// another thread held at fork time stays held in the child, and its first call on a new
    /// thread would wait forever). One lock for every engine: the shim makes a fixed few, and
    /// this is taken once per thread.
    nonisolated(unsafe) var processRecord: (KernelCredentials, Token)?
}
