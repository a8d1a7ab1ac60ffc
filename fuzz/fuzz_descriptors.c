/* libFuzzer harness for the security descriptor and SDDL parsers of libhostsec.so.
 *
 * Each input is read three ways, each from a heap block of exactly its size (so AddressSanitizer
 * sees any read past it):
 *   - as SDDL text: a descriptor comes back valid, as long as it says, and its SDDL parses back
 *     to the same bytes; a failure leaves the out pointer NULL;
 *   - as a self-relative descriptor of that many bytes: RtlValidRelativeSecurityDescriptor
 *     judges it without reading past the end; one it accepts is measured, printed as SDDL and
 *     checked against a token;
 *   - as an ACL when its AclSize fits the input: validity, information, each entry, an entry
 *     added to a copy.
 * Invariant failures abort (libFuzzer keeps the input). Run with scripts/fuzz-descriptors. */
#define HOSTSEC_W32_NO_WINDOWS_NAMES
#include "hostsec_win32.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQUIRE(cond)                                                                    \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            fprintf(stderr, "fuzz_descriptors: %s:%d: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                     \
        }                                                                                \
    } while (0)

static HANDLE client; /* an identification-level token of the process user, made once */
static GENERIC_MAPPING mapping = {0x1, 0x2, 0x4, 0x7};

static void check_against_token(PSECURITY_DESCRIPTOR sd, DWORD desired) {
    unsigned char buffer[256];
    DWORD length = sizeof buffer, granted = 0;
    BOOL status = 0;
    if (HostSecW32_AccessCheck(sd, client, desired & ~0xF0000000u, &mapping, (PPRIVILEGE_SET)buffer, &length, &granted,
                               &status))
        REQUIRE(status ? granted != 0 : granted == 0);
}

static void as_sddl(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = 0;
    PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)1;
    ULONG length = 0;
    if (!HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(text, 1, &sd, &length)) {
        REQUIRE(sd == NULL);
        free(text);
        return;
    }
    REQUIRE(sd != NULL && length >= sizeof(SECURITY_DESCRIPTOR_RELATIVE));
    REQUIRE(HostSecW32_RtlValidRelativeSecurityDescriptor(sd, length, 0));
    REQUIRE(HostSecW32_IsValidSecurityDescriptor(sd));
    REQUIRE(HostSecW32_GetSecurityDescriptorLength(sd) == length);
    LPSTR back = NULL;
    ULONG back_length = 0;
    REQUIRE(HostSecW32_ConvertSecurityDescriptorToStringSecurityDescriptorA(sd, 1, 15, &back, &back_length));
    REQUIRE(back != NULL && back_length == strlen(back) + 1);
    PSECURITY_DESCRIPTOR again = NULL;
    ULONG again_length = 0;
    REQUIRE(HostSecW32_ConvertStringSecurityDescriptorToSecurityDescriptorA(back, 1, &again, &again_length));
    REQUIRE(again_length == length && memcmp(again, sd, length) == 0);
    check_against_token(sd, size > 0 ? (DWORD)data[0] * 0x01010101u : 0);
    HostSecW32_LocalFree(again);
    HostSecW32_LocalFree(back);
    HostSecW32_LocalFree(sd);
    free(text);
}

static void as_relative(const uint8_t *data, size_t size) {
    if (size == 0) return;
    uint8_t *block = malloc(size);
    memcpy(block, data, size);
    if (HostSecW32_RtlValidRelativeSecurityDescriptor(block, (ULONG)size, 0)) {
        REQUIRE(HostSecW32_IsValidSecurityDescriptor(block));
        /* The length is the header plus each part's size, as Windows counts it: parts that
         * share bytes count twice, so it may exceed the block; it is never below the header. */
        REQUIRE(HostSecW32_GetSecurityDescriptorLength(block) >= sizeof(SECURITY_DESCRIPTOR_RELATIVE));
        LPSTR text = NULL;
        REQUIRE(HostSecW32_ConvertSecurityDescriptorToStringSecurityDescriptorA(block, 1, 15, &text, NULL));
        HostSecW32_LocalFree(text);
        BOOL present = 0, defaulted = 0;
        PACL dacl = NULL;
        REQUIRE(HostSecW32_GetSecurityDescriptorDacl(block, &present, &dacl, &defaulted));
        if (present && dacl) {
            REQUIRE(HostSecW32_IsValidAcl(dacl));
            for (DWORD i = 0; i < dacl->AceCount; i++) {
                LPVOID ace = NULL;
                REQUIRE(HostSecW32_GetAce(dacl, i, &ace) && (uint8_t *)ace >= block && (uint8_t *)ace < block + size);
            }
        }
        check_against_token(block, 0x0300FFFFu);
    }
    free(block);
}

static void as_acl(const uint8_t *data, size_t size) {
    if (size < sizeof(ACL)) return;
    WORD acl_size;
    memcpy(&acl_size, data + 2, sizeof acl_size);
    if (acl_size > size) return; /* an ACL is trusted to be as long as it says */
    uint8_t *block = malloc(size + 64);
    memcpy(block, data, size);
    PACL acl = (PACL)block;
    if (HostSecW32_IsValidAcl(acl)) {
        ACL_SIZE_INFORMATION info;
        REQUIRE(HostSecW32_GetAclInformation(acl, &info, sizeof info, AclSizeInformation));
        REQUIRE(info.AclBytesInUse + info.AclBytesFree == acl_size);
        for (DWORD i = 0; i < info.AceCount; i++) {
            LPVOID ace = NULL;
            REQUIRE(HostSecW32_GetAce(acl, i, &ace));
        }
        /* Room for one more entry: adding it keeps the ACL valid and inside its size. */
        unsigned char sid[12] = {1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
        if (HostSecW32_AddAccessDeniedAce(acl, 2, 0x1, sid)) {
            REQUIRE(HostSecW32_IsValidAcl(acl));
            REQUIRE(info.AclBytesFree >= 20);
        }
    }
    free(block);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    HANDLE process = NULL;
    REQUIRE(HostSecW32_OpenProcessToken(HostSecW32_GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process));
    REQUIRE(HostSecW32_DuplicateTokenEx(process, TOKEN_ALL_ACCESS, NULL, SecurityIdentification, TokenImpersonation,
                                        &client));
    HostSecW32_CloseHandle(process);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    as_sddl(data, size);
    as_relative(data, size);
    as_acl(data, size);
    return 0;
}
