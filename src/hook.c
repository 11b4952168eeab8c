/* SPDX-License-Identifier: MIT */
/* hook.c: fork + execve of the [notify] programs, never through a shell. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hook.h"
#include "log.h"
#include "text.h"

void
hook_init(struct hooks *h, const struct sys_ops *ops)
{
	memset(h, 0, sizeof(*h));
	h->ops = ops;
	h->notify_send = "/usr/bin/notify-send";
	h->run_user_dir = "/run/user";
}

/* Append "NAME=value" to buf; envp[*i] points at it.  false if full. */
static bool
env_add(char *buf, size_t size, size_t *used, char **envp, size_t n,
    size_t *i, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);

	if (*i + 1 >= n || *used + nl + 1 + vl + 1 > size)
		return false;
	envp[*i] = buf + *used;
	memcpy(buf + *used, name, nl);
	buf[*used + nl] = '=';
	memcpy(buf + *used + nl + 1, value, vl + 1);
	*used += nl + 1 + vl + 1;
	(*i)++;
	envp[*i] = NULL;
	return true;
}

size_t
hook_env(const struct kill_target *t, const char *event, const char *signal,
    const char *result, bool dry_run, char *buf, size_t size, char **envp,
    size_t n)
{
	char num[32], uid[16], rss[32], user[64];
	size_t used = 0, i = 0;

	if (n == 0)
		return 0;
	envp[0] = NULL;
	snprintf(num, sizeof(num), "%d", (int)t->pid);
	snprintf(uid, sizeof(uid), "%u", (unsigned int)t->uid);
	snprintf(rss, sizeof(rss), "%llu", (unsigned long long)t->rss_kib);
	sys_user_name(t->uid, user, sizeof(user));
	/* Values go verbatim: execve takes any bytes but NUL, and a hook
	 * that hands them to a shell must quote them itself. */
	env_add(buf, size, &used, envp, n, &i, "BUSTD_PID", num);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_NAME", t->comm);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_UID", uid);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_USER", user);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_RSS_KIB", rss);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_SIGNAL", signal);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_REASON", t->reason);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_RESULT", result);
	env_add(buf, size, &used, envp, n, &i, "BUSTD_DRY_RUN",
	    dry_run ? "1" : "0");
	env_add(buf, size, &used, envp, n, &i, "BUSTD_EVENT", event);
	env_add(buf, size, &used, envp, n, &i, "PATH",
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	env_add(buf, size, &used, envp, n, &i, "BUSTD_CMDLINE", t->cmdline);
	return i;
}

static struct hook_child *
slot(struct hooks *h, const char *what)
{
	if (h->n == HOOK_MAX) {
		log_warn("%s: not started: %d programs still running", what,
		    HOOK_MAX);
		h->n_failed++;
		return NULL;
	}
	return &h->kids[h->n];
}

