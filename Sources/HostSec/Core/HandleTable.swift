import CHostSec
#if canImport(Glibc)
import Glibc
#endif

/// What a handle names: the kind is kept in its slot, so a handle of one kind given where the
/// other is expected is `E_HANDLE`, as a closed or forged value is.
package enum HandleKind: UInt32, Sendable {
    case token = 1
    /// A child process (CreateProcessAsUserA's process and thread handles).
    case process = 2
}

/// The process's handles: tokens and child processes, in one table.
///
/// A HANDLE is a value, never a pointer: a keyed permutation (`HandleCipher`) of the slot
/// index and the slot's generation, with round keys drawn at random for each process. Any
/// number of handle values tell nothing about another value: the permutation hides which
/// slot a value names and how far its generation has gone. Closing a handle bumps its slot's
/// generation, so the value is never valid again; a value whose slot was never issued, whose
/// generation differs, or whose slot is not live is rejected with `E_HANDLE` without touching
/// anything the value points at.
///
/// Generations never repeat: a slot is used for generations 0 through `generationCeiling - 1`
/// and is then retired for good (its 24 bytes stay, never handed out again), so a closed value
/// cannot come back however often a thread reuses one slot. Retiring costs one slot per
/// 4,294,967,295 opens of it: the table holds 16,777,216 slots.
///
/// Each slot is 24 bytes: one atomic word (generation << 32 | pins << 1 | live), the object
/// (retained: a token or a child process), the rights granted when the handle was opened, and
/// the object's kind. Slots live in chunks of
/// 4096 that are never freed or moved, so a lookup needs no lock. Each thread keeps up to 128
/// free slots of its own (`hs_thread.free_slots`), so opening and closing on different
/// threads share no lock; the shared free list and the chunk directory are behind one lock
/// that only a thread with an empty or full cache takes.
package final class HandleTable: @unchecked Sendable {
    /// The library's table. (Its lock is an hs_lock: a fork() child never inherits it held.)
    package static let shared = HandleTable()

    static let chunkShift: UInt32 = 12
    static let chunkSize = 1 << chunkShift
    static let maxChunks = 4096  // 16.7 million handles
    static let batch = 64
    /// The generation a slot is retired at: handles carry generations below it only.
    static let generationCeiling: UInt64 = 0xFFFF_FFFF

    struct Slot {
        var word: UInt64  // generation << 32 | pins << 1 | live
        var object: UnsafeMutableRawPointer?
        var rights: TokenRights
        var kind: UInt32  // HandleKind.rawValue
    }

    private let directory: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    private let lock: OpaquePointer
    private var freeSlots: [UInt32] = []  // guarded by lock
    private var issued: UInt32 = 0  // guarded by lock
    private(set) var retiredSlots = 0  // guarded by lock
    private let cipher: HandleCipher

    init() {
        directory = .allocate(capacity: Self.maxChunks)
        directory.initialize(repeating: nil, count: Self.maxChunks)
        lock = hs_lock_create()
        cipher = HandleCipher.random(excluding: [0, ~0])
    }

    // MARK: opening

    /// Stores a token with the rights granted and returns its new handle.
    package func insert(_ token: Token, rights: TokenRights) throws(HostSecError) -> TokenHandle {
        try insert(Unmanaged.passUnretained(token), rights: rights)
    }

    /// `insert` for a token the caller only borrows: the handle takes its own reference.
    @inline(__always)
    package func insert(_ token: Unmanaged<Token>, rights: TokenRights) throws(HostSecError) -> TokenHandle {
        try insert(
            object: UnsafeMutableRawPointer(token.toOpaque()), retain: { _ = token.retain() }, kind: .token,
            rights: rights)
    }

    /// Stores another kind of object (a child process) and returns its new handle; the handle
    /// holds a reference to it until closed.
    package func insert(_ object: AnyObject, kind: HandleKind) throws(HostSecError) -> TokenHandle {
        let unmanaged = Unmanaged<AnyObject>.passUnretained(object)
        return try insert(
            object: UnsafeMutableRawPointer(unmanaged.toOpaque()), retain: { _ = unmanaged.retain() }, kind: kind,
            rights: TokenRights())
    }

    @inline(__always)
    private func insert(
        object: UnsafeMutableRawPointer, retain: () -> Void, kind: HandleKind, rights: TokenRights
    ) throws(HostSecError) -> TokenHandle {
        let thread = hs_thread_self()!
        guard let index = takeSlot(thread) else { throw .outOfMemory }
        let slot = slotPointer(index)
        let word = wordPointer(slot)
        // The slot is free and this thread's alone: its generation can be read, and the value
        // encoded and remembered, before the token's retain (a locked instruction).
        let generation = hs_load_relaxed(word) >> 32
        let plain = generation << 32 | UInt64(index)
        let value = cipher.encode(plain)
        thread.pointee.last_handle = value
        thread.pointee.last_plain = plain
        retain()
        slot.pointee.object = object
        slot.pointee.rights = rights
        slot.pointee.kind = kind.rawValue
        hs_store_release(word, generation << 32 | 1)
        hs_live_add(Int32(HS_LIVE_HANDLES), 1)
        return TokenHandle(rawValue: value)
    }

    // MARK: using

    /// The token behind a handle and the rights it was opened with. Every right in
    /// `required` must have been granted, or `E_ACCESSDENIED`.
    package func token(_ handle: TokenHandle, requiring required: TokenRights) throws(HostSecError) -> Token {
        let (token, rights) = try lookup(handle)
        if !rights.isSuperset(of: required) { throw .accessDenied }
        return token
    }

    /// The token behind a handle and the rights it was opened with: `E_HANDLE` for a value
    /// that names no live token (another kind of handle included).
    package func lookup(_ handle: TokenHandle) throws(HostSecError) -> (Token, TokenRights) {
        let (slot, index) = try pin(handle, kind: .token)
        let token = Unmanaged<Token>.fromOpaque(slot.pointee.object!).takeUnretainedValue()
        let rights = slot.pointee.rights
        unpin(slot, index: index)
        return (token, rights)
    }

    /// The object of another kind behind a handle, or nil when the value names no live handle
    /// of that kind.
    package func object<Object: AnyObject>(_ handle: TokenHandle, kind: HandleKind, as type: Object.Type) -> Object? {
        guard let (slot, index) = try? pin(handle, kind: kind) else { return nil }
        let object = Unmanaged<AnyObject>.fromOpaque(slot.pointee.object!).takeUnretainedValue() as? Object
        unpin(slot, index: index)
        return object
    }

    /// Pins a live slot of `kind` so a concurrent close cannot free its object under the caller.
    @inline(__always)
    private func pin(_ handle: TokenHandle, kind: HandleKind) throws(HostSecError) -> (
        UnsafeMutablePointer<Slot>, UInt32
    ) {
        guard let (slot, index, generation) = locate(handle) else { throw .handle }
        let word = wordPointer(slot)
        var current = hs_load_acquire(word)
        while true {
            guard current >> 32 == generation, current & 1 == 1 else { throw .handle }
            if hs_cas(word, &current, current &+ 2) { break }
        }
        // Written before the live bit was published, and fixed while pinned.
        if slot.pointee.kind != kind.rawValue {
            unpin(slot, index: index)
            throw .handle
        }
        return (slot, index)
    }

    // MARK: closing

    /// Closes a handle of any kind: `E_HANDLE` when it is not a live handle.
    package func close(_ handle: TokenHandle) throws(HostSecError) {
        guard let (slot, index, generation) = locate(handle) else { throw .handle }
        let word = wordPointer(slot)
        var current = hs_load_acquire(word)
        while true {
            guard current >> 32 == generation, current & 1 == 1 else { throw .handle }
            if hs_cas(word, &current, current & ~1) { break }
        }
        hs_live_add(Int32(HS_LIVE_HANDLES), -1)
        if current & 0xFFFF_FFFE == 0 {  // no pins: nobody else can reach the object
            retire(slot, index: index)
        }
    }

    // MARK: slots

    private func unpin(_ slot: UnsafeMutablePointer<Slot>, index: UInt32) {
        let after = hs_fetch_sub(wordPointer(slot), 2) &- 2
        if after & 0xFFFF_FFFF == 0 {  // last pin of a closed handle: retire it
            retire(slot, index: index)
        }
    }

    /// Frees a closed slot's object and makes the slot reusable under a new generation, or,
    /// when the next generation is the ceiling, retires the slot for good: a generation is
    /// never issued twice.
    @inline(__always) private func retire(_ slot: UnsafeMutablePointer<Slot>, index: UInt32) {
        let word = wordPointer(slot)
        let next = (hs_load_acquire(word) >> 32) + 1
        let object = slot.pointee.object
        let kind = slot.pointee.kind
        slot.pointee.object = nil
        slot.pointee.rights = TokenRights()
        slot.pointee.kind = 0
        hs_store_release(word, next << 32)
        if let object {
            if kind == HandleKind.token.rawValue {
                Unmanaged<Token>.fromOpaque(object).release()
            } else {
                Unmanaged<AnyObject>.fromOpaque(object).release()
            }
        }
        if next < Self.generationCeiling {
            giveSlot(index)
        } else {
            countRetired()
        }
    }

    @inline(never) private func countRetired() {
        hs_lock_acquire(lock)
        retiredSlots += 1
        hs_lock_release(lock)
    }

    @inline(__always) private func takeSlot(_ thread: UnsafeMutablePointer<hs_thread>) -> UInt32? {
        var index: UInt32 = 0
        if hs_cache_pop(thread, &index) { return index }
        return takeSlotShared(thread)
    }

    /// takeSlot when the thread's cache is empty: a batch from the shared list.
    @inline(never) private func takeSlotShared(_ thread: UnsafeMutablePointer<hs_thread>) -> UInt32? {
        hs_lock_acquire(lock)
        defer { hs_lock_release(lock) }
        if freeSlots.isEmpty {
            guard issueFreshSlots() else { return nil }
        }
        let take = min(Self.batch, freeSlots.count)
        for _ in 0..<take - 1 { _ = hs_cache_push(thread, freeSlots.removeLast()) }
        ArmThreadExit.arm()
        return freeSlots.removeLast()
    }

    @inline(__always) private func giveSlot(_ index: UInt32) {
        let thread = hs_thread_self()!
        if hs_cache_push(thread, index) { return }
        giveSlotShared(thread, index)
    }

    /// giveSlot when the thread's cache is full: the slot and a batch go to the shared list.
    @inline(never) private func giveSlotShared(_ thread: UnsafeMutablePointer<hs_thread>, _ index: UInt32) {
        hs_lock_acquire(lock)
        defer { hs_lock_release(lock) }
        freeSlots.append(index)
        var moved = 0
        var spill: UInt32 = 0
        while moved < Self.batch, hs_cache_pop(thread, &spill) {
            freeSlots.append(spill)
            moved += 1
        }
    }

    /// Returns a thread's cached free slots to the shared list (thread exit).
    func releaseCache(of thread: UnsafeMutablePointer<hs_thread>) {
        hs_lock_acquire(lock)
        defer { hs_lock_release(lock) }
        var index: UInt32 = 0
        while hs_cache_pop(thread, &index) { freeSlots.append(index) }
    }

    /// Adds a batch of never-used slots to the shared list (lock held).
    private func issueFreshSlots() -> Bool {
        let limit = UInt32(Self.maxChunks * Self.chunkSize)
        guard issued < limit else { return false }
        let chunk = Int(issued >> Self.chunkShift)
        if directory[chunk] == nil {
            guard let memory = calloc(Self.chunkSize, MemoryLayout<Slot>.stride) else { return false }
            hs_store_ptr_release(directory + chunk, memory)
        }
        let end = min(issued + UInt32(Self.batch), UInt32((chunk + 1) << Int(Self.chunkShift)))
        freeSlots.append(contentsOf: (issued..<end).reversed())
        issued = end
        return true
    }

    // MARK: encoding

    /// The slot a handle value names, its index, and the generation it claims, or nil when
    /// the value cannot name an issued slot.
    @inline(__always)
    private func locate(_ handle: TokenHandle) -> (UnsafeMutablePointer<Slot>, UInt32, UInt64)? {
        let value = handle.rawValue
        let thread = hs_thread_self()!
        // The value this thread issued last is remembered with what it decodes to: opening and
        // then using or closing a handle on one thread decodes nothing (and the branch, when
        // predicted, does not wait for the value). Any other value is decoded.
        let plain = value == thread.pointee.last_handle && value != 0 ? thread.pointee.last_plain : cipher.decode(value)
        let index = UInt32(truncatingIfNeeded: plain)
        let chunk = Int(index >> Self.chunkShift)
        guard chunk < Self.maxChunks,
            let base = hs_load_ptr_acquire(
                UnsafeRawPointer(directory + chunk).assumingMemoryBound(to: UnsafeMutableRawPointer?.self))
        else { return nil }
        let slot = base.assumingMemoryBound(to: Slot.self) + Int(index & UInt32(Self.chunkSize - 1))
        return (slot, index, plain >> 32)
    }

    // MARK: for tests (internal: not exported from libhostsec.so)

    /// The slot index and generation a handle value decodes to, whether or not it is live.
    func decode(_ handle: TokenHandle) -> (index: UInt32, generation: UInt64) {
        let plain = cipher.decode(handle.rawValue)
        return (UInt32(truncatingIfNeeded: plain), plain >> 32)
    }

    /// Moves a free slot's generation forward to `generation` (below the ceiling), as if it
    /// had been opened and closed that many times. Returns false when the slot is live,
    /// pinned, or already past `generation`.
    func advanceGeneration(ofSlot index: UInt32, to generation: UInt64) -> Bool {
        guard generation < Self.generationCeiling, Int(index >> Self.chunkShift) < Self.maxChunks,
            directory[Int(index >> Self.chunkShift)] != nil
        else { return false }
        let word = wordPointer(slotPointer(index))
        var current = hs_load_acquire(word)
        guard current & 0xFFFF_FFFF == 0, current >> 32 <= generation else { return false }
        return hs_cas(word, &current, generation << 32)
    }

    @inline(__always) private func slotPointer(_ index: UInt32) -> UnsafeMutablePointer<Slot> {
        let base = directory[Int(index >> Self.chunkShift)]!
        return base.assumingMemoryBound(to: Slot.self) + Int(index & UInt32(Self.chunkSize - 1))
    }

    @inline(__always) private func wordPointer(_ slot: UnsafeMutablePointer<Slot>) -> UnsafeMutablePointer<UInt64> {
        UnsafeMutableRawPointer(slot).assumingMemoryBound(to: UInt64.self)
    }
}
