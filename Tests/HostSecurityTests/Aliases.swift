// The API's names win over the core's in these tests (both modules are imported).
@testable import HostSecurity

typealias Token = HostSecurity.Token
typealias TokenKind = HostSecurity.TokenKind
typealias ImpersonationLevel = HostSecurity.ImpersonationLevel
typealias UserID = HostSecurity.UserID
typealias GroupID = HostSecurity.GroupID
