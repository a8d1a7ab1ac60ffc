/* whoami.c - prints what Windows' `whoami /user /groups /priv` prints, written as a Windows
 * program: <windows.h>, <sddl.h> and Win32 calls, with the C library's stdio for output.
 *
 *   whoami                     the process token
 *   whoami USER PASSWORD       logs USER on (LogonUserA), impersonates the token, prints the
 *                              thread token, reverts
 *
 * Build against hostsec: cc whoami.c $(pkg-config --cflags --libs hostsec-win32). */
#include <windows.h>
#include <sddl.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

static void *token_info(HANDLE token, TOKEN_INFORMATION_CLASS c) {
    DWORD need = 0;
    GetTokenInformation(token, c, NULL, 0, &need);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER) return NULL;
    void *buffer = malloc(need);
    if (buffer && !GetTokenInformation(token, c, buffer, need, &need)) {
        free(buffer);
        return NULL;
    }
    return buffer;
}

/* "domain\name" (lower-cased for the user line, as whoami prints it) and the SID's type. */
static void account(PSID sid, char *out, size_t size, SID_NAME_USE *use) {
    char name[256], domain[256];
    DWORD n = sizeof name, d = sizeof domain;
    if (!LookupAccountSidA(NULL, sid, name, &n, domain, &d, use)) {
        LPSTR s = NULL;
        ConvertSidToStringSidA(sid, &s);
        snprintf(out, size, "%s", s ? s : "?");
        LocalFree(s);
        *use = SidTypeUnknown;
        return;
    }
    if (d)
        snprintf(out, size, "%s\\%s", domain, name);
    else
        snprintf(out, size, "%s", name);
}

static void rule(size_t width) {
    for (size_t i = 0; i < width; i++) putchar('=');
}

static void heading(const char *title) {
    printf("\n%s\n", title);
    for (size_t i = 0; i < strlen(title); i++) putchar('-');
    printf("\n\n");
}

static const char *type_name(SID_NAME_USE use) {
    switch (use) {
    case SidTypeUser: return "User";
    case SidTypeGroup: return "Group";
    case SidTypeAlias: return "Alias";
    case SidTypeWellKnownGroup: return "Well-known group";
    default: return "Unknown SID type";
    }
}

