// The second translation unit, as C++: the address of every Windows name as this file sees it.
#include "addresses.h"

#define NAME(n) reinterpret_cast<const void *>(&n),
extern "C" const void *const second_addresses[] = {
#include "names.h"
};
#undef NAME
extern "C" const unsigned second_count = sizeof second_addresses / sizeof second_addresses[0];
