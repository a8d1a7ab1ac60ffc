import CHostSec

/// The vtables: `static const` tables in vtables.c, read-only once relocated; every object of a
/// class points at its class's one. Each slot is a named `@c @implementation` function in the
/// class's file (ClassFactory.swift, HostControl.swift, SecurityContext.swift,
/// SecurityManager.swift), declared in vtable_slots.h.
enum Vtables {
    static var classFactory: UnsafeRawPointer { ObjectKind.securityManagerFactory.vtable }
    static var hostControl: UnsafeRawPointer { ObjectKind.hostControl.vtable }
    static var securityManager: UnsafeRawPointer { ObjectKind.securityManager.vtable }
    static var securityContext: UnsafeRawPointer { ObjectKind.securityContext.vtable }
}
