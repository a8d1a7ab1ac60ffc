/* The second translation unit: the address of every Windows name as this file sees it. */
#include "addresses.h"

#define NAME(n) (const void *)&n,
const void *const second_addresses[] = {
#include "names.h"
};
#undef NAME
const unsigned second_count = sizeof second_addresses / sizeof second_addresses[0];
