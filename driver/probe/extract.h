/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading kernel state for event parameters: syscall arguments, the task's identity and resources,
 * file descriptors, sockets, paths rebuilt from dentries, cgroup paths.
 */
#pragma once

#include "event.h"
#include "ppm.h"

#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFLNK 0120000

/* ---------------------------------------------------------------- BTF pointers */

/* Turns a kernel pointer obtained as a plain value (from a probe read) back into a typed BTF
 * pointer, so its members can be read with direct loads instead of one helper call each
 * (an order of magnitude cheaper). The result is read-only and "untrusted": a bad pointer reads
 * as zeros, never faults. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define AS_BTF(ptr, type) ((type *)bpf_rdonly_cast((ptr), bpf_core_type_id_kernel(type)))

/* ---------------------------------------------------------------- syscall context */

/* Context of a `syscalls/sys_exit_*` tracepoint (the layout of its format file). */
struct sys_exit_ctx {
	u64 common;
	s32 nr;
	s32 pad;
	s64 ret;
};

/* The registers the task entered the kernel with: the syscall's arguments. */
static __always_inline struct pt_regs *task_regs(struct task_struct *t)
{
	return (struct pt_regs *)bpf_task_pt_regs(t);
}

/* Syscall argument i (0-based) as user space passed it (x86_64 calling convention). */
static __always_inline unsigned long syscall_arg(struct pt_regs *regs, int i)
{
	/* regs is a BTF pointer: direct loads, no helper call */
	switch (i) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	case 5: return regs->r9;
	default: return 0;
	}
}

/* A directory fd argument as Falco reports it (AT_FDCWD becomes PPM_AT_FDCWD). */
static __always_inline s64 dirfd_arg(struct pt_regs *regs, int i)
{
	s32 fd = (s32)syscall_arg(regs, i);
	return fd == AT_FDCWD ? PPM_AT_FDCWD : fd;
}

static __always_inline u16 bswap16(u16 v)
{
	return __builtin_bswap16(v);
}

/* Linux's user-visible device number encoding (new_encode_dev) of an internal dev_t. */
static __always_inline u32 encode_dev(dev_t dev)
{
	u32 major = dev >> MINORBITS;
	u32 minor = dev & MINORMASK;
	return (minor & 0xff) | (major << 8) | ((minor & ~0xffU) << 12);
}

/* ---------------------------------------------------------------- task */

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task_btf();
}

/* The pid of `p` as seen from its own pid namespace (its innermost number). */
static __always_inline pid_t pid_in_own_ns(struct pid *p)
{
	if (!p)
		return 0;
	unsigned int level = BPF_CORE_READ(p, level);
	return BPF_CORE_READ(p, numbers[level & 31].nr);
}

static __always_inline pid_t task_vtid(struct task_struct *t)
{
	return pid_in_own_ns(BPF_CORE_READ(t, thread_pid));
}

static __always_inline pid_t task_vpid(struct task_struct *t)
{
	return pid_in_own_ns(BPF_CORE_READ(t, signal, pids[PIDTYPE_TGID]));
}

static __always_inline pid_t task_pgid(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]);
	return p ? BPF_CORE_READ(p, numbers[0].nr) : 0;
}

static __always_inline pid_t task_vpgid(struct task_struct *t)
{
	return pid_in_own_ns(BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]));
}

static __always_inline u32 task_pidns_level(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	return p ? BPF_CORE_READ(p, level) : 0;
}

static __always_inline u64 task_cap(struct task_struct *t, int which)
{
	const struct cred *c = BPF_CORE_READ(t, cred);
	kernel_cap_t cap = {};
	if (which == 0)
		BPF_CORE_READ_INTO(&cap, c, cap_inheritable);
	else if (which == 1)
		BPF_CORE_READ_INTO(&cap, c, cap_permitted);
	else
		BPF_CORE_READ_INTO(&cap, c, cap_effective);
	if (bpf_core_field_exists(((struct kernel_cap_struct___old *)0)->cap)) {
		struct kernel_cap_struct___old *old = (void *)&cap;
		return ((u64)old->cap[1] << 32) | old->cap[0];
	}
	return cap.val;
}

