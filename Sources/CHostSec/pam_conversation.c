/* The PAM conversation and failure-delay callbacks of HostSec_LogonUserWithPassword, and the
 * lock that serializes the library's PAM transactions. The transaction itself (pam_start,
 * pam_authenticate, pam_acct_mgmt, pam_end) is in Sources/HostSec/System/PAM.swift; these
 * are here because PAM calls them back through C function pointers with C ownership rules
 * (the reply array and each answer are malloc'd by the application and freed by libpam).
 *
 * Password hygiene: the caller's password is read in place through hs_pam_appdata and copied
 * exactly once, into the malloc'd reply libpam asks for. libpam takes that reply, stores it as
 * PAM_AUTHTOK, overwrites and frees the reply; pam_end overwrites and frees PAM_AUTHTOK. The
 * only copy this file frees itself (a reply abandoned half-way) is wiped first. */
#include "hostsec_shim.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int hs_pam_conversation(int count, const struct pam_message **messages, struct pam_response **responses,
                        void *appdata) {
    hs_pam_appdata *data = appdata;
    if (count <= 0 || count > PAM_MAX_NUM_MSG || messages == NULL || responses == NULL || data == NULL)
        return PAM_CONV_ERR;
    *responses = NULL;
    struct pam_response *replies = calloc((size_t)count, sizeof *replies);
    if (replies == NULL) return PAM_BUF_ERR;
    int status = PAM_SUCCESS;
    for (int i = 0; i < count && status == PAM_SUCCESS; i++) {
        switch (messages[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            /* One secret per logon: a second hidden prompt (a one-time code, a new password)
             * asks for something the caller did not give; the password is not the answer. */
            if (data->password == NULL || data->answered != 0) {
                status = PAM_CONV_ERR;
                break;
            }
            replies[i].resp = strdup(data->password);
            if (replies[i].resp == NULL) {
                status = PAM_BUF_ERR;
                break;
            }
            data->answered = 1;
            break;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO:
            data->messages++; /* nobody to show it to: counted, never answered */
            break;
        default: /* an echoed prompt (the user name is already set) or a binary one */ status = PAM_CONV_ERR; break;
        }
    }
    if (status != PAM_SUCCESS) {
        for (int i = 0; i < count; i++) {
            if (replies[i].resp != NULL) {
                explicit_bzero(replies[i].resp, strlen(replies[i].resp));
                free(replies[i].resp);
            }
        }
        free(replies);
        return status;
    }
    *responses = replies;
    return PAM_SUCCESS;
}

void hs_pam_fail_delay(int status, unsigned int microseconds, void *appdata) {
    /* libpam calls this instead of sleeping itself. The library waits after its PAM lock is
     * released, until the logon's start plus this delay (see PAM.swift). */
    hs_pam_appdata *data = appdata;
    if (data != NULL && status != PAM_SUCCESS) data->fail_delay_usec = microseconds;
}

/* Not an hs_lock: those are taken around fork(), and pam_unix forks its helper while this
 * lock is held. A fork child starts with it free instead. */
static pthread_mutex_t pam_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t pam_lock_once = PTHREAD_ONCE_INIT;

static void pam_lock_child(void) { pthread_mutex_init(&pam_lock, NULL); }
static void pam_lock_arm(void) { pthread_atfork(NULL, NULL, pam_lock_child); }

void hs_pam_lock(void) {
    pthread_once(&pam_lock_once, pam_lock_arm);
    pthread_mutex_lock(&pam_lock);
}

void hs_pam_unlock(void) { pthread_mutex_unlock(&pam_lock); }

int hs_pam_set_fail_delay(pam_handle_t *handle) {
    return pam_set_item(handle, PAM_FAIL_DELAY, (const void *)hs_pam_fail_delay);
}

const char *hs_secure_getenv(const char *name) { return secure_getenv(name); }
