/*
 * hostsec_base.h - the Win32 base types hostsec's interfaces are written in.
 *
 * Layouts follow the LP64 definitions a CoreCLR-style PAL uses on Linux, so a host
 * compiled against Microsoft's names gets the same sizes and calling convention:
 *
 *   HRESULT  int32_t (never long: long is 64-bit here)      4 bytes
 *   DWORD    uint32_t                                         4 bytes
 *   ULONG    uint32_t                                         4 bytes
 *   BOOL     int (TRUE 1, FALSE 0)                            4 bytes
 *   HANDLE   void *                                           8 bytes
 *   GUID     { uint32_t; uint16_t; uint16_t; uint8_t[8] }    16 bytes
 *   REFIID   const IID * in C, const IID & in C++ (a pointer either way)
 *
 * Every definition is guarded by the macro Windows headers and PALs use for it, so a host
 * that already defined a type keeps its own definition (it must be layout-compatible).
 * A host can also define HOSTSEC_NO_BASE_TYPES to supply every one of them itself.
 */
#ifndef HOSTSEC_BASE_H
#define HOSTSEC_BASE_H

#include <stdint.h>
#include <stddef.h>

#ifndef HOSTSEC_NO_BASE_TYPES

#ifndef _HRESULT_DEFINED
#define _HRESULT_DEFINED
/** A COM result code: negative values are failures. */
typedef int32_t HRESULT;
#endif

#ifndef _DWORD_DEFINED
#define _DWORD_DEFINED
/** An unsigned 32-bit value (access masks, counts, lengths). */
typedef uint32_t DWORD;
#endif

#ifndef _ULONG_DEFINED
#define _ULONG_DEFINED
/** An unsigned 32-bit value (reference counts). */
typedef uint32_t ULONG;
#endif

#ifndef _BOOL_DEFINED
#define _BOOL_DEFINED
/** A 32-bit truth value: FALSE (0) or TRUE (non-zero). */
typedef int BOOL;
#endif

#ifndef _HANDLE_DEFINED
#define _HANDLE_DEFINED
/** An opaque handle value. hostsec's handles are never pointers. */
typedef void *HANDLE;
#endif

#ifndef GUID_DEFINED
#define GUID_DEFINED
/** A 128-bit globally unique identifier, in Microsoft's field layout. */
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
#endif

#ifndef __IID_DEFINED__
#define __IID_DEFINED__
/** An interface identifier. */
typedef GUID IID;
/** A class identifier. */
typedef GUID CLSID;
#endif

/* One guard per name, as guiddef.h has them; a host that already has the macro keeps it. */
#if !defined(REFIID) && !defined(_REFIID_DEFINED)
#define _REFIID_DEFINED
#ifdef __cplusplus
/** A reference to an interface identifier (a pointer in the ABI). */
#define REFIID const IID &
#else
/** A reference to an interface identifier. */
#define REFIID const IID *
#endif
#endif
#if !defined(REFCLSID) && !defined(_REFCLSID_DEFINED)
#define _REFCLSID_DEFINED
#ifdef __cplusplus
/** A reference to a class identifier (a pointer in the ABI). */
#define REFCLSID const IID &
#else
/** A reference to a class identifier. */
#define REFCLSID const IID *
#endif
#endif

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

#endif /* HOSTSEC_NO_BASE_TYPES */

#ifndef STDMETHODCALLTYPE
/** COM methods use the platform's normal C calling convention (SysV on x86-64). */
#define STDMETHODCALLTYPE
#endif

#ifndef STDAPICALLTYPE
#define STDAPICALLTYPE
#endif

#ifdef __cplusplus
#define HOSTSEC_EXTERN_C extern "C"
#define HOSTSEC_BEGIN_DECLS extern "C" {
#define HOSTSEC_END_DECLS }
#else
#define HOSTSEC_EXTERN_C extern
#define HOSTSEC_BEGIN_DECLS
#define HOSTSEC_END_DECLS
#endif

#endif /* HOSTSEC_BASE_H */
