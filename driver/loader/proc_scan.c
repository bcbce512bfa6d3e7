// SPDX-License-Identifier: GPL-2.0
/*
 * The initial process and fd tables, scanned from /proc the way libscap does, written as a
 * process list block (PL v9, with the fields newer libscap versions append) and one fd list block
 * (FDL v2) per process.
 *
 * Kernel threads (no command line and no executable) are skipped, as libscap skips them. Only fd
 * types sysdig 0.29.3 knows are written: anonymous-inode fds newer libscap types as bpf,
 * userfaultfd, io_uring or pidfd are written as "unsupported" with their name, memfds as files.
 */
#define _GNU_SOURCE
#include "host.h"
#include "../common/shared.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef int64_t s64;
#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif
#include "../probe/ppm_flags.h"

#define PPM_CL_CLONE_FILES (1 << 0)
#define PPM_CL_CLONE_THREAD (1 << 13)

enum scap_fd_type {
	SCAP_FD_FILE = 1,
	SCAP_FD_DIRECTORY = 2,
	SCAP_FD_IPV4_SOCK = 3,
	SCAP_FD_IPV6_SOCK = 4,
	SCAP_FD_IPV4_SERVSOCK = 5,
	SCAP_FD_IPV6_SERVSOCK = 6,
	SCAP_FD_FIFO = 7,
	SCAP_FD_UNIX_SOCK = 8,
	SCAP_FD_EVENT = 9,
	SCAP_FD_UNSUPPORTED = 10,
	SCAP_FD_SIGNALFD = 11,
	SCAP_FD_EVENTPOLL = 12,
	SCAP_FD_INOTIFY = 13,
	SCAP_FD_TIMERFD = 14,
	SCAP_FD_NETLINK = 15,
	SCAP_FD_FILE_V2 = 16,
};

enum { L4_TCP = 2, L4_UDP = 3, L4_RAW = 5 };

/* ------------------------------------------------------------------ small file readers */

/* Reads a whole (small) file; returns the byte count or -1. */
static ssize_t read_file(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, out + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	return (ssize_t)n;
}

static void read_link(const char *path, char *out, size_t cap)
{
	ssize_t n = readlink(path, out, cap - 1);
	out[n > 0 ? n : 0] = 0;
}

/* The value after `key` in a "Key:\tvalue" file such as /proc/<pid>/status. */
static const char *field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, klen) == 0) {
			p += klen;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
	}
	return NULL;
}

/* The last number of a space-separated list ("NSpid:\t10\t1" -> 1). */
static long long last_number(const char *p, long long fallback)
{
	if (!p)
		return fallback;
	long long v = fallback;
	while (*p && *p != '\n') {
		char *end;
		long long x = strtoll(p, &end, 10);
		if (end == p)
			break;
		v = x;
		p = end;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	return v;
}

/* ------------------------------------------------------------------ sockets by inode */

struct sock_entry {
	u64 ino;
	u8 type;   /* scap fd type */
	u8 l4;
	u32 sip[4], dip[4];
	u16 sport, dport;
	u64 unix_addr;
	char path[108];
};

struct sock_table {
	u64 netns;
	struct sock_entry *v;
	size_t n, cap;
	struct sock_table *next;
};

static struct sock_table *sock_tables;

static void add_sock(struct sock_table *t, const struct sock_entry *e)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
		if (!t->v) {
			fprintf(stderr, "{\"type\":\"error\",\"code\":\"memory\",\"message\":\"out of memory\"}\n");
			exit(1);
		}
	}
	t->v[t->n++] = *e;
}

/* "0100007F:1F90" (IPv4) or 32 hex digits (IPv6) + ":port". The kernel prints each 32-bit word
 * of the address as it is stored, so parsing a word back gives the network-order value the
 * probe reads from the socket. */
static const char *parse_addr(const char *p, u32 *addr, int words, u16 *port)
{
	for (int i = 0; i < words; i++) {
		char w[9] = {0};
		memcpy(w, p, 8);
		addr[i] = (u32)strtoul(w, NULL, 16);
		p += 8;
	}
	if (*p == ':')
		p++;
	char *end;
	*port = (u16)strtoul(p, &end, 16);
	return end;
}