static __always_inline u32 task_loginuid(struct task_struct *t)
{
	if (bpf_core_field_exists(t->loginuid))
		return BPF_CORE_READ(t, loginuid.val);
	return (u32)-1;
}

static __always_inline u32 task_tty(struct task_struct *t)
{
	struct tty_struct *tty = BPF_CORE_READ(t, signal, tty);
	if (!tty)
		return 0;
	struct tty_driver *drv = BPF_CORE_READ(tty, driver);
	if (!drv)
		return 0;
	int major = BPF_CORE_READ(drv, major);
	int minor = BPF_CORE_READ(drv, minor_start) + BPF_CORE_READ(tty, index);
	return encode_dev(((u32)major << MINORBITS) | (u32)minor);
}

/* Resident set in KiB: file + anon + shmem pages (rss_stat indexes 0, 1, 3). */
static __always_inline u32 mm_rss_kb(struct mm_struct *mm)
{
	s64 pages = BPF_CORE_READ(mm, rss_stat[0].count) + BPF_CORE_READ(mm, rss_stat[1].count) +
		    BPF_CORE_READ(mm, rss_stat[3].count);
	return pages > 0 ? (u32)(pages << 2) : 0;
}

static __always_inline u32 mm_swap_kb(struct mm_struct *mm)
{
	s64 pages = BPF_CORE_READ(mm, rss_stat[2].count);
	return pages > 0 ? (u32)(pages << 2) : 0;
}

/* ---------------------------------------------------------------- files */

static __always_inline struct file *task_fd_file(struct task_struct *t, s64 fd)
{
	if (fd < 0)
		return NULL;
	/* t is a BTF pointer: the member loads below are direct (no helper call); only indexing
	 * the fd array needs a probe read. */
	struct fdtable *fdt = t->files->fdt;
	if (!fdt || (u64)fd >= fdt->max_fds)
		return NULL;
	struct file **arr = fdt->fd;
	struct file *f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &arr[fd]);
	return f;
}

static __always_inline enum ppm_overlay file_overlay_layer(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	if (BPF_CORE_READ(d, d_sb, s_magic) != OVERLAYFS_SUPER_MAGIC)
		return PPM_NOT_OVERLAY_FS;
	/* An overlayfs inode is followed in memory by its overlay entry, whose first member points
	 * to the upper dentry (NULL when the file only exists in a lower layer). */
	char *inode = (char *)BPF_CORE_READ(d, d_inode);
	unsigned long size = bpf_core_type_size(struct inode);
	struct dentry *upper = NULL;
	bpf_probe_read_kernel(&upper, sizeof(upper), inode + size);
	if (upper && BPF_CORE_READ(upper, d_inode, i_ino) != 0)
		return PPM_OVERLAY_UPPER;
	return PPM_OVERLAY_LOWER;
}

struct file_id {
	u32 dev;
	u64 ino;
	u32 open_flags; /* PPM_O_F_CREATED, PPM_FD_*_LAYER */
};

static __always_inline void file_identity(struct task_struct *t, s64 fd, struct file_id *id)
{
	struct file *f = task_fd_file(t, fd);
	if (!f)
		return;
	struct file *file = AS_BTF(f, struct file);
	struct inode *ino = file->f_inode;
	struct super_block *sb = ino->i_sb;
	id->dev = encode_dev(sb->s_dev);
	id->ino = ino->i_ino;
	if (file->f_mode & FMODE_CREATED)
		id->open_flags |= PPM_O_F_CREATED;
	if (sb->s_magic == OVERLAYFS_SUPER_MAGIC) {
		enum ppm_overlay ol = file_overlay_layer(f);
		if (ol == PPM_OVERLAY_UPPER)
			id->open_flags |= PPM_FD_UPPER_LAYER;
		else if (ol == PPM_OVERLAY_LOWER)
			id->open_flags |= PPM_FD_LOWER_LAYER;
	}
}

