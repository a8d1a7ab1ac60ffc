// Serves requests "USER:PATH" given on the command line, all at once: each is read as USER,
// in async code, with the kernel enforcing USER's permissions on every read.
//   swift run swift-request-as-user alice:/home/alice/notes.txt bob:/home/alice/notes.txt
import Foundation
import HostSecurity

struct Request: Sendable {
    let user: String
    let path: String
}

/// Reads the file in chunks, suspending between them; every chunk is read as the user.
func serve(_ request: Request) async -> String {
    do {
        let token = try Token.logon(user: request.user)
        return try await withImpersonation(of: token) { () async throws -> String in
            guard let handle = FileHandle(forReadingAtPath: request.path) else {
                return "\(request.user): \(request.path): permission denied or missing (errno \(errno))"
            }
            defer { try? handle.close() }
            var size = 0
            while let chunk = try handle.read(upToCount: 4096), !chunk.isEmpty {
                size += chunk.count
                await Task.yield()
            }
            return "\(request.user): \(request.path): \(size) bytes"
        }
    } catch let error as HostSecurityError {
        return "\(request.user): \(error)"
    } catch {
        return "\(request.user): \(error)"
    }
}

let requests = CommandLine.arguments.dropFirst().compactMap { argument -> Request? in
    guard let colon = argument.firstIndex(of: ":") else { return nil }
    return Request(user: String(argument[..<colon]), path: String(argument[argument.index(after: colon)...]))
}
var answers = [String](repeating: "", count: requests.count)
await withTaskGroup(of: (Int, String).self) { group in
    for (i, request) in requests.enumerated() { group.addTask { (i, await serve(request)) } }
    for await (i, answer) in group { answers[i] = answer }
}
answers.forEach { print($0) }
