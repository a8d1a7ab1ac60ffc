// Request paths: what follows /files/ in the request target, checked before any file is
// touched. The kernel checks it again when the file is opened (openat2 with RESOLVE_BENEATH),
// so a symbolic link cannot lead out of the root either.

/// A path below the served root, made of plain names: no "." or "..", no empty component
/// (a leading "/" or "//"), no NUL and no "/" inside a name, whatever their encoding.
public struct RequestPath: Sendable, Equatable, CustomStringConvertible {
    /// The names from the root down, percent-decoded.
    public let components: [String]
    /// Whether the target ended with "/" (a directory is asked for).
    public let trailingSlash: Bool

    /// Why a target was refused (all answered with 400).
    public enum Refusal: Error, Equatable, Sendable {
        case emptyComponent, dotComponent, badEscape, nulByte, slashInName, notUTF8, nameTooLong
    }

    /// The path below the root; "." for the root itself.
    public var relative: String { components.isEmpty ? "." : components.joined(separator: "/") }
    /// The directory holding the last name ("." for a name in the root).
    public var parent: String { components.count <= 1 ? "." : components.dropLast().joined(separator: "/") }
    /// The last name, nil for the root.
    public var name: String? { components.last }

    public var description: String {
        "/" + components.joined(separator: "/") + (trailingSlash && !components.isEmpty ? "/" : "")
    }

    /// Parses `raw`, the part of the request target after "/files/" (query already removed).
    public init(raw: Substring) throws(Refusal) {
        var parts = raw.split(separator: "/", omittingEmptySubsequences: false)
        var trailing = false
        if parts.last == "" {  // "a/b/" or "" (the root itself)
            parts.removeLast()
            trailing = true
        }
        var names: [String] = []
        for part in parts {
            if part.isEmpty { throw .emptyComponent }
            let bytes = try RequestPath.percentDecode(part)
            if bytes.contains(0) { throw .nulByte }
            if bytes.contains(UInt8(ascii: "/")) { throw .slashInName }
            if bytes == [UInt8(ascii: ".")] || bytes == [UInt8(ascii: "."), UInt8(ascii: ".")] { throw .dotComponent }
            if bytes.count > 255 { throw .nameTooLong }
            guard let name = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
            names.append(name)
        }
        components = names
        trailingSlash = trailing
    }

    /// Decodes %XX escapes once; a "%" not followed by two hex digits is refused.
    static func percentDecode(_ part: Substring) throws(Refusal) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(part.utf8.count)
        var iterator = part.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else { out.append(byte); continue }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw .badEscape
            }
            out.append(high << 4 | low)
        }
        return out
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