static __always_inline u64 inode_time_ns(struct inode *inode, bool ctime)
{
	s64 sec = 0;
	u64 nsec = 0;
	if (bpf_core_field_exists(inode->i_ctime_sec)) {
		sec = ctime ? BPF_CORE_READ(inode, i_ctime_sec) : BPF_CORE_READ(inode, i_mtime_sec);
		nsec = ctime ? BPF_CORE_READ(inode, i_ctime_nsec) : BPF_CORE_READ(inode, i_mtime_nsec);
	} else if (bpf_core_field_exists(((struct inode___v6_6 *)0)->__i_ctime)) {
		struct inode___v6_6 *i = (void *)inode;
		sec = ctime ? BPF_CORE_READ(i, __i_ctime.tv_sec) : BPF_CORE_READ(i, __i_mtime.tv_sec);
		nsec = ctime ? BPF_CORE_READ(i, __i_ctime.tv_nsec) : BPF_CORE_READ(i, __i_mtime.tv_nsec);
	} else {
		struct inode___old *i = (void *)inode;
		sec = ctime ? BPF_CORE_READ(i, i_ctime.tv_sec) : BPF_CORE_READ(i, i_mtime.tv_sec);
		nsec = ctime ? BPF_CORE_READ(i, i_ctime.tv_nsec) : BPF_CORE_READ(i, i_mtime.tv_nsec);
	}
	return sec < 0 ? 0 : (u64)sec * 1000000000ULL + nsec;
}

/* Whether the task could write its executable: a simplified permission check (owner, group,
 * other bits, CAP_DAC_OVERRIDE), enough for Falco's proc.is_exe_writable. */
static __always_inline bool exe_writable(struct task_struct *t, struct inode *inode)
{
	umode_t mode = BPF_CORE_READ(inode, i_mode);
	if (BPF_CORE_READ(inode, i_sb, s_flags) & SB_RDONLY)
		return false;
	if (BPF_CORE_READ(inode, i_flags) & S_IMMUTABLE)
		return false;
	u32 iuid = BPF_CORE_READ(inode, i_uid.val);
	u32 igid = BPF_CORE_READ(inode, i_gid.val);
	u32 fsuid = BPF_CORE_READ(t, cred, fsuid.val);
	u32 fsgid = BPF_CORE_READ(t, cred, fsgid.val);
	if (fsuid == iuid)
		return true;
	if (fsgid == igid ? (mode & 0020) : (mode & 0002))
		return true;
	u64 eff = task_cap(t, 2);
	return (eff & (1ULL << 1)) != 0; /* CAP_DAC_OVERRIDE */
}

static __always_inline bool file_is_memfd(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	if (!d || BPF_CORE_READ(d, d_parent) != d)
		return false;
	char name[7] = {};
	bpf_probe_read_kernel_str(name, sizeof(name), BPF_CORE_READ(d, d_name.name));
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' && name[4] == 'd' &&
	       name[5] == ':';
}

/* ---------------------------------------------------------------- paths from dentries */

struct path_walk {
	struct dentry *dentry;
	struct dentry *mnt_root;
	struct mount *mnt;
	struct dentry *root_dentry;   /* the task's root (chroot) */
	struct vfsmount *root_mnt;
	struct scratch *s;
};

/* One step towards the root: prepend "/<name>" of the current dentry, or cross to the parent mount
 * when at the root of a mount. Returns 1 to stop. */
