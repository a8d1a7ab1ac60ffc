// Each row times the same work two ways in one run and prints their ratio: a baseline
// without identity, and the HostSecurity scope. Best of `rounds` for each.
import Dispatch
import Foundation
import HostSecurity
import Synchronization

/// A task executor with one thread and a locked queue, no identity: the baseline for
/// `withTaskExecutorPreference`.
final class PlainExecutor: TaskExecutor, @unchecked Sendable {
    private let lock = NSCondition()
    private var jobs: [UnownedJob] = []
    init() {
        let thread = Thread { [unowned self] in
            while true {
                self.lock.lock()
                while self.jobs.isEmpty { self.lock.wait() }
                let batch = self.jobs
                self.jobs.removeAll(keepingCapacity: true)
                self.lock.unlock()
                for job in batch { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
            }
        }
        thread.start()
    }
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        lock.lock(); jobs.append(job); lock.signal(); lock.unlock()
    }
}

func seconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func best(_ rounds: Int, _ body: () async throws -> Void) async rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<rounds { best = min(best, try await seconds(body)) }
    return best
}

let args = CommandLine.arguments
let scale = args.count > 1 ? Double(args[1]) ?? 1 : 1
let rounds = 3
if let threads = ProcessInfo.processInfo.environment["HOSTSEC_THREADS_PER_IDENTITY"].flatMap(Int.init) {
    IdentityExecutors.threadsPerIdentity = threads
}
let accounts = ["daemon", "bin", "sys", "games", "man", "lp", "mail", "news"]
let tokens = try accounts.map { try Token.logon(user: $0) }
let plain = PlainExecutor()
var rows: [(String, Double, Double, String)] = []

// 1. An async scope of one job vs withTaskExecutorPreference on a plain executor.
let scopes = Int(2_000 * scale)
let prefer = try await best(rounds) {
    for _ in 0..<scopes { _ = await withTaskExecutorPreference(plain) { () async -> Int in 1 } }
}
let scope = try await best(rounds) {
    for _ in 0..<scopes { _ = try await withImpersonation(of: tokens[0]) { () async -> Int in 1 } }
}
rows.append(("async scope of one job (x\(scopes))", prefer, scope, "withTaskExecutorPreference, plain executor"))

// 2. Per-job cost inside a scope vs the global executor: one task, many yields.
let yields = Int(100_000 * scale)
let global = try await best(rounds) {
    for _ in 0..<yields { await Task.yield() }
}
let inside = try await best(rounds) {
    try await withImpersonation(of: tokens[1]) { () async -> Void in
        for _ in 0..<yields { await Task.yield() }
    }
}
rows.append(("per job: \(yields) yields in one task", global, inside, "global concurrent executor"))

// 3. 1,000 tasks x 100 suspension points over 8 identities vs the same without identity.
let tasks = Int(1_000 * scale), steps = 100
let bare = try await best(rounds) {
    await withTaskGroup(of: Void.self) { group in
        for _ in 0..<tasks { group.addTask { for _ in 0..<steps { await Task.yield() } } }
    }
}
let before = IdentityExecutors.statistics()
let identities = try await best(rounds) {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for i in 0..<tasks {
            let token = tokens[i % tokens.count]
            group.addTask {
                try await withImpersonation(of: token) { () async -> Void in for _ in 0..<steps { await Task.yield() } }
            }
        }
        try await group.waitForAll()
    }
}
let after = IdentityExecutors.statistics()
rows.append(("\(tasks) tasks x \(steps) yields over 8 identities", bare, identities, "same tasks, no identity"))

print("| benchmark | baseline | baseline (s) | HostSecurity (s) | ratio |")
print("| --- | --- | ---: | ---: | ---: |")
for (name, base, ours, baseName) in rows {
    print(
        "| \(name) | \(baseName) | \(String(format: "%.4f", base)) | \(String(format: "%.4f", ours)) | \(String(format: "%.2fx", ours / base)) |"
    )
}
let jobs = after.jobs - before.jobs, switches = after.switches - before.switches
print("")
print(
    "credential switches in row 3: \(switches) for \(jobs) jobs on identity threads (\(String(format: "%.6f", Double(switches) / Double(max(jobs, 1)))) per job); identity threads alive: \(after.threads)"
)
