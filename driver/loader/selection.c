// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "selection.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
typedef __u32 u32;
typedef __u64 u64;
#include "peregrine.skel.h"
#include "syscall_table.h"

#define MAX_NR 512

enum handler { H_GENERIC, H_PROCESS, H_OPEN, H_CLOSE, H_PATH, H_FD, H_PROC_ATTR, H_NET, H_IO };

/* Syscalls with an event of their own, by the handler program that builds it; every other
 * syscall of the table is reported as a generic event. */
static const struct {
	const char *name;
	enum handler handler;
} HANDLED[] = {
	{"clone", H_PROCESS}, {"clone3", H_PROCESS}, {"fork", H_PROCESS}, {"vfork", H_PROCESS},
	{"execve", H_PROCESS}, {"execveat", H_PROCESS},
	{"open", H_OPEN}, {"openat", H_OPEN}, {"openat2", H_OPEN}, {"creat", H_OPEN},
	{"open_by_handle_at", H_OPEN},
	{"close", H_CLOSE}, {"close_range", H_CLOSE},
	{"rename", H_PATH}, {"renameat", H_PATH}, {"renameat2", H_PATH}, {"link", H_PATH},
	{"linkat", H_PATH}, {"symlink", H_PATH}, {"symlinkat", H_PATH}, {"unlink", H_PATH},
	{"unlinkat", H_PATH}, {"rmdir", H_PATH}, {"mkdir", H_PATH}, {"mkdirat", H_PATH},
	{"chmod", H_PATH}, {"fchmodat", H_PATH}, {"chown", H_PATH}, {"lchown", H_PATH},
	{"fchownat", H_PATH}, {"chdir", H_PATH}, {"chroot", H_PATH}, {"mount", H_PATH},
	{"umount2", H_PATH},
	{"fchmod", H_FD}, {"fchown", H_FD}, {"fchdir", H_FD}, {"dup", H_FD}, {"dup2", H_FD},
	{"dup3", H_FD}, {"fcntl", H_FD}, {"flock", H_FD}, {"ioctl", H_FD}, {"pipe", H_FD},
	{"pipe2", H_FD}, {"eventfd", H_FD}, {"eventfd2", H_FD}, {"signalfd", H_FD},
	{"signalfd4", H_FD}, {"timerfd_create", H_FD}, {"inotify_init", H_FD},
	{"inotify_init1", H_FD}, {"epoll_create", H_FD}, {"epoll_create1", H_FD},
	{"userfaultfd", H_FD}, {"memfd_create", H_FD}, {"pidfd_open", H_FD}, {"pidfd_getfd", H_FD},
	{"io_uring_setup", H_FD},
	{"setuid", H_PROC_ATTR}, {"setgid", H_PROC_ATTR}, {"setresuid", H_PROC_ATTR},
	{"setresgid", H_PROC_ATTR}, {"setreuid", H_PROC_ATTR}, {"setregid", H_PROC_ATTR},
	{"capset", H_PROC_ATTR}, {"setsid", H_PROC_ATTR}, {"setpgid", H_PROC_ATTR},
	{"prctl", H_PROC_ATTR}, {"ptrace", H_PROC_ATTR}, {"kill", H_PROC_ATTR}, {"tkill", H_PROC_ATTR},
	{"tgkill", H_PROC_ATTR}, {"setns", H_PROC_ATTR}, {"unshare", H_PROC_ATTR},
	{"prlimit64", H_PROC_ATTR}, {"setrlimit", H_PROC_ATTR}, {"seccomp", H_PROC_ATTR},
	{"init_module", H_PROC_ATTR}, {"finit_module", H_PROC_ATTR}, {"delete_module", H_PROC_ATTR},
	{"bpf", H_PROC_ATTR},
	{"socket", H_NET}, {"connect", H_NET}, {"accept", H_NET}, {"accept4", H_NET}, {"bind", H_NET},
	{"listen", H_NET}, {"sendto", H_NET}, {"recvfrom", H_NET}, {"sendmsg", H_NET},
	{"recvmsg", H_NET}, {"sendmmsg", H_NET}, {"recvmmsg", H_NET}, {"socketpair", H_NET},
	{"shutdown", H_NET}, {"getsockopt", H_NET},
	{"read", H_IO}, {"write", H_IO}, {"readv", H_IO}, {"writev", H_IO}, {"pread64", H_IO},
	{"pwrite64", H_IO},
};

/* Syscalls whose kernel tracepoint is named after the kernel function, not the syscall. */
static const struct {
	const char *syscall;
	const char *tracepoint;
} TP_ALIASES[] = {
	{"umount2", "umount"}, {"stat", "newstat"}, {"lstat", "newlstat"}, {"fstat", "newfstat"},
	{"uname", "newuname"}, {"sendfile", "sendfile64"},
};

/* Tracepoint events of Falco's model: procexit (sched_process_exit) is always captured; the
 * others (context switches, page faults, signal deliveries) are not offered by this driver and are
 * reported unavailable. */
