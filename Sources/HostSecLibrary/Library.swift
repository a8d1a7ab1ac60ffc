// libhostsec.so: the HostSec module's C entry points, linked with the Swift runtime
// statically, a version script (hostsec.map), a soname and -z nodelete (see Package.swift).
@_exported import HostSec
