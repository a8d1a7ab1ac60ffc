#if canImport(Glibc)
import Glibc
#endif
import HostSec

/// Whether the tests run with CAP_SETUID and CAP_SETGID in the permitted set (CI runs as root):
/// kernel-level impersonation is possible only then.
package let privileged =
    getuid() == 0
    && (try? KernelCredentialSyscalls().capget().permitted)
        .map { $0 & Capability.impersonate == Capability.impersonate } == true