static long path_walk_step(u32 i, void *ctx)
{
	struct path_walk *w = ctx;
	struct dentry *d = w->dentry;
	struct mount *m = w->mnt;

	if (d == w->root_dentry && (void *)&m->mnt == (void *)w->root_mnt)
		return 1;
	struct dentry *parent = BPF_CORE_READ(d, d_parent);
	bool last = false;
	if (d == w->mnt_root || d == parent) {
		if (d != w->mnt_root) {
			/* The root of a pseudo filesystem (a memfd, an anonymous inode): its own name is
			 * the whole path, as d_path shows it ("/memfd:name"). */
			last = true;
			goto component;
		}
		struct mount *up = BPF_CORE_READ(m, mnt_parent);
		if (up == m)
			return 1; /* root of the mount namespace */
		w->dentry = BPF_CORE_READ(m, mnt_mountpoint);
		w->mnt = up;
		w->mnt_root = BPF_CORE_READ(up, mnt.mnt_root);
		return 0;
	}
component:;
	u32 len = BPF_CORE_READ(d, d_name.len);
	const unsigned char *name = BPF_CORE_READ(d, d_name.name);
	struct scratch *s = w->s;
	u64 pos = s->walk;
	if (len > 255)
		len = 255;
	if (pos < len + 1 || pos > PATH_TMP)
		return 1; /* longer than PATH_MAX: keep the tail we have */
	pos -= len;
	bpf_probe_read_kernel(&s->tmp[pos & PATH_TMP_MASK], len & 255, name);
	pos -= 1;
	s->tmp[pos & PATH_TMP_MASK] = '/';
	s->walk = pos;
	w->dentry = parent;
	return last ? 1 : 0;
}

/* Appends the absolute path of `p` (relative to the task's root) as a string parameter. */
static __always_inline void put_path(struct scratch *s, struct task_struct *t, struct path *p)
{
	struct path_walk w = {};
	struct vfsmount *vfs = BPF_CORE_READ(p, mnt);
	w.dentry = BPF_CORE_READ(p, dentry);
	if (!w.dentry || !vfs) {
		put_empty(s);
		return;
	}
	w.mnt = (struct mount *)((char *)vfs - bpf_core_field_offset(struct mount, mnt));
	w.mnt_root = BPF_CORE_READ(vfs, mnt_root);
	w.root_dentry = BPF_CORE_READ(t, fs, root.dentry);
	w.root_mnt = BPF_CORE_READ(t, fs, root.mnt);
	w.s = s;
	s->walk = PATH_TMP;
	bpf_loop(128, path_walk_step, &w, 0);

	u64 start = s->walk;
	u32 n;
	if (start >= PATH_TMP) {
		s->data[s->pos & DATA_MASK] = '/';
		n = 1;
	} else {
		n = PATH_TMP - start;
		bpf_probe_read_kernel(&s->data[s->pos & DATA_MASK], n & PATH_TMP_MASK,
				      &s->tmp[start & PATH_TMP_MASK]);
	}
	s->data[(s->pos + n) & DATA_MASK] = 0;
	n += 1;
	s->pos += n;
	put_len(s, n);
}

/* ---------------------------------------------------------------- cgroups */

#define CGROUP_DEPTH 10

/* "<subsystem>=<path>\0" for one controller; returns the bytes written. */
static __always_inline u32 raw_cgroup(struct scratch *s, struct task_struct *t, int id)
{
	struct cgroup_subsys_state *css = BPF_CORE_READ(t, cgroups, subsys[id & 15]);
	if (!css)
		return 0;
	const char *ss_name = BPF_CORE_READ(css, ss, name);
	long n = bpf_probe_read_kernel_str(&s->data[s->pos & DATA_MASK], 32, ss_name);
	if (n <= 1)
		return 0;
	u32 written = n;
	s->pos += n - 1;
	raw_u8(s, '='); /* replaces the NUL */

	const char *names[CGROUP_DEPTH] = {};
	struct kernfs_node *kn = BPF_CORE_READ(css, cgroup, kn);
	int depth = 0;
#pragma unroll
	for (int i = 0; i < CGROUP_DEPTH; i++) {
		if (!kn)
			break;
		struct kernfs_node *parent;
		if (bpf_core_field_exists(kn->__parent))
			parent = BPF_CORE_READ(kn, __parent);
		else
			parent = (struct kernfs_node *)BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
		if (!parent)
			break; /* the root node: its name is empty */
		names[i] = BPF_CORE_READ(kn, name);
		depth = i + 1;
		kn = parent;
	}
	if (depth == 0) {
		raw_u8(s, '/');
		written += 1;
	}
	for (int i = CGROUP_DEPTH - 1; i >= 0; i--) {
		if (i < depth) {
			raw_u8(s, '/');
			long m = bpf_probe_read_kernel_str(&s->data[s->pos & DATA_MASK], 256, names[i]);
			if (m < 1)
				m = 1;
			s->pos += m - 1;
			written += m;
		}
	}
	raw_u8(s, 0);
	return written + 1;
}

