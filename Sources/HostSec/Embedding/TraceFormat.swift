import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// How the tracer spells a call, decoded with the type information's value kinds:
///
///     hostsec[<tid>] IFoo::Method(this=0x..., name=value, ...) = <result>[; *out=value] (<d> us)
///
/// Results are HRESULT names (HostSec_HResultName) or reference counts; access masks are
/// TOKEN_* names joined with '|'; a token handle is followed by what it holds.
enum TraceFormat {
    static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    static func line(
        _ slot: Tracer.Slot, this: UnsafeMutableRawPointer, arguments: String,
        args: UnsafeMutablePointer<UnsafeMutableRawPointer?>, result: UInt32,
        nanoseconds: UInt64
    ) -> String {
        let method = slot.method.pointee
        var text = "hostsec[\(hs_sys_gettid())] \(String(cString: slot.interface.pointee.Name))::"
        text += "\(String(cString: method.Name))(this=\(hex(this))\(arguments)) = "
        if method.ReturnValueKind == HOSTSEC_VALUE_HRESULT.rawValue {
            text += hresultName(HRESULT(bitPattern: result)) + outValues(method, args)
        } else {
            text += String(result)
        }
        text += " (\(nanoseconds / 1000).\(pad3(nanoseconds % 1000)) us)\n"
        return text
    }