static void print_user(HANDLE token) {
    TOKEN_USER *user = token_info(token, TokenUser);
    char name[600];
    SID_NAME_USE use;
    LPSTR sid = NULL;
    if (!user) return;
    account(user->User.Sid, name, sizeof name, &use);
    for (char *p = name; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p += 32;
    ConvertSidToStringSidA(user->User.Sid, &sid);
    size_t w1 = strlen(name) > 9 ? strlen(name) : 9, w2 = strlen(sid) > 3 ? strlen(sid) : 3;
    heading("USER INFORMATION");
    printf("%-*s %s\n", (int)w1, "User Name", "SID");
    rule(w1);
    putchar(' ');
    rule(w2);
    putchar('\n');
    printf("%-*s %s\n", (int)w1, name, sid);
    LocalFree(sid);
    free(user);
}

static void attributes_text(DWORD a, char *out, size_t size) {
    out[0] = 0;
    if (a & SE_GROUP_MANDATORY) strncat(out, "Mandatory group, ", size - strlen(out) - 1);
    if (a & SE_GROUP_ENABLED_BY_DEFAULT) strncat(out, "Enabled by default, ", size - strlen(out) - 1);
    if (a & SE_GROUP_ENABLED) strncat(out, "Enabled group, ", size - strlen(out) - 1);
    if (a & SE_GROUP_OWNER) strncat(out, "Group owner, ", size - strlen(out) - 1);
    size_t n = strlen(out);
    if (n >= 2) out[n - 2] = 0;
}

static void print_groups(HANDLE token) {
    TOKEN_GROUPS *g = token_info(token, TokenGroups);
    if (!g) return;
    char names[64][600], attrs[64][128];
    const char *types[64];
    LPSTR sids[64];
    DWORD count = g->GroupCount < 64 ? g->GroupCount : 64;
    size_t w[4] = {10, 4, 3, 10};
    for (DWORD i = 0; i < count; i++) {
        SID_NAME_USE use;
        account(g->Groups[i].Sid, names[i], sizeof names[i], &use);
        types[i] = type_name(use);
        sids[i] = NULL;
        ConvertSidToStringSidA(g->Groups[i].Sid, &sids[i]);
        attributes_text(g->Groups[i].Attributes, attrs[i], sizeof attrs[i]);
        if (strlen(names[i]) > w[0]) w[0] = strlen(names[i]);
        if (strlen(types[i]) > w[1]) w[1] = strlen(types[i]);
        if (strlen(sids[i]) > w[2]) w[2] = strlen(sids[i]);
        if (strlen(attrs[i]) > w[3]) w[3] = strlen(attrs[i]);
    }
    heading("GROUP INFORMATION");
    printf("%-*s %-*s %-*s %s\n", (int)w[0], "Group Name", (int)w[1], "Type", (int)w[2], "SID", "Attributes");
    for (int c = 0; c < 4; c++) {
        rule(w[c]);
        putchar(c < 3 ? ' ' : '\n');
    }
    for (DWORD i = 0; i < count; i++) {
        printf("%-*s %-*s %-*s %s\n", (int)w[0], names[i], (int)w[1], types[i], (int)w[2], sids[i], attrs[i]);
        LocalFree(sids[i]);
    }
    free(g);
}

static void print_privileges(HANDLE token) {
    TOKEN_PRIVILEGES *p = token_info(token, TokenPrivileges);
    if (!p) return;
    char names[80][64], displays[80][128];
    DWORD count = p->PrivilegeCount < 80 ? p->PrivilegeCount : 80;
    size_t w[3] = {14, 11, 8};
    for (DWORD i = 0; i < count; i++) {
        DWORD n = sizeof names[i], d = sizeof displays[i], lang = 0;
        if (!LookupPrivilegeNameA(NULL, &p->Privileges[i].Luid, names[i], &n)) strcpy(names[i], "?");
        if (!LookupPrivilegeDisplayNameA(NULL, names[i], displays[i], &d, &lang)) displays[i][0] = 0;
        if (strlen(names[i]) > w[0]) w[0] = strlen(names[i]);
        if (strlen(displays[i]) > w[1]) w[1] = strlen(displays[i]);
    }
    heading("PRIVILEGES INFORMATION");
    printf("%-*s %-*s %s\n", (int)w[0], "Privilege Name", (int)w[1], "Description", "State");
    for (int c = 0; c < 3; c++) {
        rule(w[c]);
        putchar(c < 2 ? ' ' : '\n');
    }
    for (DWORD i = 0; i < count; i++)
        printf("%-*s %-*s %s\n", (int)w[0], names[i], (int)w[1], displays[i],
               (p->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED) ? "Enabled" : "Disabled");
    free(p);
}

static void whoami(HANDLE token) {
    print_user(token);
    print_groups(token);
    print_privileges(token);
}

int main(int argc, char **argv) {
    HANDLE token = NULL;
    if (argc == 1) {
        if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) {
            fprintf(stderr, "OpenProcessToken: error %u\n", (unsigned)GetLastError());
            return 1;
        }
        whoami(token);
        CloseHandle(token);
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: whoami [USER PASSWORD]\n");
        return 2;
    }
    HANDLE logon = NULL;
    if (!LogonUserA(argv[1], NULL, argv[2], LOGON32_LOGON_INTERACTIVE, LOGON32_PROVIDER_DEFAULT, &logon)) {
        fprintf(stderr, "LogonUserA: error %u\n", (unsigned)GetLastError());
        return 1;
    }
    if (!ImpersonateLoggedOnUser(logon)) {
        fprintf(stderr, "ImpersonateLoggedOnUser: error %u\n", (unsigned)GetLastError());
        return 1;
    }
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token)) {
        fprintf(stderr, "OpenThreadToken: error %u\n", (unsigned)GetLastError());
        RevertToSelf();
        return 1;
    }
    whoami(token);
    CloseHandle(token);
    RevertToSelf();
    CloseHandle(logon);
    return 0;
}
