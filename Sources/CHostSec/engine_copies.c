/* One engine per process. Every copy of the engine (libhostsec.so; a program or library that
 * links the Swift HostSecurity product, which holds a copy of its own) carries an ELF note,
 * name "hostsec", type HS_ENGINE_NOTE_TYPE, whose 8-byte descriptor is the distance from the
 * descriptor to that copy's state word. At its first use an engine marks itself running and
 * walks the loaded objects' PT_NOTE segments (dl_iterate_phdr): if another copy is running, it
 * refuses for good. Two copies would each keep a "self" and a thread record over the same
 * kernel credentials, and one's first call on a thread would silently revert the other's
 * impersonation. */
#include "hostsec_shim.h"

#include <link.h>
#include <stdint.h>
#include <string.h>

#define HS_ENGINE_NOTE_TYPE 0x48534531u /* "HSE1" */

enum { HS_ENGINE_UNUSED = 0, HS_ENGINE_RUNNING = 1, HS_ENGINE_REFUSED = 2 };

/* Hidden: the note's PC-relative distance to it is fixed at link time, so the read-only note
 * needs no dynamic relocation. */
__attribute__((visibility("hidden"))) uint32_t hs_engine_state;
extern const unsigned char hs_engine_note[] __attribute__((visibility("hidden")));

/* The note, 4-byte aligned: header (namesz 8, descsz 8, type), "hostsec\0", then the
 * descriptor at offset 20. */
__asm__(".pushsection .note.hostsec.engine,\"a\",%note\n"
        ".balign 4\n"
        ".hidden hs_engine_note\n"
        ".type hs_engine_note, %object\n"
        "hs_engine_note:\n"
        ".long 8\n"
        ".long 8\n"
        ".long 0x48534531\n"
        ".asciz \"hostsec\"\n"
        ".quad hs_engine_state - .\n"
        ".size hs_engine_note, 28\n"
        ".popsection\n");

struct hs_engine_scan {
    uint32_t *self;
    int copies;         /* notes found, this copy's included */
    int others_running; /* other copies marked running */
};

static size_t hs_align(size_t n, size_t a) { return (n + a - 1) & ~(a - 1); }

static int hs_engine_visit(struct dl_phdr_info *info, size_t size, void *data) {
    struct hs_engine_scan *scan = data;
    (void)size;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const unsigned char *p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
        size_t left = ph->p_memsz, align = ph->p_align == 8 ? 8 : 4;
        while (left >= 12) {
            uint32_t head[3];
            memcpy(head, p, sizeof head);
            size_t desc_at = hs_align(12 + (size_t)head[0], align);
            size_t next = hs_align(desc_at + (size_t)head[1], align);
            if (desc_at > left || next > left || next == 0) break;
            if (head[2] == HS_ENGINE_NOTE_TYPE && head[0] == 8 && head[1] == 8 && memcmp(p + 12, "hostsec", 8) == 0) {
                int64_t distance;
                memcpy(&distance, p + desc_at, sizeof distance);
                uint32_t *state = (uint32_t *)(uintptr_t)((uintptr_t)(p + desc_at) + (uintptr_t)distance);
                scan->copies++;
                if (state != scan->self && __atomic_load_n(state, __ATOMIC_SEQ_CST) == HS_ENGINE_RUNNING)
                    scan->others_running++;
            }
            p += next;
            left -= next;
        }
    }
    return 0;
}

bool hs_engine_claim(void) {
    /* Reading this copy's own note keeps it (and its section) in every link. */
    if (hs_engine_note[12] != 'h') return false;
    uint32_t state = __atomic_load_n(&hs_engine_state, __ATOMIC_ACQUIRE);
    if (state != HS_ENGINE_UNUSED) return state == HS_ENGINE_RUNNING;
    /* Running first, then look: of two copies starting at once, at least one sees the other
     * (both stores come before both loads in the one total order), and it refuses. */
    __atomic_store_n(&hs_engine_state, HS_ENGINE_RUNNING, __ATOMIC_SEQ_CST);
    struct hs_engine_scan scan = {&hs_engine_state, 0, 0};
    dl_iterate_phdr(hs_engine_visit, &scan);
    if (scan.others_running == 0) return true;
    __atomic_store_n(&hs_engine_state, HS_ENGINE_REFUSED, __ATOMIC_SEQ_CST);
    return false;
}

int hs_engine_copies(void) {
    struct hs_engine_scan scan = {&hs_engine_state, 0, 0};
    dl_iterate_phdr(hs_engine_visit, &scan);
    return scan.copies;
}