static void load_inet(struct sock_table *t, int pid, const char *name, int v6, u8 l4)
{
	char path[256];
	snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct sock_entry e = {0};
		const char *p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		while (*p == ' ')
			p++;
		p = parse_addr(p, e.sip, v6 ? 4 : 1, &e.sport);
		while (*p == ' ')
			p++;
		p = parse_addr(p, e.dip, v6 ? 4 : 1, &e.dport);
		unsigned st;
		unsigned long long ino;
		/* st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(p, " %x %*s %*s %*s %*s %*s %llu", &st, &ino) != 2)
			continue;
		e.ino = ino;
		e.l4 = l4;
		int remote_zero = e.dport == 0 && !e.dip[0] && !e.dip[1] && !e.dip[2] && !e.dip[3];
		int listening = l4 == L4_TCP ? st == 0x0A : remote_zero;
		e.type = v6 ? (listening ? SCAP_FD_IPV6_SERVSOCK : SCAP_FD_IPV6_SOCK)
			    : (listening ? SCAP_FD_IPV4_SERVSOCK : SCAP_FD_IPV4_SOCK);
		add_sock(t, &e);
	}
	fclose(f);
}

static void load_unix(struct sock_table *t, int pid)
{
	char path[256], line[1024];
	snprintf(path, sizeof(path), "/proc/%d/net/unix", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct sock_entry e = {0};
		unsigned long long addr, ino;
		int consumed = 0;
		/* Num RefCount Protocol Flags Type St Inode [Path] */
		if (sscanf(line, "%llx: %*s %*s %*s %*s %*s %llu%n", &addr, &ino, &consumed) < 2)
			continue;
		e.ino = ino;
		e.unix_addr = addr;
		e.type = SCAP_FD_UNIX_SOCK;
		const char *p = line + consumed;
		while (*p == ' ')
			p++;
		snprintf(e.path, sizeof(e.path), "%.*s", (int)strcspn(p, "\n"), p);
		if (e.path[0] == '@') /* abstract names are listed with a leading '@' */
			memmove(e.path, e.path + 1, strlen(e.path));
		add_sock(t, &e);
	}
	fclose(f);
}

static void load_netlink(struct sock_table *t, int pid)
{
	char path[256], line[512];
	snprintf(path, sizeof(path), "/proc/%d/net/netlink", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		struct sock_entry e = {0};
		unsigned long long ino;
		/* sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode */
		if (sscanf(line, "%*s %*s %*s %*s %*s %*s %*s %*s %*s %llu", &ino) != 1)
			continue;
		e.ino = ino;
		e.type = SCAP_FD_NETLINK;
		add_sock(t, &e);
	}
	fclose(f);
}

/* The sockets of the network namespace of `pid`, read once per namespace. */
static struct sock_table *sockets_of(int pid)
{
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	read_link(path, link, sizeof(link));
	u64 netns = strtoull(strchr(link, '[') ? strchr(link, '[') + 1 : "0", NULL, 10);
	for (struct sock_table *t = sock_tables; t; t = t->next)
		if (t->netns == netns)
			return t;
	struct sock_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->netns = netns;
	load_inet(t, pid, "tcp", 0, L4_TCP);
	load_inet(t, pid, "udp", 0, L4_UDP);
	load_inet(t, pid, "raw", 0, L4_RAW);
	load_inet(t, pid, "tcp6", 1, L4_TCP);
	load_inet(t, pid, "udp6", 1, L4_UDP);
	load_inet(t, pid, "raw6", 1, L4_RAW);
	load_unix(t, pid);
	load_netlink(t, pid);
	t->next = sock_tables;
	sock_tables = t;
	return t;
}

static const struct sock_entry *find_sock(struct sock_table *t, u64 ino)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (t->v[i].ino == ino)
			return &t->v[i];
	return NULL;
}

static void free_sock_tables(void)
{
	while (sock_tables) {
		struct sock_table *n = sock_tables->next;
		free(sock_tables->v);
		free(sock_tables);
		sock_tables = n;
	}
}

/* ------------------------------------------------------------------ fd list */

/* Starts an fd entry: length placeholder, fd, inode, type. Returns the entry offset. */
static size_t fd_entry_begin(struct buf *b, u64 fd, u64 ino, u8 type)
{
	size_t at = b->len;
	buf_u32(b, 0);
	buf_u64(b, fd);
	buf_u64(b, ino);
	buf_u8(b, type);
	return at;
}

static void fd_entry_end(struct buf *b, size_t at)
{
	u32 len = (u32)(b->len - at); /* includes the length field */
	memcpy(b->data + at, &len, 4);
}

