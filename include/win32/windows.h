/*
 * windows.h - for programs written for Windows: hostsec's Win32 token, SID and privilege API
 * with Windows' names (see hostsec_win32.h). Put this folder on the include path
 * (-I<include>/win32, or pkg-config hostsec-win32).
 */
#ifndef HOSTSEC_WIN32_WINDOWS_H
#define HOSTSEC_WIN32_WINDOWS_H
#include "../hostsec_win32.h"
#endif
