/* A host that brings its own Win32 base types (as a PAL or a Windows-compat header does)
 * before it includes hostsec.h. Built as C and as C++, in three styles:
 *   HOST_GUARDS   the guard macros hostsec_base.h checks (_HRESULT_DEFINED, GUID_DEFINED...)
 *   HOST_GUIDDEF  guiddef.h style: REFIID/REFCLSID under _REFIID_DEFINED/_REFCLSID_DEFINED
 *   HOST_NO_BASE  everything itself, with HOSTSEC_NO_BASE_TYPES */
#include <stdint.h>

#ifndef _HRESULT_DEFINED
#define _HRESULT_DEFINED
typedef int32_t HRESULT;
#endif
#ifndef _DWORD_DEFINED
#define _DWORD_DEFINED
typedef uint32_t DWORD;
#endif
#ifndef _ULONG_DEFINED
#define _ULONG_DEFINED
typedef uint32_t ULONG;
#endif
#ifndef _BOOL_DEFINED
#define _BOOL_DEFINED
typedef int BOOL;
#endif
#ifndef _HANDLE_DEFINED
#define _HANDLE_DEFINED
typedef void *HANDLE;
#endif
#ifndef GUID_DEFINED
#define GUID_DEFINED
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    unsigned char Data4[8];
} GUID;
#endif
#ifndef __IID_DEFINED__
#define __IID_DEFINED__
typedef GUID IID;
typedef GUID CLSID;
#endif

#if defined(HOST_GUARDS)
#define _REFGUID_DEFINED
#ifdef __cplusplus
#define REFIID   const IID &
#define REFCLSID const IID &
#else
#define REFIID   const IID *
#define REFCLSID const IID *
#endif
#define TRUE          1
#define FALSE         0
#define S_OK          ((HRESULT)0L)
#define E_POINTER     ((HRESULT)0x80004003L)
#define SUCCEEDED(hr) ((HRESULT)(hr) >= 0)
#elif defined(HOST_GUIDDEF)
#define __MIDL_CONST const
#ifndef _REFIID_DEFINED
#define _REFIID_DEFINED
#ifdef __cplusplus
#define REFIID const IID &
#else
#define REFIID const IID *__MIDL_CONST
#endif
#endif
#ifndef _REFCLSID_DEFINED
#define _REFCLSID_DEFINED
#ifdef __cplusplus
#define REFCLSID const IID &
#else
#define REFCLSID const IID *__MIDL_CONST
#endif
#endif
#elif defined(HOST_NO_BASE)
#define HOSTSEC_NO_BASE_TYPES
#ifdef __cplusplus
#define REFIID   const IID &
#define REFCLSID const IID &
#else
#define REFIID   const IID *
#define REFCLSID const IID *
#endif
#define TRUE  1
#define FALSE 0
#else
#error "define HOST_GUARDS, HOST_GUIDDEF or HOST_NO_BASE"
#endif

#define COBJMACROS
#include <hostsec.h>

#ifdef __cplusplus
#define REF(id) (id)
#else
#define REF(id) (&(id))
#endif

int main(void) {
    void *pv = 0;
    HRESULT hr = DllGetClassObject(REF(CLSID_HostControl), REF(IID_IClassFactory), &pv);
    if (hr == S_OK) {
        IClassFactory *factory = (IClassFactory *)pv;
#ifdef __cplusplus
        factory->Release();
#else
        IClassFactory_Release(factory);
#endif
    }
    return SUCCEEDED(hr) && TRUE ? 0 : 1;
}