static const char *const NOT_OFFERED[] = {"sched_switch", "page_fault_user", "page_fault_kernel", "signal_deliver"};

static struct peregrine *skel;
static char events_dir[256];
static struct bpf_link *links[MAX_NR];
static struct bpf_link *exec_link;

static struct bpf_program *program_for(enum handler h)
{
	switch (h) {
	case H_PROCESS: return skel->progs.sys_exit_process;
	case H_OPEN: return skel->progs.sys_exit_open;
	case H_CLOSE: return skel->progs.sys_exit_close;
	case H_PATH: return skel->progs.sys_exit_path;
	case H_FD: return skel->progs.sys_exit_fd;
	case H_PROC_ATTR: return skel->progs.sys_exit_proc_attr;
	case H_NET: return skel->progs.sys_exit_net;
	case H_IO: return skel->progs.sys_exit_io;
	default: return skel->progs.sys_exit_generic;
	}
}

static enum handler handler_of(const char *name)
{
	for (size_t i = 0; i < sizeof(HANDLED) / sizeof(HANDLED[0]); i++)
		if (!strcmp(HANDLED[i].name, name))
			return HANDLED[i].handler;
	return H_GENERIC;
}

static const char *tracepoint_of(const char *name)
{
	for (size_t i = 0; i < sizeof(TP_ALIASES) / sizeof(TP_ALIASES[0]); i++)
		if (!strcmp(TP_ALIASES[i].syscall, name))
			return TP_ALIASES[i].tracepoint;
	return name;
}

static int dir_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int selection_init(struct peregrine *s, char *err, size_t errlen)
{
	skel = s;
	static const char *const candidates[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	for (int i = 0; i < 2; i++) {
		snprintf(events_dir, sizeof(events_dir), "%s/events/syscalls", candidates[i]);
		if (dir_exists(events_dir))
			return 0;
	}
	/* Not mounted: mount tracefs at its standard place. */
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0) {
		snprintf(events_dir, sizeof(events_dir), "/sys/kernel/tracing/events/syscalls");
		if (dir_exists(events_dir))
			return 0;
		snprintf(err, errlen, "tracefs is mounted at /sys/kernel/tracing but has no syscall "
				      "tracepoints (kernel built without CONFIG_FTRACE_SYSCALLS)");
		return -1;
	}
	snprintf(err, errlen, "cannot mount tracefs at /sys/kernel/tracing (%s); mount it before starting "
			      "(mount -t tracefs nodev /sys/kernel/tracing) or run with CAP_SYS_ADMIN",
		 strerror(errno));
	return -1;
}

static struct bpf_link *attach_tracepoint(struct bpf_program *prog, const char *tp, int *error)
{
	char path[512], idbuf[32];
	snprintf(path, sizeof(path), "%s/sys_exit_%s/id", events_dir, tp);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		*error = ENOENT;
		return NULL;
	}
	ssize_t n = read(fd, idbuf, sizeof(idbuf) - 1);
	close(fd);
	if (n <= 0) {
		*error = EIO;
		return NULL;
	}
	idbuf[n] = 0;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_TRACEPOINT,
		.size = sizeof(attr),
		.config = strtoull(idbuf, NULL, 10),
	};
	/* One event on CPU 0 is enough: a BPF program on a tracepoint runs on every CPU. */
	int pfd = syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0) {
		*error = errno;
		return NULL;
	}
	struct bpf_link *link = bpf_program__attach_perf_event(prog, pfd);
	if (!link) {
		*error = errno;
		close(pfd);
	}
	return link;
}

static const struct syscall_entry *lookup(const char *name)
{
	for (size_t i = 0; i < SYSCALL_TABLE_LEN; i++)
		if (!strcmp(SYSCALL_TABLE[i].name, name))
			return &SYSCALL_TABLE[i];
	return NULL;
}

static int in_list(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return 1;
	return 0;
}
#define IN_LIST(list, name) in_list(list, sizeof(list) / sizeof(list[0]), name)

static void json_name(FILE *f, int *first, const char *name, const char *suffix)
{
	fprintf(f, "%s\"%s%s\"", *first ? "" : ",", name, suffix ? suffix : "");
	*first = 0;
}

