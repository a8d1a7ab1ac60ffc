/* The first translation unit: every Windows name has one address, the same here as in the
 * second file and as the library's HostSecW32_ symbol (dlsym). Prints one line per name that
 * differs and "N names, one address each" when none does; exit status 1 when any differs. */
#include "addresses.h"
#include <dlfcn.h>
#include <stdio.h>

#define NAME(n) {#n, (const void *)&n},
static const struct {
    const char *name;
    const void *address;
} first[] = {
#include "names.h"
};
#undef NAME

int main(void) {
    unsigned count = sizeof first / sizeof first[0], differ = 0;
    if (count != second_count) {
        printf("the two files list %u and %u names\n", count, second_count);
        return 1;
    }
    for (unsigned i = 0; i < count; i++) {
        char symbol[128];
        snprintf(symbol, sizeof symbol, "HostSecW32_%s", first[i].name);
        const void *library = dlsym(RTLD_DEFAULT, symbol);
        if (first[i].address != second_addresses[i] || first[i].address != library) {
            printf("%s: %p here, %p in the other file, %p as %s\n", first[i].name, first[i].address,
                   second_addresses[i], library, symbol);
            differ++;
        }
    }
    if (differ) return 1;
    printf("%u names, one address each\n", count);
    return 0;
}