static void
start(struct hooks *h, const char *what, const char *path, char *const *argv,
    char *const *envp, uid_t uid, uint32_t timeout_ms)
{
	struct hook_child *c = slot(h, what);
	pid_t pid;
	int r;

	if (c == NULL)
		return;
	r = h->ops->spawn(h->ops->ctx, path, argv, envp, uid, &pid);
	if (r < 0) {
		log_warn("%s: cannot start: %s", what, strerror(-r));
		h->n_failed++;
		return;
	}
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->deadline_ms = h->ops->now_ms(h->ops->ctx) + timeout_ms;
	snprintf(c->what, sizeof(c->what), "%s", what);
	h->n++;
	h->n_started++;
	log_debug("%s: started as pid %d", what, (int)pid);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

/*
 * Text for a notification.  D-Bus strings must be UTF-8 (comm may end in
 * half a character), notify-send expands backslash escapes, and servers
 * read markup: control bytes, broken UTF-8, '\\', '<', '>' and '&'
 * become '?'.
 */
static void
plain(char *dst, size_t size, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = strlen(src), o = 0, i = 0, l;

	while (i < n && o + 1 < size) {
		l = utf8_len(s + i, n - i);
		if (l == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\' ||
		    s[i] == '<' || s[i] == '>' || s[i] == '&') {
			dst[o++] = '?';
			i += l ? l : 1;
			continue;
		}
		if (o + l + 1 > size)
			break;
		memcpy(dst + o, s + i, l);
		o += l;
		i += l;
	}
	dst[o] = '\0';
}

/* Is notify-send there?  Said once if not. */
static bool
have_notify_send(struct hooks *h)
{
	if (access(h->notify_send, X_OK) == 0)
		return true;
	if (!h->notify_missing_logged)
		log_info("desktop notification: %s not found (package "
		    "libnotify-bin): not notifying", h->notify_send);
	h->notify_missing_logged = true;
	return false;
}

/*
 * notify-send summary and body on uid's session bus, as uid.  quiet: a
 * missing bus is no news (a user without a graphical session).
 */
static void
notify_uid(struct hooks *h, uid_t uid, const char *urgency,
    const char *summary, const char *body, bool quiet)
{
	char bus[128], addr[192], runtime[160], urg[32];
	char *argv[8], *envp[5];
	struct stat st;

	snprintf(bus, sizeof(bus), "%s/%u/bus", h->run_user_dir,
	    (unsigned int)uid);
	snprintf(runtime, sizeof(runtime), "XDG_RUNTIME_DIR=%s/%u",
	    h->run_user_dir, (unsigned int)uid);
	/* The bus must be the user's own socket. */
	if (stat(bus, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_uid != uid) {
		if (!quiet)
			log_info("uid %u: no session bus at %s: not notifying",
			    (unsigned int)uid, bus);
		return;
	}
	snprintf(addr, sizeof(addr), "DBUS_SESSION_BUS_ADDRESS=unix:path=%s",
	    bus);
	snprintf(urg, sizeof(urg), "--urgency=%s", urgency);
	argv[0] = "notify-send";
	argv[1] = "--app-name=bustd";
	argv[2] = urg;
	argv[3] = "--icon=dialog-warning";
	argv[4] = (char *)summary;
	argv[5] = (char *)body;
	argv[6] = NULL;
	envp[0] = addr;
	envp[1] = runtime;
	envp[2] = "PATH=/usr/bin:/bin";
	envp[3] = NULL;
	start(h, "notify-send", h->notify_send, argv, envp, uid,
	    HOOK_NOTIFY_TIMEOUT_MS);
}

static void
notify_desktop(struct hooks *h, const struct kill_target *t)
{
	char body[160], name[PROC_COMM_MAX];

	if (t->uid == 0 || !have_notify_send(h))
		return;
	plain(name, sizeof(name), t->comm);
	snprintf(body, sizeof(body), "bustd killed %s (pid %d) to free memory",
	    name, (int)t->pid);
	notify_uid(h, t->uid, "critical", "Out of memory", body, false);
}

/* Every user with a session bus under run_user_dir: the graphical
 * sessions to warn. */
static void
notify_everyone(struct hooks *h, const char *body)
{
	struct dirent *e;
	const char *p;
	uint64_t uid;
	DIR *dir;

	if (!have_notify_send(h))
		return;
	dir = opendir(h->run_user_dir);
	if (dir == NULL)
		return;
	while ((e = readdir(dir)) != NULL) {
		p = e->d_name;
		if (text_u64(&p, e->d_name + strlen(e->d_name), &uid) < 0 ||
		    *p != '\0' || uid == 0 || uid >= UINT32_MAX)
			continue;
		notify_uid(h, (uid_t)uid, "normal", "Memory is low", body, true);
	}
	closedir(dir);
}

void
hook_warning(struct hooks *h, const struct policy *p,
    const struct kill_target *t, const char *text)
{
	char buf[PROC_CMDLINE_MAX + 1024], what[48];
	char *envp[16], *argv[2];

	if (p->notify_exec != NULL) {
		hook_env(t, "warning", "", "", p->dry_run, buf, sizeof(buf),
		    envp, sizeof(envp) / sizeof(envp[0]));
		argv[0] = p->notify_exec;
		argv[1] = NULL;
		snprintf(what, sizeof(what), "hook %s", p->notify_exec);
		start(h, what, p->notify_exec, argv, envp, (uid_t)-1,
		    p->exec_timeout_ms);
	}
	if (p->notify_desktop)
		notify_everyone(h, text);
}

void
hook_after_kill(struct hooks *h, const struct policy *p,
    const struct kill_target *t, const char *signal, const char *result)
{
	char buf[PROC_CMDLINE_MAX + 1024], what[48];
	char *envp[16], *argv[2];

	if (p->notify_exec != NULL) {
		hook_env(t, "kill", signal, result, p->dry_run, buf,
		    sizeof(buf), envp, sizeof(envp) / sizeof(envp[0]));
		argv[0] = p->notify_exec;
		argv[1] = NULL;
		snprintf(what, sizeof(what), "hook %s", p->notify_exec);
		start(h, what, p->notify_exec, argv, envp, (uid_t)-1,
		    p->exec_timeout_ms);
	}
	if (p->notify_desktop && !p->dry_run && strcmp(result, "gone") == 0)
		notify_desktop(h, t);
}

void
hook_reap(struct hooks *h)
{
	uint64_t now = h->ops->now_ms(h->ops->ctx);
	size_t i = 0;
	int status;
	pid_t r;

	while (i < h->n) {
		struct hook_child *c = &h->kids[i];

		r = waitpid(c->pid, &status, WNOHANG);
		if (r == 0) {
			if (!c->killed && now >= c->deadline_ms) {
				log_warn("%s (pid %d): still running at its "
				    "timeout: killed", c->what, (int)c->pid);
				/* With whatever it started: its group. */
				h->ops->kill(h->ops->ctx, -c->pid, SIGKILL);
				h->ops->kill(h->ops->ctx, c->pid, SIGKILL);
				c->killed = true;
				h->n_failed++;
			}
			i++;
			continue;
		}
		if (r > 0 && !c->killed) {
			if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
				log_warn("%s (pid %d): exit status %d", c->what,
				    (int)c->pid, WEXITSTATUS(status));
				h->n_failed++;
			} else if (WIFSIGNALED(status)) {
				log_warn("%s (pid %d): killed by signal %d",
				    c->what, (int)c->pid, WTERMSIG(status));
				h->n_failed++;
			}
		}
		/* Reaped, or not our child any more (ECHILD): forget it. */
		h->kids[i] = h->kids[--h->n];
	}
}

uint32_t
hook_next_ms(const struct hooks *h)
{
	uint64_t now = h->ops->now_ms(h->ops->ctx), next = UINT64_MAX;
	size_t i;

	for (i = 0; i < h->n; i++) {
		/* A killed child is waited for by SIGCHLD alone. */
		if (!h->kids[i].killed && h->kids[i].deadline_ms < next)
			next = h->kids[i].deadline_ms;
	}
	if (next == UINT64_MAX)
		return UINT32_MAX;
	return next > now ? (uint32_t)(next - now) : 0;
}