int selection_apply(const char *list, FILE *report)
{
	static char wanted[MAX_NR];
	memset(wanted, 0, sizeof(wanted));
	char *copy = strdup(list ? list : "");
	int all = 0;
	int first_unsupported = 1;
	/* Names that are events of Falco's model but not here: tracepoints this driver does not offer. */
	char not_offered[256] = "";
	fprintf(report, "\"unsupported\":[");
	for (char *tok = strtok(copy, ", \t\n"); tok; tok = strtok(NULL, ", \t\n")) {
		if (!strcmp(tok, "all")) {
			all = 1;
			continue;
		}
		const struct syscall_entry *e = lookup(tok);
		if (e && e->nr >= 0 && e->nr < MAX_NR)
			wanted[e->nr] = 1;
		else if (e && IN_LIST(NOT_OFFERED, tok))
			snprintf(not_offered + strlen(not_offered), sizeof(not_offered) - strlen(not_offered), "%s\"%s\"",
				 not_offered[0] ? "," : "", tok);
		else if (!e) /* known names without an x86_64 number (setuid32...) need nothing */
			json_name(report, &first_unsupported, tok, NULL);
	}
	free(copy);
	if (all)
		for (size_t i = 0; i < SYSCALL_TABLE_LEN; i++)
			if (SYSCALL_TABLE[i].nr >= 0 && SYSCALL_TABLE[i].nr < MAX_NR)
				wanted[SYSCALL_TABLE[i].nr] = 1;

	int failures = 0, first_failed = 1, first_unavailable = 1;
	static char unavailable[MAX_NR];
	memset(unavailable, 0, sizeof(unavailable));
	fprintf(report, "],\"failed\":[");
	for (size_t i = 0; i < SYSCALL_TABLE_LEN; i++) {
		const struct syscall_entry *e = &SYSCALL_TABLE[i];
		if (e->nr < 0 || e->nr >= MAX_NR)
			continue;
		if (!wanted[e->nr] && links[e->nr]) {
			bpf_link__destroy(links[e->nr]);
			links[e->nr] = NULL;
		} else if (wanted[e->nr] && !links[e->nr]) {
			int error = 0;
			links[e->nr] = attach_tracepoint(program_for(handler_of(e->name)), tracepoint_of(e->name),
							 &error);
			if (!links[e->nr]) {
				if (error == ENOENT) {
					unavailable[e->nr] = 1; /* the kernel lacks it (e.g. no module support) */
				} else {
					json_name(report, &first_failed, e->name, NULL);
					failures++;
				}
			}
		}
	}
	fprintf(report, "],\"unavailable\":[%s", not_offered);
	first_unavailable = not_offered[0] == 0;
	if (!all)
		for (size_t i = 0; i < SYSCALL_TABLE_LEN; i++)
			if (SYSCALL_TABLE[i].nr >= 0 && SYSCALL_TABLE[i].nr < MAX_NR && unavailable[SYSCALL_TABLE[i].nr])
				json_name(report, &first_unavailable, SYSCALL_TABLE[i].name, NULL);

	/* Successful execs are reported from the scheduler's exec tracepoint. */
	int want_exec = links[59] || links[322];
	if (want_exec && !exec_link) {
		exec_link = bpf_program__attach(skel->progs.on_sched_exec);
		if (!exec_link) {
			json_name(report, &first_failed, "sched_process_exec", NULL);
			failures++;
		}
	} else if (!want_exec && exec_link) {
		bpf_link__destroy(exec_link);
		exec_link = NULL;
	}

	int first = 1;
	fprintf(report, "],\"selected\":[");
	for (size_t i = 0; i < SYSCALL_TABLE_LEN; i++) {
		const struct syscall_entry *e = &SYSCALL_TABLE[i];
		if (e->nr >= 0 && e->nr < MAX_NR && links[e->nr])
			json_name(report, &first, e->name, NULL);
	}
	fprintf(report, "]");
	return failures;
}

/* Detaching a tracepoint waits for an RCU grace period (tens of milliseconds); detaching from
 * several threads at once lets the grace periods overlap, so stopping takes about one of them
 * instead of one per syscall. */
#define DETACH_THREADS 16

static void *detach_some(void *arg)
{
	long k = (long)arg;
	for (int i = (int)k; i < MAX_NR; i += DETACH_THREADS) {
		if (links[i]) {
			bpf_link__destroy(links[i]);
			links[i] = NULL;
		}
	}
	return NULL;
}

void selection_detach_all(void)
{
	pthread_t threads[DETACH_THREADS];
	int started = 0;
	for (long k = 0; k < DETACH_THREADS; k++)
		if (pthread_create(&threads[started], NULL, detach_some, (void *)k) == 0)
			started++;
		else
			detach_some((void *)k);
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	if (exec_link) {
		bpf_link__destroy(exec_link);
		exec_link = NULL;
	}
}

int selection_count(void)
{
	int n = 0;
	for (int i = 0; i < MAX_NR; i++)
		n += links[i] != NULL;
	return n;
}

int selection_fill_ppm_sc_map(int map_fd)
{
	for (size_t i = 0; i < SYSCALL_TABLE_LEN; i++) {
		const struct syscall_entry *e = &SYSCALL_TABLE[i];
		if (e->nr < 0 || e->nr >= MAX_NR)
			continue;
		u32 key = (u32)e->nr;
		unsigned short value = e->ppm_sc;
		if (bpf_map_update_elem(map_fd, &key, &value, BPF_ANY))
			return -1;
	}
	return 0;
}
