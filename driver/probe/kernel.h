/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel types the probe reads, declared by hand for CO-RE.
 *
 * Only the members the probe touches are declared. Every access is relocated by libbpf against the
 * running kernel's BTF (/sys/kernel/btf/vmlinux) at load time: members are matched by name, so their
 * offsets here are irrelevant, and members that live inside anonymous structs or unions in the
 * kernel are found there. Types named `foo___suffix` are "flavors": alternative layouts of `foo`
 * for other kernel versions, picked with bpf_core_field_exists().
 *
 * Declaring the few members we need (instead of including a generated vmlinux.h) keeps the build
 * independent of the build machine's kernel.
 */
#pragma once

#include <linux/types.h>
#include <linux/bpf.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef int pid_t;
typedef _Bool bool;
typedef u32 dev_t;
typedef unsigned short umode_t;
typedef long long time64_t;
#define true 1
#define false 0
#define NULL ((void *)0)

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct pt_regs {
	unsigned long r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax;
};

struct list_head {
	struct list_head *next, *prev;
};

typedef struct { u32 val; } kuid_t;
typedef struct { u32 val; } kgid_t;
/* Since 6.3 a single u64; before, u32 cap[2] (flavor below). */
typedef struct kernel_cap_struct { u64 val; } kernel_cap_t;
struct kernel_cap_struct___old { u32 cap[2]; };

struct qstr {
	u32 len;
	const unsigned char *name;
};

struct super_block {
	dev_t s_dev;
	unsigned long s_flags;
	unsigned long s_magic;
};

struct timespec64 {
	time64_t tv_sec;
	long tv_nsec;
};

struct inode {
	umode_t i_mode;
	kuid_t i_uid;
	kgid_t i_gid;
	unsigned int i_flags;
	unsigned long i_ino;
	struct super_block *i_sb;
	/* 6.11+: split second/nanosecond members */
	time64_t i_mtime_sec;
	time64_t i_ctime_sec;
	u32 i_mtime_nsec;
	u32 i_ctime_nsec;
};
/* 6.6 - 6.10: timespec64 members with leading underscores */
struct inode___v6_6 {
	struct timespec64 __i_mtime;
	struct timespec64 __i_ctime;
};
/* before 6.6 */
struct inode___old {
	struct timespec64 i_mtime;
	struct timespec64 i_ctime;
};

struct dentry {
	struct dentry *d_parent;
	struct qstr d_name;
	struct inode *d_inode;
	struct super_block *d_sb;
};

struct vfsmount {
	struct dentry *mnt_root;
	struct super_block *mnt_sb;
};

struct mount {
	struct mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
};

struct path {
	struct vfsmount *mnt;
	struct dentry *dentry;
};

struct file {
	struct path f_path;
	struct inode *f_inode;
	unsigned int f_flags;
	unsigned int f_mode;
	void *private_data;
};

struct fdtable {
	unsigned int max_fds;
	struct file **fd;
};

struct files_struct {
	struct fdtable *fdt;
};

struct fs_struct {
	struct path root;
	struct path pwd;
};

struct percpu_counter {
	s64 count;
};

struct mm_struct {
	unsigned long arg_start, arg_end, env_start, env_end;
	unsigned long total_vm;
	struct file *exe_file;
	struct percpu_counter rss_stat[4];
};

struct user_namespace;

struct cred {
	kuid_t uid, euid, fsuid;
	kgid_t gid, egid, fsgid;
	kernel_cap_t cap_inheritable, cap_permitted, cap_effective;
	struct user_namespace *user_ns;
};

struct kernfs_node {
	struct kernfs_node *__parent; /* 6.15+ */
	const char *name;
};
struct kernfs_node___old {
	struct kernfs_node___old *parent;
};

struct cgroup {
	struct kernfs_node *kn;
};

struct cgroup_subsys {
	const char *name;
};

struct cgroup_subsys_state {
	struct cgroup *cgroup;
	struct cgroup_subsys *ss;
};

struct css_set {
	struct cgroup_subsys_state *subsys[14];
	struct cgroup *dfl_cgrp;
};

enum cgroup_subsys_id {
	cpuset_cgrp_id,
	cpu_cgrp_id,
	cpuacct_cgrp_id,
	io_cgrp_id,
	memory_cgrp_id,
};

struct task_struct;

struct pid_namespace {
	unsigned int level;
	struct task_struct *child_reaper;
};

struct upid {
	int nr;
	struct pid_namespace *ns;
};

struct pid {
	unsigned int level;
	struct upid numbers[1];
};

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
};

struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};

struct tty_driver {
	int major;
	int minor_start;
};

struct tty_struct {
	struct tty_driver *driver;
	int index;
};

struct signal_struct {
	struct pid *pids[4];
	struct rlimit rlim[16];
	struct tty_struct *tty;
};

struct nsproxy {
	struct pid_namespace *pid_ns_for_children;
};

struct task_struct {
	unsigned int flags;
	pid_t pid;
	pid_t tgid;
	struct task_struct *real_parent;
	struct task_struct *group_leader;
	struct list_head children;
	struct pid *thread_pid;
	const struct cred *cred;
	kuid_t loginuid;
	struct mm_struct *mm;
	struct fs_struct *fs;
	struct files_struct *files;
	struct signal_struct *signal;
	struct nsproxy *nsproxy;
	struct css_set *cgroups;
	int exit_code;
	u64 start_time;
	unsigned long min_flt;
	unsigned long maj_flt;
	char comm[16];
};

struct linux_binprm {
	struct file *file;
	const char *filename;
};

/* Networking */
struct in6_addr {
	u8 s6_addr[16];
};

struct sock_common {
	u32 skc_daddr;
	u32 skc_rcv_saddr;
	u16 skc_dport;
	u16 skc_num;
	unsigned short skc_family;
	struct in6_addr skc_v6_daddr;
	struct in6_addr skc_v6_rcv_saddr;
};

struct sock {
	struct sock_common __sk_common;
	u32 sk_ack_backlog;
	u32 sk_max_ack_backlog;
	u16 sk_type;
	u16 sk_protocol;
};

struct ipv6_pinfo {
	struct in6_addr saddr;
};

struct inet_sock {
	struct sock sk;
	struct ipv6_pinfo *pinet6;
	u32 inet_saddr;
	u16 inet_sport;
};

struct sockaddr_un_k {
	unsigned short sun_family;
	char sun_path[108];
};

struct unix_address {
	int len;
	struct sockaddr_un_k name[1];
};

struct unix_sock {
	struct sock sk;
	struct unix_address *addr;
	struct sock *peer;
};

struct socket {
	short type;
	struct file *file;
	struct sock *sk;
};

#pragma clang attribute pop

/* Kernel constants (stable ABI values). */
#define PF_KTHREAD 0x00200000
#define FMODE_CREATED 0x100000
#define SB_RDONLY 1
#define S_IMMUTABLE 8
#define OVERLAYFS_SUPER_MAGIC 0x794c7630
#define SOCKFS_MAGIC 0x534F434B
#define AT_FDCWD -100
#define MINORBITS 20
#define MINORMASK ((1U << MINORBITS) - 1)
#define RLIMIT_NOFILE 7
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define EINPROGRESS 115
