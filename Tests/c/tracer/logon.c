/* Logons for the tracer's log: argv[1] a user name, argv[2] its password. Logs on with the
 * right password, a wrong one, an unknown account (invalid UTF-8 bytes in its name) and a NULL
 * password, and prints each HRESULT's name. */
#include <hostsec.h>
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    HANDLE h = NULL;
    HRESULT hr = HostSec_LogonUserWithPassword(argv[1], argv[2], &h);
    printf("%s\n", HostSec_HResultName(hr));
    if (h != NULL) HostSec_CloseHandle(h);
    printf("%s\n", HostSec_HResultName(HostSec_LogonUserWithPassword(argv[1], "wrong-Pw-1", &h)));
    printf("%s\n", HostSec_HResultName(HostSec_LogonUserWithPassword("hs-no-such-\xe9\"user", argv[2], &h)));
    printf("%s\n", HostSec_HResultName(HostSec_LogonUserWithPassword(argv[1], NULL, &h)));
    return 0;
}
