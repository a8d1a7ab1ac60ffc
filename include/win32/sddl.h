/*
 * sddl.h - for programs written for Windows: ConvertSidToStringSidA and
 * ConvertStringSidToSidA (declared with the rest in hostsec_win32.h).
 */
#ifndef HOSTSEC_WIN32_SDDL_H
#define HOSTSEC_WIN32_SDDL_H
#include "../hostsec_win32.h"
#endif
