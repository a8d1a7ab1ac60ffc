/* The PAM conversation and failure-delay callbacks of HostSec_LogonUserWithPassword, the lock
 * that serializes PAM transactions of stacks not audited for threads, and the lane that bounds
 * how many transactions of recently failed names run at once. The transaction itself (pam_start,
 * pam_authenticate, pam_acct_mgmt, pam_end) is in Sources/HostSec/System/PAM.swift; these
 * are here because PAM calls them back through C function pointers with C ownership rules
 * (the reply array and each answer are malloc'd by the application and freed by libpam); the
 * lock, the lane of recently failed names and the one-transaction-per-name queue are here
 * because they need a condition variable.
 *
 * Password hygiene: the caller's password is read in place through hs_pam_appdata and copied
 * exactly once, into the malloc'd reply libpam asks for. libpam takes that reply, stores it as
 * PAM_AUTHTOK, overwrites and frees the reply; pam_end overwrites and frees PAM_AUTHTOK. The
 * only copy this file frees itself (a reply abandoned half-way) is wiped first. */
#include "hostsec_shim.h"

#include <pthread.h>
#include <sched.h>
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

/* The lane: a ticket per arrival, admitted in ticket order while fewer than lane_slots run;
 * an arrival that finds every place taken and 2 * lane_slots waiting is turned away. */
static pthread_mutex_t lane_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lane_cond = PTHREAD_COND_INITIALIZER;
static unsigned long lane_next_ticket, lane_admitting;
static int lane_running, lane_slots;
static pthread_once_t lane_once = PTHREAD_ONCE_INIT;

static void lane_child(void) {
    pthread_mutex_init(&lane_lock, NULL);
    pthread_cond_init(&lane_cond, NULL);
    lane_next_ticket = lane_admitting = 0;
    lane_running = 0;
}
static void lane_arm(void) {
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    lane_slots = cpus > 1 ? cpus - 1 : 1;
    pthread_atfork(NULL, NULL, lane_child);
}

int hs_pam_lane_enter(void) {
    pthread_once(&lane_once, lane_arm);
    pthread_mutex_lock(&lane_lock);
    unsigned long waiting = lane_next_ticket - lane_admitting;
    if (lane_running >= lane_slots && waiting >= 2 * (unsigned long)lane_slots) {
        pthread_mutex_unlock(&lane_lock);
        return 0;
    }
    unsigned long ticket = lane_next_ticket++;
    while (ticket != lane_admitting || lane_running >= lane_slots) pthread_cond_wait(&lane_cond, &lane_lock);
    lane_admitting++;
    lane_running++;
    pthread_cond_broadcast(&lane_cond); /* the next ticket may fit too */
    pthread_mutex_unlock(&lane_lock);
    return 1;
}

void hs_pam_lane_leave(void) {
    pthread_mutex_lock(&lane_lock);
    lane_running--;
    pthread_cond_broadcast(&lane_cond);
    pthread_mutex_unlock(&lane_lock);
}

/* The names whose transactions run or wait now, in arrival order: a list, each entry owned by
 * the thread that runs or waits. A transaction of a name starts when it is the first of that
 * name in the list, so one name's transactions run one at a time in the order they came. */
struct name_mark {
    struct name_mark *next;
    char name[];
};
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t names_cond = PTHREAD_COND_INITIALIZER;
static struct name_mark *names_head, **names_tail = &names_head;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void names_child(void) { /* the parent's other threads' marks are not the child's */
    pthread_mutex_init(&names_lock, NULL);
    pthread_cond_init(&names_cond, NULL);
    names_head = NULL;
    names_tail = &names_head;
}
static void names_arm(void) { pthread_atfork(NULL, NULL, names_child); }

static int name_is_first(const struct name_mark *mark) {
    for (const struct name_mark *m = names_head; m != mark; m = m->next)
        if (strcmp(m->name, mark->name) == 0) return 0;
    return 1;
}

void *hs_pam_name_enter(const char *name) {
    pthread_once(&names_once, names_arm);
    size_t length = strlen(name);
    struct name_mark *mark = malloc(sizeof *mark + length + 1);
    if (mark == NULL) return NULL;
    memcpy(mark->name, name, length + 1);
    mark->next = NULL;
    pthread_mutex_lock(&names_lock);
    *names_tail = mark;
    names_tail = &mark->next;
    while (!name_is_first(mark)) pthread_cond_wait(&names_cond, &names_lock);
    pthread_mutex_unlock(&names_lock);
    return mark;
}

void hs_pam_name_leave(void *mark) {
    pthread_mutex_lock(&names_lock);
    for (struct name_mark **at = &names_head; *at != NULL; at = &(*at)->next) {
        if (*at == mark) {
            *at = ((struct name_mark *)mark)->next;
            if (*at == NULL) names_tail = at;
            break;
        }
    }
    pthread_cond_broadcast(&names_cond);
    pthread_mutex_unlock(&names_lock);
    free(mark);
}

int hs_pam_set_fail_delay(pam_handle_t *handle) {
    return pam_set_item(handle, PAM_FAIL_DELAY, (const void *)hs_pam_fail_delay);
}

const char *hs_secure_getenv(const char *name) { return secure_getenv(name); }
