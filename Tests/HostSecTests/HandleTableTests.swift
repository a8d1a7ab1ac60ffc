import Foundation
import Synchronization
import Testing
@testable import HostSec
import CHostSec

/// The handle table's generations and its value encoding, through the table itself. The
/// generation tests jump a slot near the ceiling with `advanceGeneration` instead of reusing
/// it 2^32 times; `Tests/sh/test-counter-limits.sh` with HOSTSEC_LONG=1 does the real reuse
/// through libhostsec.so.
@Suite(.serialized) struct HandleTableTests {
    let table = HandleTable.shared
    let token = Token(
        identity: Identity(uid: 1000, gid: 1000, groups: [1000], capEffective: 0, capPermitted: 0),
        kind: .impersonation, level: .impersonation,
        dacl: Token.defaultDacl(user: 1000, creator: 1000), origin: .copy)

    /// A live handle in a slot that was never used (generation 0): opens handles until the
    /// thread's cache runs dry and fresh slots come, then closes all but that one.
    func freshHandle() throws -> TokenHandle {
        var opened: [TokenHandle] = []
        defer { for h in opened { try? table.close(h) } }
        for _ in 0..<100_000 {
            let h = try table.insert(token, rights: TokenRights.query)
            if table.decode(h).generation == 0 { return h }
            opened.append(h)
        }
        Issue.record("no fresh slot in 100,000 opens")
        throw HostSecError.outOfMemory
    }

    func isRejected(_ h: TokenHandle) -> Bool {
        (try? table.lookup(h)) == nil
    }

    @Test func a_closed_value_stays_dead_when_its_slot_reaches_the_generation_ceiling() throws {
        let h0 = try freshHandle()
        let slot = table.decode(h0).index
        try table.close(h0)
        // As if the slot had been opened and closed 2^32 - 4 times since h0.
        #expect(table.advanceGeneration(ofSlot: slot, to: HandleTable.generationCeiling - 3))
        var issued: [TokenHandle] = []
        for _ in 0..<8 {  // each open takes the slot the last close gave back to this thread
            let h = try table.insert(token, rights: TokenRights.query)
            issued.append(h)
            #expect(h != h0)
            #expect(isRejected(h0))
            try table.close(h)
        }
        let generations = issued.map(table.decode).filter { $0.index == slot }.map(\.generation)
        let c = HandleTable.generationCeiling
        #expect(generations == [c - 3, c - 2, c - 1])
        for h in issued + [h0] {
            #expect(isRejected(h))
            #expect(throws: HostSecError.handle) { try table.close(h) }
        }
    }

    @Test func a_slot_at_the_ceiling_is_retired_and_never_issued_again() throws {
        let h0 = try freshHandle()
        let slot = table.decode(h0).index
        try table.close(h0)
        let retiredBefore = table.retiredSlots
        #expect(table.advanceGeneration(ofSlot: slot, to: HandleTable.generationCeiling - 1))
        let last = try table.insert(token, rights: TokenRights.query)
        #expect(table.decode(last).index == slot)
        #expect(table.decode(last).generation == HandleTable.generationCeiling - 1)
        try table.close(last)
        #expect(table.retiredSlots >= retiredBefore + 1)
        #expect(!table.advanceGeneration(ofSlot: slot, to: 0))  // generations never go back
        var held: [TokenHandle] = []
        for _ in 0..<10_000 {  // the thread's whole cache and more: the slot never comes back
            let h = try table.insert(token, rights: TokenRights.query)
            #expect(table.decode(h).index != slot)
            held.append(h)
        }
        for h in held { try table.close(h) }
        #expect(isRejected(last) && isRejected(h0))
    }

    @Test func the_generation_hook_refuses_live_slots_and_going_back() throws {
        let h = try table.insert(token, rights: TokenRights.query)
        let (slot, generation) = table.decode(h)
        #expect(!table.advanceGeneration(ofSlot: slot, to: generation + 10))  // live
        try table.close(h)
        #expect(!table.advanceGeneration(ofSlot: slot, to: generation))  // already past it
        #expect(!table.advanceGeneration(ofSlot: slot, to: HandleTable.generationCeiling))
        #expect(table.advanceGeneration(ofSlot: slot, to: generation + 10))
        let next = try table.insert(token, rights: TokenRights.query)
        #expect(table.decode(next).generation == generation + 10)
        try table.close(next)
    }