static void write_fd(struct buf *b, int pid, u64 fd, const char *target, struct sock_table *socks)
{
	char path[128], info[1024];
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/fd/%llu", pid, (unsigned long long)fd);
	int have_stat = stat(path, &st) == 0;

	if (strncmp(target, "socket:[", 8) == 0) {
		const struct sock_entry *e = find_sock(socks, strtoull(target + 8, NULL, 10));
		if (!e)
			return; /* not in any table we read: libscap leaves such fds out too */
		size_t at = fd_entry_begin(b, fd, e->ino, e->type);
		switch (e->type) {
		case SCAP_FD_IPV4_SOCK:
			buf_u32(b, e->sip[0]);
			buf_u32(b, e->dip[0]);
			buf_u16(b, e->sport);
			buf_u16(b, e->dport);
			buf_u8(b, e->l4);
			break;
		case SCAP_FD_IPV4_SERVSOCK:
			buf_u32(b, e->sip[0]);
			buf_u16(b, e->sport);
			buf_u8(b, e->l4);
			break;
		case SCAP_FD_IPV6_SOCK:
			buf_put(b, e->sip, 16);
			buf_put(b, e->dip, 16);
			buf_u16(b, e->sport);
			buf_u16(b, e->dport);
			buf_u8(b, e->l4);
			break;
		case SCAP_FD_IPV6_SERVSOCK:
			buf_put(b, e->sip, 16);
			buf_u16(b, e->sport);
			buf_u8(b, e->l4);
			break;
		case SCAP_FD_UNIX_SOCK:
			buf_u64(b, e->unix_addr);
			buf_u64(b, 0);
			buf_str16(b, e->path);
			break;
		default: /* netlink */
			buf_str16(b, "");
			break;
		}
		fd_entry_end(b, at);
		return;
	}

	if (strncmp(target, "pipe:[", 6) == 0) {
		size_t at = fd_entry_begin(b, fd, have_stat ? st.st_ino : 0, SCAP_FD_FIFO);
		buf_str16(b, "");
		fd_entry_end(b, at);
		return;
	}

	if (strncmp(target, "anon_inode:", 11) == 0) {
		const char *kind = target + 11;
		u8 type = SCAP_FD_UNSUPPORTED;
		const char *name = target;
		if (!strcmp(kind, "[eventfd]"))
			type = SCAP_FD_EVENT, name = "";
		else if (!strcmp(kind, "[signalfd]"))
			type = SCAP_FD_SIGNALFD, name = "";
		else if (!strcmp(kind, "[eventpoll]"))
			type = SCAP_FD_EVENTPOLL, name = "";
		else if (!strcmp(kind, "inotify"))
			type = SCAP_FD_INOTIFY, name = "";
		else if (!strcmp(kind, "[timerfd]"))
			type = SCAP_FD_TIMERFD, name = "";
		size_t at = fd_entry_begin(b, fd, have_stat ? st.st_ino : 0, type);
		buf_str16(b, name);
		fd_entry_end(b, at);
		return;
	}

	if (!have_stat)
		return;
	if (S_ISDIR(st.st_mode)) {
		size_t at = fd_entry_begin(b, fd, st.st_ino, SCAP_FD_DIRECTORY);
		buf_str16(b, target);
		fd_entry_end(b, at);
		return;
	}
	if (S_ISFIFO(st.st_mode)) {
		size_t at = fd_entry_begin(b, fd, st.st_ino, SCAP_FD_FIFO);
		buf_str16(b, target);
		fd_entry_end(b, at);
		return;
	}
	/* Regular files, devices, memfds: a file with its open flags and device. */
	u32 flags = 0;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%llu", pid, (unsigned long long)fd);
	ssize_t n = read_file(path, info, sizeof(info) - 1);
	if (n > 0) {
		info[n] = 0;
		const char *f = field(info, "flags:");
		if (f)
			flags = open_flags_to_ppm((u32)strtoul(f, NULL, 8));
	}
	size_t at = fd_entry_begin(b, fd, st.st_ino, SCAP_FD_FILE_V2);
	buf_u32(b, flags);
	buf_str16(b, target);
	buf_u32(b, (u32)st.st_dev); /* glibc's dev_t is already the user-visible encoding */
	fd_entry_end(b, at);
}

