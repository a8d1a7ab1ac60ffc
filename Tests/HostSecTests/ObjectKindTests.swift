import Testing
@testable import HostSec
import CHostSec

/// QueryInterface compares a caller's IID with constants (`ObjectKind.iidWords`,
/// `IIDWords.unknown`) instead of loading the header's IID data: the constants must be the
/// header's IIDs, byte for byte, and each class's vtable its own read-only table.
struct ObjectKindTests {
    static let kinds: [ObjectKind] = [
        .securityManagerFactory, .hostControlFactory, .hostControl,
        .securityManager, .securityContext,
    ]

    @Test func iid_words_are_the_headers_iids() {
        for kind in Self.kinds {
            #expect(IIDWords(hs_kind_iid(kind.rawValue)!) == kind.iidWords, "\(kind)")
        }
        var unknown = IID_IUnknown
        #expect(withUnsafePointer(to: &unknown) { IIDWords($0) } == IIDWords.unknown)
    }

    @Test func kinds_are_the_shims_kinds() {
        #expect(ObjectKind.securityManagerFactory.rawValue == UInt32(HS_KIND_SECURITY_MANAGER_FACTORY))
        #expect(ObjectKind.hostControlFactory.rawValue == UInt32(HS_KIND_HOST_CONTROL_FACTORY))
        #expect(ObjectKind.hostControl.rawValue == UInt32(HS_KIND_HOST_CONTROL))
        #expect(ObjectKind.securityManager.rawValue == UInt32(HS_KIND_SECURITY_MANAGER))
        #expect(ObjectKind.securityContext.rawValue == UInt32(HS_KIND_SECURITY_CONTEXT))
        #expect(hs_vtable(0) == nil && hs_vtable(6) == nil)
    }

    @Test func both_factories_share_one_vtable_and_others_differ() {
        #expect(ObjectKind.securityManagerFactory.vtable == ObjectKind.hostControlFactory.vtable)
        let distinct = Set(
            [ObjectKind.securityManagerFactory, .hostControl, .securityManager, .securityContext]
                .map { UInt(bitPattern: $0.vtable) })
        #expect(distinct.count == 4)
    }
}