/* The cgroups parameter: the cpuset, cpu, cpuacct, io and memory controllers, as Falco sends them. */
static __always_inline void put_cgroups(struct scratch *s, struct task_struct *t)
{
	u32 total = 0;
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuset_cgrp_id))
		total += raw_cgroup(s, t, bpf_core_enum_value(enum cgroup_subsys_id, cpuset_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id))
		total += raw_cgroup(s, t, bpf_core_enum_value(enum cgroup_subsys_id, cpu_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, cpuacct_cgrp_id))
		total += raw_cgroup(s, t, bpf_core_enum_value(enum cgroup_subsys_id, cpuacct_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		total += raw_cgroup(s, t, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id));
	if (bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		total += raw_cgroup(s, t, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	put_len(s, total);
}

/* ---------------------------------------------------------------- sockets */

static __always_inline struct sock *file_sock(struct file *f)
{
	if (!f)
		return NULL;
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

enum { OUTBOUND, INBOUND };

/* PT_SOCKTUPLE of a socket fd: family, then source and destination as Falco orders them
 * (outbound: local is the source; inbound: remote is the source). For unconnected datagram
 * sockets the remote end comes from the user-supplied address. */
static __always_inline void put_socktuple(struct scratch *s, struct task_struct *t, s64 fd, int dir,
					  void *user_addr)
{
	struct sock *sk = file_sock(task_fd_file(t, fd));
	if (!sk) {
		put_empty(s);
		return;
	}
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	u64 start = s->pos;
	if (family == AF_INET) {
		struct inet_sock *inet = (struct inet_sock *)sk;
		u32 lip = BPF_CORE_READ(inet, inet_saddr);
		u16 lport = bswap16(BPF_CORE_READ(inet, inet_sport));
		u32 rip = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		u16 rport = bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && user_addr) {
			u8 sa[8] = {};
			bpf_probe_read_user(sa, sizeof(sa), user_addr);
			rport = ((u16)sa[2] << 8) | sa[3];
			rip = *(u32 *)&sa[4];
		}
		raw_u8(s, family_to_ppm(family));
		if (dir == OUTBOUND) {
			raw_u32(s, lip); raw_u16(s, lport); raw_u32(s, rip); raw_u16(s, rport);
		} else {
			raw_u32(s, rip); raw_u16(s, rport); raw_u32(s, lip); raw_u16(s, lport);
		}
	} else if (family == AF_INET6) {
		struct inet_sock *inet = (struct inet_sock *)sk;
		u8 lip[16] = {}, rip[16] = {};
		BPF_CORE_READ_INTO(&lip, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&rip, sk, __sk_common.skc_v6_daddr);
		u16 lport = bswap16(BPF_CORE_READ(inet, inet_sport));
		u16 rport = bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
		if (rport == 0 && user_addr) {
			u8 sa[24] = {};
			bpf_probe_read_user(sa, sizeof(sa), user_addr);
			rport = ((u16)sa[2] << 8) | sa[3];
			__builtin_memcpy(rip, &sa[8], 16);
		}
		raw_u8(s, family_to_ppm(family));
		u8 *p = &s->data[s->pos & DATA_MASK];
		if (dir == OUTBOUND) {
			__builtin_memcpy(p, lip, 16); *(u16 *)(p + 16) = lport;
			__builtin_memcpy(p + 18, rip, 16); *(u16 *)(p + 34) = rport;
		} else {
			__builtin_memcpy(p, rip, 16); *(u16 *)(p + 16) = rport;
			__builtin_memcpy(p + 18, lip, 16); *(u16 *)(p + 34) = lport;
		}
		s->pos += 36;
	} else if (family == AF_UNIX) {
		struct unix_sock *local = (struct unix_sock *)sk;
		struct unix_sock *peer = (struct unix_sock *)BPF_CORE_READ(local, peer);
		const char *path = NULL;
		raw_u8(s, family_to_ppm(family));
		if (dir == OUTBOUND) {
			raw_u64(s, (u64)peer);
			raw_u64(s, (u64)local);
			if (!peer && user_addr)
				path = (const char *)user_addr + 2;
			else if (peer)
				path = (const char *)BPF_CORE_READ(peer, addr) +
				       bpf_core_field_offset(struct unix_address, name) + 2;
		} else {
			raw_u64(s, (u64)local);
			raw_u64(s, (u64)peer);
			path = (const char *)BPF_CORE_READ(local, addr) +
			       bpf_core_field_offset(struct unix_address, name) + 2;
		}
		char first = 0;
		long n = 0;
		if (path == (const char *)user_addr + 2 && user_addr) {
			bpf_probe_read_user(&first, 1, path);
			n = bpf_probe_read_user_str(&s->data[s->pos & DATA_MASK], 109, path + (first == 0));
		} else if (path && (u64)path > 4096) {
			bpf_probe_read_kernel(&first, 1, path);
			n = bpf_probe_read_kernel_str(&s->data[s->pos & DATA_MASK], 109, path + (first == 0));
		}
		if (n <= 0) {
			s->data[s->pos & DATA_MASK] = 0;
			n = 1;
		}
		s->pos += n;
	} else {
		put_empty(s);
		return;
	}
	put_len(s, s->pos - start);
}

/* PT_SOCKADDR from a user-supplied struct sockaddr. */
static __always_inline void put_sockaddr(struct scratch *s, const void *user_addr, u32 addrlen)
{
	u8 sa[64] = {};
	u32 n = addrlen > 32 ? 32 : addrlen; /* sockaddr_in6 is 28 bytes; a path is read separately */
	asm volatile("" : "+r"(n));          /* hide the range from the compiler, so the mask stays */
	n &= 63;                             /* and the verifier sees a bounded size */
	if (!user_addr || n < 2 || bpf_probe_read_user(sa, n, user_addr)) {
		put_empty(s);
		return;
	}
	u16 family = *(u16 *)sa;
	u64 start = s->pos;
	if (family == AF_INET) {
		raw_u8(s, AF_INET);
		raw_u32(s, *(u32 *)&sa[4]);
		raw_u16(s, ((u16)sa[2] << 8) | sa[3]);
	} else if (family == AF_INET6) {
		raw_u8(s, AF_INET6);
		__builtin_memcpy(&s->data[s->pos & DATA_MASK], &sa[8], 16);
		s->pos += 16;
		raw_u16(s, ((u16)sa[2] << 8) | sa[3]);
	} else if (family == AF_UNIX) {
		raw_u8(s, AF_UNIX);
		const char *path = (const char *)user_addr + 2;
		long n = bpf_probe_read_user_str(&s->data[s->pos & DATA_MASK], 109, path + (sa[2] == 0));
		if (n <= 0) {
			s->data[s->pos & DATA_MASK] = 0;
			n = 1;
		}
		s->pos += n;
	} else {
		put_empty(s);
		return;
	}
	put_len(s, s->pos - start);
}