static void write_fd_list(struct buf *b, int pid, struct sock_table *socks)
{
	char path[64], link[4096], name[320];
	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	DIR *d = opendir(path);
	if (!d)
		return;
	size_t start = block_begin(b, SCAP_FDL_BLOCK_V2);
	buf_u64(b, (u64)pid);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(name, sizeof(name), "%s/%s", path, de->d_name);
		read_link(name, link, sizeof(link));
		if (!link[0])
			continue;
		write_fd(b, pid, strtoull(de->d_name, NULL, 10), link, socks);
	}
	closedir(d);
	block_end(b, start);
}

/* ------------------------------------------------------------------ threads */

struct thread_info {
	u64 tid, pid, ptid, sid, vpgid, pgid;
	char comm[64];
	char exe[4096];
	char exepath[4096];
	char args[4096];
	size_t args_len;
	char env[4096];
	size_t env_len;
	char cwd[4096];
	char root[4096];
	char cgroups[4096];
	size_t cgroups_len;
	u64 fdlimit;
	u32 flags, uid, gid, vmsize_kb, vmrss_kb, vmswap_kb;
	u64 pfmajor, pfminor;
	s64 vtid, vpid;
	u64 pidns_init_start_ts;
	u32 tty, loginuid;
	u8 exe_writable, exe_upper_layer, exe_from_memfd, exe_lower_layer;
	u64 cap_inh, cap_prm, cap_eff;
	u64 exe_ino, exe_ctime, exe_mtime;
};

static u64 ns_of(const struct timespec *t)
{
	return (u64)t->tv_sec * 1000000000ULL + (u64)t->tv_nsec;
}

/* /proc/<pid>/cgroup lines "id:controllers:path" as the "controller=path" entries Falco's cgroups
 * parameter uses (cgroup v1 controllers; the v2 line when it is the only one). */
static void read_cgroups(const char *dir, struct thread_info *ti)
{
	char path[4200], text[8192];
	snprintf(path, sizeof(path), "%s/cgroup", dir);
	ssize_t n = read_file(path, text, sizeof(text) - 1);
	ti->cgroups_len = 0;
	if (n <= 0)
		return;
	text[n] = 0;
	const char *v2_path = NULL;
	size_t v2_len = 0;
	int v1_entries = 0;
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2) {
			*c2 = 0;
			const char *controllers = c1 + 1, *cg = c2 + 1;
			if (!*controllers) {
				v2_path = cg;
				v2_len = strlen(cg);
			} else {
				char list[256];
				snprintf(list, sizeof(list), "%s", controllers);
				for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
					if (strncmp(tok, "name=", 5) == 0)
						continue;
					int w = snprintf(ti->cgroups + ti->cgroups_len,
							 sizeof(ti->cgroups) - ti->cgroups_len, "%s=%s", tok, cg);
					if (w < 0 || (size_t)w >= sizeof(ti->cgroups) - ti->cgroups_len)
						return;
					ti->cgroups_len += (size_t)w + 1; /* keep the NUL separator */
					v1_entries++;
				}
			}
		}
		line = next;
	}
	if (v1_entries == 0 && v2_path) {
		/* cgroup v2 only: report the unified path under the controllers Falco sends */
		static const char *const ctrls[] = {"cpuset", "cpu", "cpuacct", "io", "memory"};
		for (size_t i = 0; i < sizeof(ctrls) / sizeof(ctrls[0]); i++) {
			int w = snprintf(ti->cgroups + ti->cgroups_len, sizeof(ti->cgroups) - ti->cgroups_len,
					 "%s=%.*s", ctrls[i], (int)v2_len, v2_path);
			if (w < 0 || (size_t)w >= sizeof(ti->cgroups) - ti->cgroups_len)
				return;
			ti->cgroups_len += (size_t)w + 1;
		}
	}
}