    /// ", name=value" for each parameter, as the call begins (out parameters show "out").
    static func arguments(
        _ method: UnsafePointer<HOSTSEC_METHOD_INFO>,
        _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> String {
        var text = ""
        for i in 0..<Int(method.pointee.ParamCount) {
            let param = method.pointee.Params[i]
            let slot = args[i + 1]!
            text += ", \(String(cString: param.Name))="
            switch param.AbiKind {
            case HOSTSEC_ABI_INT32.rawValue:
                text += number(slot.load(as: Int32.self), param.ValueKind)
            case HOSTSEC_ABI_UINT32.rawValue:
                text += number(Int32(bitPattern: slot.load(as: UInt32.self)), param.ValueKind)
            default:
                let pointer = slot.load(as: UnsafeMutableRawPointer?.self)
                text +=
                    param.Direction == HOSTSEC_PARAM_OUT.rawValue
                    ? (pointer == nil ? "NULL" : "out") : value(pointer, param.ValueKind)
            }
        }
        return text
    }

    /// A traced flat function's line: "hostsec[<tid>] HostSec_Name(name=value, ...) = <HRESULT>[; *out=value] (<d> us)".
    /// `args` is laid out as for an interface method (`args[0]` unused, then one pointer per
    /// parameter to its value), so the same decoding applies.
    static func functionLine(
        _ function: UnsafePointer<HOSTSEC_METHOD_INFO>, arguments: String,
        args: UnsafeMutablePointer<UnsafeMutableRawPointer?>, result: String,
        nanoseconds: UInt64
    ) -> String {
        var text = "hostsec[\(hs_sys_gettid())] \(String(cString: function.pointee.Name))("
        text += arguments.hasPrefix(", ") ? String(arguments.dropFirst(2)) : arguments
        text += ") = " + result
        if function.pointee.ReturnValueKind == HOSTSEC_VALUE_HRESULT.rawValue {
            text += outValues(function.pointee, args)
        }
        text += " (\(nanoseconds / 1000).\(pad3(nanoseconds % 1000)) us)\n"
        return text
    }

    /// "; *name=value" for each out parameter whose value can be shown: an interface or handle
    /// stored, a number stored, a pointer stored. (A buffer the function fills is not shown.)
    static func outValues(_ method: HOSTSEC_METHOD_INFO, _ args: UnsafeMutablePointer<UnsafeMutableRawPointer?>)
        -> String
    {
        var text = ""
        for i in 0..<Int(method.ParamCount) {
            let param = method.Params[i]
            guard param.Direction == HOSTSEC_PARAM_OUT.rawValue,
                let out = args[i + 1]!.load(as: UnsafeMutableRawPointer?.self)
            else { continue }
            switch param.ValueKind {
            case HOSTSEC_VALUE_NUMBER.rawValue:
                text += "; *\(String(cString: param.Name))=\(out.load(as: UInt32.self))"
            case HOSTSEC_VALUE_POINTER.rawValue:
                continue
            case HOSTSEC_VALUE_POINTER_OUT.rawValue:
                let stored = out.load(as: UnsafeMutableRawPointer?.self)
                text += "; *\(String(cString: param.Name))=" + (stored.map(hex) ?? "NULL")
            default:
                text +=
                    "; *\(String(cString: param.Name))="
                    + value(out.load(as: UnsafeMutableRawPointer?.self), param.ValueKind)
            }
        }
        return text
    }

    /// A flat function's result, read from `result` by the description's return kind.
    static func returned(_ function: UnsafePointer<HOSTSEC_METHOD_INFO>, _ result: UnsafeMutableRawPointer) -> String {
        switch function.pointee.ReturnAbiKind {
        case HOSTSEC_ABI_INT32.rawValue:
            return number(result.load(as: Int32.self), function.pointee.ReturnValueKind)
        case HOSTSEC_ABI_UINT32.rawValue:
            return String(result.load(as: UInt32.self))
        default:
            return value(result.load(as: UnsafeMutableRawPointer?.self), function.pointee.ReturnValueKind)
        }
    }

    static func hresultName(_ hr: HRESULT) -> String {
        if let name = hs_hresult_name(hr) { return String(cString: name) }
        return "0x" + hex32(UInt32(bitPattern: hr))
    }

    static func number(_ v: Int32, _ kind: DWORD) -> String {
        switch kind {
        case HOSTSEC_VALUE_BOOL.rawValue:
            return v == 0 ? "FALSE" : v == 1 ? "TRUE" : "\(v)"
        case HOSTSEC_VALUE_CONTEXT_TYPE.rawValue:
            return v == Int32(eCurrentContext.rawValue)
                ? "eCurrentContext"
                : v == Int32(eRestrictedContext.rawValue) ? "eRestrictedContext" : "\(v)"
        case HOSTSEC_VALUE_ACCESS_MASK.rawValue:
            return accessMask(UInt32(bitPattern: v))
        case HOSTSEC_VALUE_HRESULT.rawValue:
            return hresultName(v)
        case HOSTSEC_VALUE_IMPERSONATION_LEVEL.rawValue:
            return ImpersonationLevel(rawValue: UInt32(bitPattern: v)).map(levelName) ?? "\(v)"
        case HOSTSEC_VALUE_TOKEN_TYPE.rawValue:
            return v == Int32(TokenPrimary.rawValue)
                ? "TokenPrimary"
                : v == Int32(TokenImpersonation.rawValue) ? "TokenImpersonation" : "\(v)"
        case HOSTSEC_VALUE_INFORMATION_CLASS.rawValue:
            return v >= 1 && v <= informationClasses.count ? informationClasses[Int(v) - 1] : "\(v)"
        case HOSTSEC_VALUE_POLICY.rawValue:
            return v == 0
                ? "0"
                : UInt32(bitPattern: v) == UInt32(HOSTSEC_POLICY_REQUIRE_ENFORCEMENT)
                    ? "HOSTSEC_POLICY_REQUIRE_ENFORCEMENT" : "0x" + hex32(UInt32(bitPattern: v))
        default:
            return String(UInt32(bitPattern: v))
        }
    }

    static func value(_ pointer: UnsafeMutableRawPointer?, _ kind: DWORD) -> String {
        guard let pointer else { return "NULL" }
        switch kind {
        case HOSTSEC_VALUE_IID.rawValue:
            let iid = UnsafePointer<IID>(OpaquePointer(pointer))
            return TypeInfo.iidName(iid) ?? guid(iid.pointee)
        case HOSTSEC_VALUE_HANDLE.rawValue, HOSTSEC_VALUE_HANDLE_OUT.rawValue:
            return hex(pointer) + " " + token(pointer)
        case HOSTSEC_VALUE_SECRET.rawValue:
            return "***"  // never read: not its length, not one byte
        case HOSTSEC_VALUE_STRING.rawValue:
            return quoted(pointer.assumingMemoryBound(to: UInt8.self))
        default:
            return hex(pointer)
        }
    }

    /// What a handle holds: "{primary uid=0}", "{impersonation SecurityImpersonation uid=65534}".
    private static func token(_ handle: UnsafeMutableRawPointer) -> String {
        guard let (token, _) = try? Engine.shared.handles.lookup(TokenHandle(handle)) else { return "{invalid}" }
        if token.kind == .primary { return "{primary uid=\(token.identity.uid)}" }
        return "{impersonation \(levelName(token.level)) uid=\(token.identity.uid)}"
    }

    /// A C string in double quotes: printable ASCII as it is, '"' and '\\' escaped, every other
    /// byte as \xNN (so invalid UTF-8 shows exactly); at most 256 bytes, then "...".
    private static func quoted(_ bytes: UnsafePointer<UInt8>) -> String {
        var text = "\""
        var i = 0
        while bytes[i] != 0 {
            if i == 256 { return text + "\"..." }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): text += "\\" + String(UnicodeScalar(b))
            case 0x20..<0x7F: text.append(Character(UnicodeScalar(b)))
            default: text += "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16)
            }
            i += 1
        }
        return text + "\""
    }

    static func levelName(_ level: ImpersonationLevel) -> String {
        switch level {
        case .anonymous: return "SecurityAnonymous"
        case .identification: return "SecurityIdentification"
        case .impersonation: return "SecurityImpersonation"
        case .delegation: return "SecurityDelegation"
        }
    }

    /// TOKEN_INFORMATION_CLASS names, from TokenUser (1).
    private static let informationClasses = [
        "TokenUser", "TokenGroups", "TokenPrivileges", "TokenOwner", "TokenPrimaryGroup", "TokenDefaultDacl",
        "TokenSource", "TokenType", "TokenImpersonationLevel", "TokenStatistics",
    ]

    /// TOKEN_ALL_ACCESS, TOKEN_READ and TOKEN_WRITE by name when exact; otherwise each right.
    static func accessMask(_ mask: UInt32) -> String {
        if mask == 0 { return "0" }
        let rights = TokenRights(rawValue: mask)
        if let whole = TokenRights.combinationNames.first(where: { $0.rights == rights }) { return whole.name }
        var names: [String] = []
        var rest = rights
        for (right, name) in TokenRights.rightNames where rights.contains(right) {
            names.append(name)
            rest.remove(right)
        }
        if !rest.isEmpty { names.append("0x" + hex32(rest.rawValue)) }
        return names.joined(separator: "|")
    }

    static func hex(_ pointer: UnsafeMutableRawPointer) -> String {
        "0x" + String(UInt(bitPattern: pointer), radix: 16)
    }

    private static func hex32(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    static func pad3(_ v: UInt64) -> String {
        v < 10 ? "00\(v)" : v < 100 ? "0\(v)" : "\(v)"
    }

    private static func guid(_ g: IID) -> String {
        func h(_ v: UInt64, _ width: Int) -> String {
            let digits = String(v, radix: 16, uppercase: true)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let d = g.Data4
        return "{\(h(UInt64(g.Data1), 8))-\(h(UInt64(g.Data2), 4))-\(h(UInt64(g.Data3), 4))-"
            + "\(h(UInt64(d.0), 2))\(h(UInt64(d.1), 2))-\(h(UInt64(d.2), 2))\(h(UInt64(d.3), 2))"
            + "\(h(UInt64(d.4), 2))\(h(UInt64(d.5), 2))\(h(UInt64(d.6), 2))\(h(UInt64(d.7), 2))}"
    }
}