    /// Runs `body` on a new thread and returns its result.
    func onAnotherThread(_ body: @escaping @Sendable () -> Bool) -> Bool {
        final class Result: Sendable { let value = Mutex<Bool?>(nil) }
        let result = Result()
        Thread {
            let r = body(); result.value.withLock { $0 = r }
        }.start()
        while true {
            if let r = result.value.withLock({ $0 }) { return r }
            usleep(1000)
        }
    }

    @Test func a_closed_value_is_rejected_on_the_thread_that_issued_it_last() throws {
        // The issuing thread remembers its last value with its decoding; the generation check
        // still rejects it once closed, and other threads decode it in full.
        let h = try table.insert(token, rights: TokenRights.query)
        #expect(onAnotherThread { (try? HandleTable.shared.lookup(h)) != nil })
        try table.close(h)
        #expect(isRejected(h))
        #expect(throws: HostSecError.handle) { try table.close(h) }
        #expect(onAnotherThread { (try? HandleTable.shared.lookup(h)) == nil })
    }

    @Test func a_handle_becomes_a_c_handle_and_back_unchanged() throws {
        // The entry points' two conversions: the HANDLE a caller gets is the value, never NULL.
        let h = try table.insert(token, rights: .query)
        #expect(UInt64(UInt(bitPattern: h.cHandle)) == h.rawValue)
        #expect(TokenHandle(h.cHandle) == h)
        #expect(try table.lookup(TokenHandle(h.cHandle)).1 == .query)
        try table.close(TokenHandle(h.cHandle))
        #expect(TokenHandle(nil).rawValue == 0 && isRejected(TokenHandle(nil)))
    }

    @Test func null_is_rejected_on_a_thread_that_never_opened_a_handle() {
        // A new thread remembers no value (0): NULL must not pass for the remembered one.
        #expect(
            onAnotherThread {
                (try? HandleTable.shared.lookup(TokenHandle(nil))) == nil
                    && (try? HandleTable.shared.close(TokenHandle(nil))) == nil
            })
    }

    @Test func the_encoding_is_a_permutation_that_decodes_exactly() {
        let cipher = HandleCipher.random(excluding: [0, ~0])
        var x: UInt64 = 0x243F_6A88_85A3_08D3
        for _ in 0..<100_000 {
            x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            #expect(cipher.decode(cipher.encode(x)) == x)
            #expect(cipher.encode(cipher.decode(x)) == x)
        }
        // NULL and INVALID_HANDLE_VALUE name no slot a table can issue.
        #expect(UInt32(truncatingIfNeeded: cipher.decode(0)) >> 24 != 0)
        #expect(UInt32(truncatingIfNeeded: cipher.decode(~0)) >> 24 != 0)
    }

    @Test func one_bit_of_input_changes_about_half_the_output() {
        // Slot or generation one apart: about 32 of 64 output bits differ, each bit about half
        // the time (a weak keyed permutation, e.g. the old XOR, changes one or two bits).
        let cipher = HandleCipher.random(excluding: [0, ~0])
        var flips = [Int](repeating: 0, count: 64)
        var total = 0
        let n = 20_000
        for i in 0..<n {
            let plain = UInt64(i % 1000) << 32 | UInt64(i)
            let bit = UInt64(1) << UInt64(i % 56 < 24 ? i % 24 : 32 + i % 32)
            let d = cipher.encode(plain) ^ cipher.encode(plain ^ bit)
            total += d.nonzeroBitCount
            for b in 0..<64 where d >> UInt64(b) & 1 == 1 { flips[b] += 1 }
        }
        let mean = Double(total) / Double(n)
        #expect(mean > 30 && mean < 34)
        #expect(flips.allSatisfy { Double($0) / Double(n) > 0.4 && Double($0) / Double(n) < 0.6 })
    }

    @Test func null_and_all_ones_are_never_handles() throws {
        // NULL is never a handle (SetThreadToken(NULL) and a NULL out value keep their meaning),
        // nor is INVALID_HANDLE_VALUE.
        var held: [TokenHandle] = []
        for _ in 0..<4096 { held.append(try table.insert(token, rights: TokenRights.query)) }
        #expect(Set(held).count == held.count)
        for h in held { try table.close(h) }
        #expect(throws: HostSecError.handle) { try table.close(TokenHandle(nil)) }
        #expect(throws: HostSecError.handle) { try table.close(TokenHandle(rawValue: ~0)) }
    }
}

@Suite struct EngineCopiesTests {
    /// The walk the first use makes finds this copy's own note, and only it: one engine here.
    @Test func a_process_with_one_engine_finds_exactly_its_own_note() {
        #expect(hs_engine_copies() == 1)
        #expect(hs_engine_claim())
        #expect(hs_engine_claim())  // the answer is made once
    }
}