/* Fills `ti` from /proc/<pid>/task/<tid>; returns -1 for kernel threads and vanished tasks. */
static int read_thread(int pid, int tid, struct thread_info *ti)
{
	char dir[128], path[4200], text[8192];
	memset(ti, 0, sizeof(*ti));
	snprintf(dir, sizeof(dir), "/proc/%d/task/%d", pid, tid);
	ti->tid = (u64)tid;
	ti->pid = (u64)pid;

	char cmdline[4096];
	snprintf(path, sizeof(path), "%s/cmdline", dir);
	ssize_t cl = read_file(path, cmdline, sizeof(cmdline));
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	read_link(path, ti->exepath, sizeof(ti->exepath));
	if (cl <= 0 && !ti->exepath[0])
		return -1; /* kernel thread or zombie */
	if (cl < 0)
		cl = 0;

	snprintf(path, sizeof(path), "%s/comm", dir);
	ssize_t n = read_file(path, ti->comm, sizeof(ti->comm) - 1);
	ti->comm[n > 0 ? n : 0] = 0;
	ti->comm[strcspn(ti->comm, "\n")] = 0;

	if (cl > 0) {
		size_t exe_len = strnlen(cmdline, (size_t)cl);
		snprintf(ti->exe, sizeof(ti->exe), "%.*s", (int)exe_len, cmdline);
		if ((size_t)cl > exe_len + 1) {
			ti->args_len = (size_t)cl - exe_len - 1;
			memcpy(ti->args, cmdline + exe_len + 1, ti->args_len);
		}
	} else {
		snprintf(ti->exe, sizeof(ti->exe), "%s", ti->comm);
	}

	snprintf(path, sizeof(path), "%s/environ", dir);
	n = read_file(path, ti->env, sizeof(ti->env));
	ti->env_len = n > 0 ? (size_t)n : 0;
	snprintf(path, sizeof(path), "%s/cwd", dir);
	read_link(path, ti->cwd, sizeof(ti->cwd));
	snprintf(path, sizeof(path), "%s/root", dir);
	read_link(path, ti->root, sizeof(ti->root));

	snprintf(path, sizeof(path), "%s/status", dir);
	n = read_file(path, text, sizeof(text) - 1);
	if (n <= 0)
		return -1;
	text[n] = 0;
	const char *f;
	unsigned long long a, b2;
	if ((f = field(text, "PPid:")))
		ti->ptid = strtoull(f, NULL, 10);
	if ((f = field(text, "Uid:")) && sscanf(f, "%llu %llu", &a, &b2) == 2)
		ti->uid = (u32)b2; /* effective, as libscap */
	if ((f = field(text, "Gid:")) && sscanf(f, "%llu %llu", &a, &b2) == 2)
		ti->gid = (u32)b2;
	if ((f = field(text, "VmSize:")))
		ti->vmsize_kb = (u32)strtoul(f, NULL, 10);
	if ((f = field(text, "VmRSS:")))
		ti->vmrss_kb = (u32)strtoul(f, NULL, 10);
	if ((f = field(text, "VmSwap:")))
		ti->vmswap_kb = (u32)strtoul(f, NULL, 10);
	if ((f = field(text, "CapInh:")))
		ti->cap_inh = strtoull(f, NULL, 16);
	if ((f = field(text, "CapPrm:")))
		ti->cap_prm = strtoull(f, NULL, 16);
	if ((f = field(text, "CapEff:")))
		ti->cap_eff = strtoull(f, NULL, 16);
	ti->vtid = last_number(field(text, "NSpid:"), tid);
	ti->vpid = last_number(field(text, "NStgid:"), pid);

	/* stat: pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt ... */
	snprintf(path, sizeof(path), "%s/stat", dir);
	n = read_file(path, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = 0;
		const char *p = strrchr(text, ')');
		int pgrp = 0, session = 0, tty = 0;
		unsigned long minflt = 0, majflt = 0;
		if (p && sscanf(p + 2, "%*c %*d %d %d %d %*d %*u %lu %*u %lu", &pgrp, &session, &tty, &minflt,
				&majflt) == 5) {
			ti->pgid = (u64)pgrp;
			ti->sid = (u64)session;
			ti->tty = (u32)tty;
			ti->pfminor = minflt;
			ti->pfmajor = majflt;
		}
	}
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	n = read_file(path, text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = 0;
	ti->vpgid = (u64)last_number(field(text, "NSpgid:"), (long long)ti->pgid);

	ti->fdlimit = (u64)-1;
	snprintf(path, sizeof(path), "/proc/%d/limits", pid);
	n = read_file(path, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = 0;
		const char *l = strstr(text, "Max open files");
		if (l)
			ti->fdlimit = strtoull(l + strlen("Max open files"), NULL, 10);
	}

	ti->loginuid = (u32)-1;
	snprintf(path, sizeof(path), "%s/loginuid", dir);
	n = read_file(path, text, sizeof(text) - 1);
	if (n > 0) {
		text[n] = 0;
		ti->loginuid = (u32)strtoull(text, NULL, 10);
	}

	read_cgroups(dir, ti);

	/* The start of the pid namespace's init, as libscap approximates it. */
	struct stat st;
	snprintf(path, sizeof(path), "/proc/%d/root/proc/1/cmdline", pid);
	if (stat(path, &st) == 0)
		ti->pidns_init_start_ts = ns_of(&st.st_ctim);

	ti->flags = tid == pid ? 0 : PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES;

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	if (stat(path, &st) == 0) {
		ti->exe_ino = st.st_ino;
		ti->exe_ctime = ns_of(&st.st_ctim);
		ti->exe_mtime = ns_of(&st.st_mtim);
		/* Writable by the process's user: owner, or the group/other write bits. A cheaper
		 * approximation of libscap's access check under the process's credentials. */
		ti->exe_writable = st.st_uid == ti->uid || (st.st_gid == ti->gid ? (st.st_mode & 0020) != 0
										: (st.st_mode & 0002) != 0);
	}
	ti->exe_from_memfd = strncmp(ti->exepath, "/memfd:", 7) == 0;
	return 0;
}

static void write_thread(struct buf *b, const struct thread_info *ti)
{
	size_t at = b->len;
	buf_u32(b, 0);
	buf_u64(b, ti->tid);
	buf_u64(b, ti->pid);
	buf_u64(b, ti->ptid);
	buf_u64(b, ti->sid);
	buf_u64(b, ti->vpgid);
	buf_str16(b, ti->comm);
	buf_str16(b, ti->exe);
	buf_str16(b, ti->exepath);
	buf_bytes16(b, ti->args, ti->args_len);
	buf_str16(b, ti->cwd);
	buf_u64(b, ti->fdlimit);
	buf_u32(b, ti->flags);
	buf_u32(b, ti->uid);
	buf_u32(b, ti->gid);
	buf_u32(b, ti->vmsize_kb);
	buf_u32(b, ti->vmrss_kb);
	buf_u32(b, ti->vmswap_kb);
	buf_u64(b, ti->pfmajor);
	buf_u64(b, ti->pfminor);
	buf_bytes16(b, ti->env, ti->env_len);
	buf_u64(b, (u64)ti->vtid);
	buf_u64(b, (u64)ti->vpid);
	buf_bytes16(b, ti->cgroups, ti->cgroups_len);
	buf_str16(b, ti->root);
	/* fields appended after PL v9 was introduced, read when the entry is long enough */
	buf_u64(b, ti->pidns_init_start_ts);
	buf_u32(b, ti->tty);
	buf_u32(b, ti->loginuid);
	buf_u8(b, ti->exe_writable);
	buf_u64(b, ti->cap_inh);
	buf_u64(b, ti->cap_prm);
	buf_u64(b, ti->cap_eff);
	buf_u8(b, ti->exe_upper_layer);
	buf_u64(b, ti->exe_ino);
	buf_u64(b, ti->exe_ctime);
	buf_u64(b, ti->exe_mtime);
	buf_u8(b, ti->exe_from_memfd);
	buf_u8(b, ti->exe_lower_layer);
	buf_u64(b, ti->pgid);
	u32 len = (u32)(b->len - at); /* includes the length field */
	memcpy(b->data + at, &len, 4);
}

static int numeric(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int write_process_tables(struct buf *b, const char *root)
{
	(void)root;
	DIR *proc = opendir("/proc");
	if (!proc)
		return -1;
	struct thread_info *ti = malloc(sizeof(*ti));
	int *pids = NULL;
	size_t npids = 0, cap = 0;
	int threads = 0;
	if (!ti) {
		closedir(proc);
		return -1;
	}

	size_t start = block_begin(b, SCAP_PL_BLOCK_V9);
	struct dirent *de;
	while ((de = readdir(proc))) {
		if (!numeric(de->d_name))
			continue;
		int pid = atoi(de->d_name);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/task", pid);
		DIR *tasks = opendir(path);
		if (!tasks)
			continue;
		int listed = 0;
		struct dirent *te;
		while ((te = readdir(tasks))) {
			if (!numeric(te->d_name))
				continue;
			if (read_thread(pid, atoi(te->d_name), ti) == 0) {
				write_thread(b, ti);
				threads++;
				listed = 1;
			}
		}
		closedir(tasks);
		if (listed) {
			if (npids == cap) {
				cap = cap ? cap * 2 : 256;
				int *np = realloc(pids, cap * sizeof(int));
				if (!np)
					break;
				pids = np;
			}
			pids[npids++] = pid;
		}
	}
	closedir(proc);
	block_end(b, start);

	for (size_t i = 0; i < npids; i++)
		write_fd_list(b, pids[i], sockets_of(pids[i]));

	free_sock_tables();
	free(pids);
	free(ti);
	return threads;
}
