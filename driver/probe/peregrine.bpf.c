// SPDX-License-Identifier: GPL-2.0
/*
 * Peregrine's capture probe.
 *
 * Syscalls are captured at their exit through the per-syscall tracepoints
 * `syscalls/sys_exit_<name>`: the loader attaches a handler program only to the tracepoints of
 * the syscalls the loaded rules and state tracking need, so every other syscall runs no BPF code
 * at all. Each handler program serves a family of syscalls and tells them apart by the syscall
 * number in the tracepoint context; it reads the arguments from the task's saved registers.
 *
 * Process lifecycle also uses scheduler tracepoints, which cost nothing on the syscall path:
 * `sched_process_exec` for successful execve/execveat (the new image is in place there) and
 * `sched_process_exit` for procexit.
 *
 * Every event is an exit event of Falco's event table with its parameters in table order (see
 * ppm.h for the codes), written as a ready-to-store scap EV block (event.h).
 */
#include "extract.h"

char LICENSE[] SEC("license") = "GPL";

/* Generic events carry the ppm_sc code of the syscall; the loader fills this table (x86_64 syscall
 * number -> ppm_sc code) from the shared syscall table. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 512);
	__type(key, u32);
	__type(value, u16);
} ppm_sc_of_syscall SEC(".maps");

/* ======================================================================= process events */

/* exe (argv[0]) and args (the rest of argv, NUL separated) from the task's argument area. */
static __always_inline void put_exe_and_args(struct scratch *s, struct task_struct *t)
{
	unsigned long start = BPF_CORE_READ(t, mm, arg_start);
	unsigned long end = BPF_CORE_READ(t, mm, arg_end);
	u16 exe_len = put_user_str(s, (const void *)start);
	if (end > start + exe_len) {
		u64 len = end - start - exe_len;
		if (len > ARGS_MAX - exe_len)
			len = ARGS_MAX - exe_len;
		put_user_bytes(s, (const void *)(start + exe_len), len);
	} else {
		put_empty(s);
	}
}

static __always_inline void put_env(struct scratch *s, struct task_struct *t)
{
	unsigned long start = BPF_CORE_READ(t, mm, env_start);
	unsigned long end = BPF_CORE_READ(t, mm, env_end);
	put_user_bytes(s, (const void *)start, end > start ? end - start : 0);
}

/* A NULL-terminated array of user strings (argv/envp of a failed execve) as one NUL-separated
 * buffer; the first string alone when `first_only`, the rest when `skip_first`. */
static __always_inline u32 raw_user_string_array(struct scratch *s, const char *const *array,
						 int skip_first, u32 limit)
{
	u32 total = 0;
#pragma unroll
	for (int i = 0; i < 24; i++) {
		if (i < skip_first)
			continue;
		const char *str = NULL;
		if (bpf_probe_read_user(&str, sizeof(str), &array[i]) || !str)
			break;
		if (total >= limit)
			break;
		long n = bpf_probe_read_user_str(&s->data[s->pos & DATA_MASK], STR_MAX, str);
		if (n <= 0)
			break;
		s->pos += n;
		total += n;
	}
	return total;
}

/* Parameters 4-14 shared by clone and execve exit events:
 * tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size, vm_rss, vm_swap, comm. */
static __always_inline void put_task_identity(struct scratch *s, struct task_struct *t, bool with_cwd)
{
	put_s64(s, BPF_CORE_READ(t, pid));
	put_s64(s, BPF_CORE_READ(t, tgid));
	put_s64(s, BPF_CORE_READ(t, real_parent, pid));
	if (with_cwd)
		put_path(s, t, &t->fs->pwd);
	else
		put_empty(s); /* libsinsp inherits the parent's cwd on clone */
	put_u64(s, BPF_CORE_READ(t, signal, rlim[RLIMIT_NOFILE].rlim_cur));
	put_u64(s, BPF_CORE_READ(t, maj_flt));
	put_u64(s, BPF_CORE_READ(t, min_flt));
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	put_u32(s, mm ? (u32)(BPF_CORE_READ(mm, total_vm) << 2) : 0);
	put_u32(s, mm ? mm_rss_kb(mm) : 0);
	put_u32(s, mm ? mm_swap_kb(mm) : 0);
	put_kernel_str(s, t->comm);
}

static __always_inline int on_clone(struct sys_exit_ctx *ctx, long nr, struct task_struct *t, u32 tid)
{
	long ret = ctx->ret;
	u16 type = nr == NR_clone ? PPME_SYSCALL_CLONE_20_X :
		   nr == NR_clone3 ? PPME_SYSCALL_CLONE3_X :
		   nr == NR_fork ? PPME_SYSCALL_FORK_20_X : PPME_SYSCALL_VFORK_20_X;
	struct scratch *s = event_begin(type, 21);
	if (!s)
		return 0;
	struct pt_regs *regs = task_regs(t);

	put_s64(s, ret);                       /* res: child tid in the parent, 0 in the child */
	if (ret >= 0) {
		put_exe_and_args(s, t);
	} else {
		put_empty(s);
		put_empty(s);
	}
	put_task_identity(s, t, false);
	put_cgroups(s, t);

	unsigned long raw_flags = 0;
	if (nr == NR_clone)
		raw_flags = syscall_arg(regs, 0);
	else if (nr == NR_clone3)
		bpf_probe_read_user(&raw_flags, sizeof(raw_flags), (void *)syscall_arg(regs, 0));
	u32 flags = clone_flags_to_ppm(raw_flags);
	/* Child in another pid namespace: the task's own namespace is nested (child side) or the
	 * namespace for its children differs from its own (parent side). */
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct pid_namespace *own = BPF_CORE_READ(p, numbers[level & 31].ns);
	if (level != 0 || BPF_CORE_READ(t, nsproxy, pid_ns_for_children) != own)
		flags |= PPM_CL_CHILD_IN_PIDNS;
	put_u32(s, flags);
	put_u32(s, BPF_CORE_READ(t, cred, euid.val));
	put_u32(s, BPF_CORE_READ(t, cred, egid.val));
	put_s64(s, task_vtid(t));
	put_s64(s, task_vpid(t));
	/* pidns_init_start_ts: start time of the pid namespace's init, child side only */
	put_u64(s, ret == 0 ? BPF_CORE_READ(own, child_reaper, start_time) : 0);
	event_submit(s, tid, CLASS_PROC);
	return 0;
}

/* Parameters 15-31 of execve / 15-30 of execveat after a successful exec. */
static __always_inline void put_exec_tail(struct scratch *s, struct task_struct *t, bool with_filename,
					  const char *filename)
{
	put_cgroups(s, t);
	put_env(s, t);
	put_u32(s, task_tty(t));
	put_s64(s, task_vpgid(t));
	put_u32(s, task_loginuid(t));

	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct inode *inode = exe ? BPF_CORE_READ(exe, f_inode) : NULL;
	u32 flags = 0;
	if (inode && exe_writable(t, inode))
		flags |= PPM_EXE_WRITABLE;
	if (exe) {
		enum ppm_overlay ol = file_overlay_layer(exe);
		if (ol == PPM_OVERLAY_UPPER)
			flags |= PPM_EXE_UPPER_LAYER;
		else if (ol == PPM_OVERLAY_LOWER)
			flags |= PPM_EXE_LOWER_LAYER;
		if (file_is_memfd(exe))
			flags |= PPM_EXE_FROM_MEMFD;
	}
	put_u32(s, flags);
	put_u64(s, task_cap(t, 0));
	put_u64(s, task_cap(t, 1));
	put_u64(s, task_cap(t, 2));
	put_u64(s, inode ? BPF_CORE_READ(inode, i_ino) : 0);
	put_u64(s, inode ? inode_time_ns(inode, true) : 0);
	put_u64(s, inode ? inode_time_ns(inode, false) : 0);
	put_u32(s, BPF_CORE_READ(t, cred, euid.val));
	if (exe)
		put_path(s, t, &exe->f_path); /* trusted_exepath: symlinks resolved */
	else
		put_empty(s);
	put_s64(s, task_pgid(t));
	put_u32(s, BPF_CORE_READ(t, cred, egid.val));
	if (with_filename)
		put_kernel_str(s, filename);
}

/* Successful execve/execveat: the new image is loaded and its argument area is readable. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	u64 id = bpf_get_current_pid_tgid();
	if (is_excluded(id >> 32))
		return 0;
	struct task_struct *t = current_task();
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		return 0;
	/* Reported as execve whether the call was execve or execveat, as Falco does: once the new
	 * image is loaded nothing tells the two apart. */
	struct scratch *s = event_begin(PPME_SYSCALL_EXECVE_19_X, 31);
	if (!s)
		return 0;
	put_s64(s, 0);
	put_exe_and_args(s, t);
	put_task_identity(s, t, true);
	put_exec_tail(s, t, true, BPF_CORE_READ(bprm, filename));
	event_submit(s, (u32)id, CLASS_PROC);
	return 0;
}

/* Failed execve/execveat: the old image is still in place; exe and args come from argv. */
static __always_inline int on_exec_failure(struct sys_exit_ctx *ctx, long nr, struct task_struct *t, u32 tid)
{
	long ret = ctx->ret;
	if (ret == 0)
		return 0; /* reported by on_sched_exec */
	bool at = nr == NR_execveat;
	struct scratch *s = event_begin(at ? PPME_SYSCALL_EXECVEAT_X : PPME_SYSCALL_EXECVE_19_X, at ? 30 : 31);
	if (!s)
		return 0;
	struct pt_regs *regs = task_regs(t);
	const char *const *argv = (const char *const *)syscall_arg(regs, at ? 2 : 1);
	const char *const *envp = (const char *const *)syscall_arg(regs, at ? 3 : 2);

	put_s64(s, ret);
	const char *argv0 = NULL;
	bpf_probe_read_user(&argv0, sizeof(argv0), argv);
	u16 exe_len = put_user_str(s, argv0);
	put_len(s, raw_user_string_array(s, argv, 1, ARGS_MAX - exe_len));
	put_task_identity(s, t, true);
	put_cgroups(s, t);
	put_len(s, raw_user_string_array(s, envp, 0, ARGS_MAX));
	put_u32(s, task_tty(t));
	put_s64(s, task_vpgid(t));
	put_u32(s, task_loginuid(t));
	put_u32(s, 0);                         /* flags: there is no new executable */
	put_u64(s, task_cap(t, 0));
	put_u64(s, task_cap(t, 1));
	put_u64(s, task_cap(t, 2));
	put_u64(s, 0);
	put_u64(s, 0);
	put_u64(s, 0);
	put_u32(s, BPF_CORE_READ(t, cred, euid.val));
	put_empty(s);                          /* trusted_exepath */
	put_s64(s, task_pgid(t));
	put_u32(s, BPF_CORE_READ(t, cred, egid.val));
	if (!at)
		put_user_str(s, (const void *)syscall_arg(regs, 0)); /* filename as passed */
	event_submit(s, tid, CLASS_PROC);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_sched_exit, struct task_struct *p)
{
	u32 tgid = BPF_CORE_READ(p, tgid);
	if (is_excluded(tgid))
		return 0;
	if (BPF_CORE_READ(p, flags) & PF_KTHREAD)
		return 0;
	struct scratch *s = event_begin(PPME_PROCEXIT_1_E, 5);
	if (!s)
		return 0;
	int code = BPF_CORE_READ(p, exit_code);
	put_s64(s, code);                            /* status */
	put_s64(s, (code >> 8) & 0xff);              /* ret (exit status) */
	put_u8(s, (code & 0x7f) != 0 && (code & 0x7f) != 0x7f ? code & 0x7f : 0); /* sig */
	put_u8(s, (code & 0x80) != 0);               /* core */
	/* reaper_tid: 0 when there are no children to reparent; -1 lets user space pick the
	 * reaper (Falco's convention when the probe does not search for it). */
	struct list_head *head = &p->children;
	struct list_head *first = BPF_CORE_READ(head, next);
	put_s64(s, first == head ? 0 : -1);
	event_submit(s, BPF_CORE_READ(p, pid), CLASS_PROC);
	return 0;
}

/* ======================================================================= syscall handlers */

/* A handler program: skips excluded processes (and failed syscalls when the loader asks to drop
 * them), then runs the body with the current task and its thread id. Both come from one helper
 * call (task fields are direct loads): helper calls are the larger part of an event's cost. */
#define HANDLER(name)                                                                          \
	static __always_inline int name##_body(struct sys_exit_ctx *ctx, struct task_struct *task, u32 tid); \
	SEC("tracepoint") int name(struct sys_exit_ctx *ctx)                                   \
	{                                                                                      \
		if (drop_failed && ctx->ret < 0)                                               \
			return 0;                                                              \
		struct task_struct *task = current_task();                                     \
		if (is_excluded(task->tgid))                                                   \
			return 0;                                                              \
		return name##_body(ctx, task, task->pid);                                      \
	}                                                                                      \
	static __always_inline int name##_body(struct sys_exit_ctx *ctx, struct task_struct *task, u32 tid)

#define BEGIN(type, n)                                  \
	struct scratch *s = event_begin(type, n);       \
	if (!s)                                         \
		return 0;                               \
	struct pt_regs *regs = task_regs(task);         \
	long ret = ctx->ret;                            \
	(void)regs

#define END(cls)                                        \
	event_submit(s, tid, cls);                      \
	return 0

HANDLER(sys_exit_process)
{
	long nr = ctx->nr;
	switch (nr) {
	case NR_clone:
	case NR_clone3:
	case NR_fork:
	case NR_vfork:
		return on_clone(ctx, nr, task, tid);
	case NR_execve:
	case NR_execveat:
		return on_exec_failure(ctx, nr, task, tid);
	}
	return 0;
}

/* open, openat, openat2, creat, open_by_handle_at */
HANDLER(sys_exit_open)
{
	long nr = ctx->nr;
	struct task_struct *t = task;
	struct file_id id = {};
	if (ctx->ret >= 0)
		file_identity(t, ctx->ret, &id);

	if (nr == NR_openat) {
		BEGIN(PPME_SYSCALL_OPENAT_2_X, 7);
		u32 flags = syscall_arg(regs, 2);
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_u32(s, open_flags_to_ppm(flags) | id.open_flags);
		put_u32(s, open_mode_to_ppm(flags, syscall_arg(regs, 3)));
		put_u32(s, id.dev);
		put_u64(s, id.ino);
		END(CLASS_FILE);
	} else if (nr == NR_open) {
		BEGIN(PPME_SYSCALL_OPEN_X, 6);
		u32 flags = syscall_arg(regs, 1);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, open_flags_to_ppm(flags) | id.open_flags);
		put_u32(s, open_mode_to_ppm(flags, syscall_arg(regs, 2)));
		put_u32(s, id.dev);
		put_u64(s, id.ino);
		END(CLASS_FILE);
	} else if (nr == NR_openat2) {
		BEGIN(PPME_SYSCALL_OPENAT2_X, 8);
		u64 how[3] = {};
		bpf_probe_read_user(how, sizeof(how), (void *)syscall_arg(regs, 2));
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_u32(s, open_flags_to_ppm(how[0]) | id.open_flags);
		put_u32(s, open_mode_to_ppm(how[0], how[1]));
		put_u32(s, openat2_resolve_to_ppm(how[2]));
		put_u32(s, id.dev);
		put_u64(s, id.ino);
		END(CLASS_FILE);
	} else if (nr == NR_creat) {
		BEGIN(PPME_SYSCALL_CREAT_X, 6);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, mode_to_ppm(syscall_arg(regs, 1)));
		put_u32(s, id.dev);
		put_u64(s, id.ino);
		put_u16(s, (id.open_flags & PPM_FD_UPPER_LAYER ? PPM_FD_UPPER_LAYER_CREAT : 0) |
			   (id.open_flags & PPM_FD_LOWER_LAYER ? PPM_FD_LOWER_LAYER_CREAT : 0));
		END(CLASS_FILE);
	} else if (nr == NR_open_by_handle_at) {
		BEGIN(PPME_SYSCALL_OPEN_BY_HANDLE_AT_X, 6);
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_u32(s, open_flags_to_ppm(syscall_arg(regs, 2)) | id.open_flags);
		struct file *f = ret >= 0 ? task_fd_file(t, ret) : NULL;
		if (f)
			put_path(s, t, &f->f_path); /* there is no name argument: resolve it */
		else
			put_empty(s);
		put_u32(s, id.dev);
		put_u64(s, id.ino);
		END(CLASS_FILE);
	}
	return 0;
}

HANDLER(sys_exit_close)
{
	if (ctx->nr == NR_close) {
		BEGIN(PPME_SYSCALL_CLOSE_X, 2);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		END(CLASS_FILE);
	} else {
		BEGIN(PPME_SYSCALL_CLOSE_RANGE_X, 4);
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		put_u32(s, syscall_arg(regs, 1));
		put_u32(s, close_range_flags_to_ppm(syscall_arg(regs, 2)));
		END(CLASS_FILE);
	}
}

/* Syscalls whose parameters are paths as passed, directory fds, modes and ids. */
HANDLER(sys_exit_path)
{
	long nr = ctx->nr;
	switch (nr) {
	case NR_rename:
	case NR_link:
	case NR_symlink: {
		BEGIN(nr == NR_rename ? PPME_SYSCALL_RENAME_X :
		      nr == NR_link ? PPME_SYSCALL_LINK_2_X : PPME_SYSCALL_SYMLINK_X, 3);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		END(CLASS_FILE);
	}
	case NR_renameat:
	case NR_renameat2:
	case NR_linkat: {
		BEGIN(nr == NR_renameat ? PPME_SYSCALL_RENAMEAT_X :
		      nr == NR_renameat2 ? PPME_SYSCALL_RENAMEAT2_X : PPME_SYSCALL_LINKAT_2_X,
		      nr == NR_renameat ? 5 : 6);
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_s64(s, dirfd_arg(regs, 2));
		put_user_str(s, (const void *)syscall_arg(regs, 3));
		if (nr == NR_renameat2)
			put_u32(s, syscall_arg(regs, 4) & 7);
		else if (nr == NR_linkat)
			put_u32(s, linkat_flags_to_ppm(syscall_arg(regs, 4)));
		END(CLASS_FILE);
	}
	case NR_symlinkat: {
		BEGIN(PPME_SYSCALL_SYMLINKAT_X, 4);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_s64(s, dirfd_arg(regs, 1));
		put_user_str(s, (const void *)syscall_arg(regs, 2));
		END(CLASS_FILE);
	}
	case NR_unlink:
	case NR_rmdir:
	case NR_chdir:
	case NR_chroot: {
		BEGIN(nr == NR_unlink ? PPME_SYSCALL_UNLINK_2_X :
		      nr == NR_rmdir ? PPME_SYSCALL_RMDIR_2_X :
		      nr == NR_chdir ? PPME_SYSCALL_CHDIR_X : PPME_SYSCALL_CHROOT_X, 2);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		END(CLASS_FILE);
	}
	case NR_unlinkat: {
		BEGIN(PPME_SYSCALL_UNLINKAT_2_X, 4);
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_u32(s, unlinkat_flags_to_ppm(syscall_arg(regs, 2)));
		END(CLASS_FILE);
	}
	case NR_mkdir:
	case NR_chmod: {
		BEGIN(nr == NR_mkdir ? PPME_SYSCALL_MKDIR_2_X : PPME_SYSCALL_CHMOD_X, 3);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, nr == NR_mkdir ? (u32)syscall_arg(regs, 1) : mode_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_mkdirat:
	case NR_fchmodat: {
		BEGIN(nr == NR_mkdirat ? PPME_SYSCALL_MKDIRAT_X : PPME_SYSCALL_FCHMODAT_X, 4);
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_u32(s, nr == NR_mkdirat ? (u32)syscall_arg(regs, 2) : mode_to_ppm(syscall_arg(regs, 2)));
		END(CLASS_FILE);
	}
	case NR_chown:
	case NR_lchown: {
		BEGIN(nr == NR_chown ? PPME_SYSCALL_CHOWN_X : PPME_SYSCALL_LCHOWN_X, 4);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, syscall_arg(regs, 1));
		put_u32(s, syscall_arg(regs, 2));
		END(CLASS_FILE);
	}
	case NR_fchownat: {
		BEGIN(PPME_SYSCALL_FCHOWNAT_X, 6);
		put_s64(s, ret);
		put_s64(s, dirfd_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_u32(s, syscall_arg(regs, 2));
		put_u32(s, syscall_arg(regs, 3));
		put_u32(s, linkat_flags_to_ppm(syscall_arg(regs, 4)));
		END(CLASS_FILE);
	}
	case NR_mount: {
		BEGIN(PPME_SYSCALL_MOUNT_X, 5);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_user_str(s, (const void *)syscall_arg(regs, 2));
		u32 flags = syscall_arg(regs, 3);
		if ((flags & 0xffff0000) == 0xc0ed0000) /* obsolete MS_MGC_VAL magic */
			flags &= 0xffff;
		put_u32(s, flags);
		END(CLASS_FILE);
	}
	case NR_umount2: {
		BEGIN(PPME_SYSCALL_UMOUNT2_X, 3);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, umount2_flags_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	}
	return 0;
}

/* Fixed-size events about file descriptors. */
HANDLER(sys_exit_fd)
{
	long nr = ctx->nr;
	switch (nr) {
	case NR_fchmod: {
		BEGIN(PPME_SYSCALL_FCHMOD_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, mode_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_fchown: {
		BEGIN(PPME_SYSCALL_FCHOWN_X, 4);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, syscall_arg(regs, 1));
		put_u32(s, syscall_arg(regs, 2));
		END(CLASS_FILE);
	}
	case NR_fchdir: {
		BEGIN(PPME_SYSCALL_FCHDIR_X, 2);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		END(CLASS_FILE);
	}
	case NR_dup: {
		BEGIN(PPME_SYSCALL_DUP_1_X, 2);
		put_s64(s, (s32)ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		END(CLASS_FILE);
	}
	case NR_dup2:
	case NR_dup3: {
		BEGIN(nr == NR_dup2 ? PPME_SYSCALL_DUP2_X : PPME_SYSCALL_DUP3_X, nr == NR_dup2 ? 3 : 4);
		put_s64(s, (s32)ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_s64(s, (s32)syscall_arg(regs, 1));
		if (nr == NR_dup3)
			put_u32(s, (syscall_arg(regs, 2) & L_O_CLOEXEC) ? PPM_O_CLOEXEC : 0);
		END(CLASS_FILE);
	}
	case NR_fcntl: {
		BEGIN(PPME_SYSCALL_FCNTL_X, 4);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u8(s, fcntl_cmd_to_ppm(syscall_arg(regs, 1)));
		put_u64(s, syscall_arg(regs, 2));
		END(CLASS_FILE);
	}
	case NR_flock: {
		BEGIN(PPME_SYSCALL_FLOCK_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, flock_op_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_ioctl: {
		BEGIN(PPME_SYSCALL_IOCTL_3_X, 4);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u64(s, syscall_arg(regs, 1));
		put_u64(s, syscall_arg(regs, 2));
		END(CLASS_FILE);
	}
	case NR_pipe:
	case NR_pipe2: {
		BEGIN(nr == NR_pipe ? PPME_SYSCALL_PIPE_X : PPME_SYSCALL_PIPE2_X, nr == NR_pipe ? 4 : 5);
		s32 fds[2] = {-1, -1};
		bpf_probe_read_user(fds, sizeof(fds), (void *)syscall_arg(regs, 0));
		put_s64(s, ret);
		put_s64(s, fds[0]);
		put_s64(s, fds[1]);
		struct file_id id = {};
		if (ret == 0)
			file_identity(task, fds[0], &id);
		put_u64(s, id.ino);
		if (nr == NR_pipe2)
			put_u32(s, pipe2_flags_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_eventfd:
	case NR_eventfd2: {
		BEGIN(nr == NR_eventfd ? PPME_SYSCALL_EVENTFD_X : PPME_SYSCALL_EVENTFD2_X, 3);
		put_s64(s, ret);
		if (nr == NR_eventfd) {
			put_u64(s, syscall_arg(regs, 0));
			put_u32(s, 0);
		} else {
			put_u16(s, nonblock_cloexec_to_ppm(syscall_arg(regs, 1)));
			put_u64(s, (u32)syscall_arg(regs, 0));
		}
		END(CLASS_FILE);
	}
	case NR_signalfd:
	case NR_signalfd4: {
		BEGIN(nr == NR_signalfd ? PPME_SYSCALL_SIGNALFD_X : PPME_SYSCALL_SIGNALFD4_X, 4);
		put_s64(s, (s32)ret);
		if (nr == NR_signalfd) {
			put_s64(s, (s32)syscall_arg(regs, 0));
			put_u32(s, 0);
			put_u8(s, 0);
		} else {
			put_u16(s, nonblock_cloexec_to_ppm(syscall_arg(regs, 3)));
			put_s64(s, (s32)syscall_arg(regs, 0));
			put_u32(s, 0);
		}
		END(CLASS_FILE);
	}
	case NR_timerfd_create: {
		BEGIN(PPME_SYSCALL_TIMERFD_CREATE_X, 3);
		put_s64(s, ret);
		put_u8(s, syscall_arg(regs, 0));
		put_u8(s, nonblock_cloexec_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_inotify_init:
	case NR_inotify_init1: {
		BEGIN(nr == NR_inotify_init ? PPME_SYSCALL_INOTIFY_INIT_X : PPME_SYSCALL_INOTIFY_INIT1_X, 2);
		put_s64(s, ret);
		if (nr == NR_inotify_init)
			put_u8(s, 0);
		else
			put_u16(s, nonblock_cloexec_to_ppm(syscall_arg(regs, 0)));
		END(CLASS_FILE);
	}
	case NR_epoll_create:
	case NR_epoll_create1: {
		BEGIN(nr == NR_epoll_create ? PPME_SYSCALL_EPOLL_CREATE_X : PPME_SYSCALL_EPOLL_CREATE1_X, 2);
		put_s64(s, ret);
		if (nr == NR_epoll_create)
			put_u32(s, (s32)syscall_arg(regs, 0));
		else
			put_u32(s, epoll_create1_flags_to_ppm(syscall_arg(regs, 0)));
		END(CLASS_FILE);
	}
	case NR_userfaultfd: {
		BEGIN(PPME_SYSCALL_USERFAULTFD_X, 2);
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		END(CLASS_FILE);
	}
	case NR_memfd_create: {
		BEGIN(PPME_SYSCALL_MEMFD_CREATE_X, 3);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, memfd_flags_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_pidfd_open: {
		BEGIN(PPME_SYSCALL_PIDFD_OPEN_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, pidfd_open_flags_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_FILE);
	}
	case NR_pidfd_getfd: {
		BEGIN(PPME_SYSCALL_PIDFD_GETFD_X, 4);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_s64(s, (s32)syscall_arg(regs, 1));
		put_u32(s, syscall_arg(regs, 2));
		END(CLASS_FILE);
	}
	case NR_io_uring_setup: {
		BEGIN(PPME_SYSCALL_IO_URING_SETUP_X, 8);
		/* struct io_uring_params: sq_entries, cq_entries, flags, sq_thread_cpu,
		 * sq_thread_idle, features (six u32 at the start) */
		u32 p[6] = {};
		bpf_probe_read_user(p, sizeof(p), (void *)syscall_arg(regs, 1));
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		put_u32(s, p[0]);
		put_u32(s, p[1]);
		put_u32(s, io_uring_setup_flags_to_ppm(p[2]));
		put_u32(s, p[3]);
		put_u32(s, p[4]);
		put_u32(s, io_uring_features_to_ppm(p[5]));
		END(CLASS_FILE);
	}
	}
	return 0;
}

/* Credentials, process attributes, signals, namespaces, modules. */
HANDLER(sys_exit_proc_attr)
{
	long nr = ctx->nr;
	switch (nr) {
	case NR_setuid:
	case NR_setgid: {
		BEGIN(nr == NR_setuid ? PPME_SYSCALL_SETUID_X : PPME_SYSCALL_SETGID_X, 2);
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		END(CLASS_PROC);
	}
	case NR_setresuid:
	case NR_setresgid: {
		BEGIN(nr == NR_setresuid ? PPME_SYSCALL_SETRESUID_X : PPME_SYSCALL_SETRESGID_X, 4);
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		put_u32(s, syscall_arg(regs, 1));
		put_u32(s, syscall_arg(regs, 2));
		END(CLASS_PROC);
	}
	case NR_setreuid:
	case NR_setregid: {
		BEGIN(nr == NR_setreuid ? PPME_SYSCALL_SETREUID_X : PPME_SYSCALL_SETREGID_X, 3);
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		put_u32(s, syscall_arg(regs, 1));
		END(CLASS_PROC);
	}
	case NR_capset: {
		BEGIN(PPME_SYSCALL_CAPSET_X, 4);
		struct task_struct *t = task;
		put_s64(s, ret);
		put_u64(s, task_cap(t, 0));
		put_u64(s, task_cap(t, 1));
		put_u64(s, task_cap(t, 2));
		END(CLASS_PROC);
	}
	case NR_setsid: {
		BEGIN(PPME_SYSCALL_SETSID_X, 1);
		put_s64(s, ret);
		END(CLASS_PROC);
	}
	case NR_setpgid: {
		BEGIN(PPME_SYSCALL_SETPGID_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_s64(s, (s32)syscall_arg(regs, 1));
		END(CLASS_PROC);
	}
	case NR_prctl: {
		BEGIN(PPME_SYSCALL_PRCTL_X, 4);
		u32 option = syscall_arg(regs, 0);
		unsigned long arg2 = syscall_arg(regs, 1);
		put_s64(s, ret);
		put_u32(s, option);
		if (option == 15 || option == 16) { /* PR_SET_NAME, PR_GET_NAME */
			put_user_str(s, (const void *)arg2);
			put_s64(s, 0);
		} else if (option == 37) {          /* PR_GET_CHILD_SUBREAPER */
			s32 v = 0;
			bpf_probe_read_user(&v, sizeof(v), (void *)arg2);
			put_empty(s);
			put_s64(s, v);
		} else {
			put_empty(s);
			put_s64(s, arg2);
		}
		END(CLASS_PROC);
	}
	case NR_ptrace: {
		BEGIN(PPME_SYSCALL_PTRACE_X, 5);
		u16 req = ptrace_request_to_ppm(syscall_arg(regs, 0));
		u64 addr = syscall_arg(regs, 2);
		u64 data = syscall_arg(regs, 3);
		put_s64(s, ret);
		/* addr and data are PT_DYN: a type index, then the value */
		raw_u8(s, PPM_PTRACE_IDX_UINT64);
		raw_u64(s, ret < 0 ? 0 : addr);
		put_len(s, 9);
		if (ret < 0) {
			raw_u8(s, PPM_PTRACE_IDX_UINT64);
			raw_u64(s, 0);
			put_len(s, 9);
		} else if (req == 2 || req == 3 || req == 4) { /* PEEK*: the value read */
			u64 v = 0;
			bpf_probe_read_user(&v, sizeof(v), (void *)data);
			raw_u8(s, PPM_PTRACE_IDX_UINT64);
			raw_u64(s, v);
			put_len(s, 9);
		} else if (req == 8 || req == 10 || req == 12 || req == 13) { /* CONT, SINGLESTEP, DETACH, SYSCALL */
			raw_u8(s, PPM_PTRACE_IDX_SIGTYPE);
			raw_u8(s, data);
			put_len(s, 2);
		} else {
			raw_u8(s, PPM_PTRACE_IDX_UINT64);
			raw_u64(s, data);
			put_len(s, 9);
		}
		put_u16(s, req);
		put_s64(s, (s32)syscall_arg(regs, 1));
		END(CLASS_PROC);
	}
	case NR_kill:
	case NR_tkill: {
		BEGIN(nr == NR_kill ? PPME_SYSCALL_KILL_X : PPME_SYSCALL_TKILL_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u8(s, syscall_arg(regs, 1));
		END(CLASS_PROC);
	}
	case NR_tgkill: {
		BEGIN(PPME_SYSCALL_TGKILL_X, 4);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_s64(s, (s32)syscall_arg(regs, 1));
		put_u8(s, syscall_arg(regs, 2));
		END(CLASS_PROC);
	}
	case NR_setns: {
		BEGIN(PPME_SYSCALL_SETNS_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, clone_flags_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_PROC);
	}
	case NR_unshare: {
		BEGIN(PPME_SYSCALL_UNSHARE_X, 2);
		put_s64(s, ret);
		put_u32(s, clone_flags_to_ppm(syscall_arg(regs, 0)));
		END(CLASS_PROC);
	}
	case NR_prlimit64: {
		BEGIN(PPME_SYSCALL_PRLIMIT_X, 7);
		s64 lim[2] = {-1, -1}, old[2] = {-1, -1};
		void *newp = (void *)syscall_arg(regs, 2);
		void *oldp = (void *)syscall_arg(regs, 3);
		if (newp)
			bpf_probe_read_user(lim, sizeof(lim), newp);
		if (ret == 0 && oldp)
			bpf_probe_read_user(old, sizeof(old), oldp);
		put_s64(s, ret);
		put_s64(s, lim[0]);
		put_s64(s, lim[1]);
		put_s64(s, old[0]);
		put_s64(s, old[1]);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u8(s, rlimit_resource_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_PROC);
	}
	case NR_setrlimit: {
		BEGIN(PPME_SYSCALL_SETRLIMIT_X, 4);
		s64 lim[2] = {-1, -1};
		bpf_probe_read_user(lim, sizeof(lim), (void *)syscall_arg(regs, 1));
		put_s64(s, ret);
		put_s64(s, lim[0]);
		put_s64(s, lim[1]);
		put_u8(s, rlimit_resource_to_ppm(syscall_arg(regs, 0)));
		END(CLASS_PROC);
	}
	case NR_seccomp: {
		BEGIN(PPME_SYSCALL_SECCOMP_X, 3);
		put_s64(s, ret);
		put_u64(s, syscall_arg(regs, 0));
		put_u64(s, (u32)syscall_arg(regs, 1));
		END(CLASS_PROC);
	}
	case NR_init_module: {
		BEGIN(PPME_SYSCALL_INIT_MODULE_X, 4);
		u64 len = syscall_arg(regs, 1);
		put_s64(s, ret);
		put_user_bytes(s, (const void *)syscall_arg(regs, 0), len);
		put_u64(s, len);
		put_user_str(s, (const void *)syscall_arg(regs, 2));
		END(CLASS_OTHER);
	}
	case NR_finit_module: {
		BEGIN(PPME_SYSCALL_FINIT_MODULE_X, 4);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_user_str(s, (const void *)syscall_arg(regs, 1));
		put_u32(s, finit_module_flags_to_ppm(syscall_arg(regs, 2)));
		END(CLASS_OTHER);
	}
	case NR_delete_module: {
		BEGIN(PPME_SYSCALL_DELETE_MODULE_X, 3);
		put_s64(s, ret);
		put_user_str(s, (const void *)syscall_arg(regs, 0));
		put_u32(s, delete_module_flags_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_OTHER);
	}
	case NR_bpf: {
		BEGIN(PPME_SYSCALL_BPF_2_X, 2);
		put_s64(s, ret);
		put_u32(s, syscall_arg(regs, 0));
		END(CLASS_OTHER);
	}
	}
	return 0;
}

/* Data of a send/receive: the first `snaplen` bytes of the user buffer. */
static __always_inline void put_io_data(struct scratch *s, const void *buf, s64 len)
{
	u32 n = current_snaplen();
	if (len < n)
		n = len < 0 ? 0 : len;
	put_user_bytes(s, buf, n);
}

/* The first iovec's data of a msghdr-based send/receive, up to `snaplen` and `len` bytes. */
static __always_inline void put_iov_data(struct scratch *s, const void *iov_ptr, u64 iovlen, s64 len)
{
	u64 iov[2] = {};
	if (iovlen == 0 || !iov_ptr || bpf_probe_read_user(iov, sizeof(iov), iov_ptr)) {
		put_empty(s);
		return;
	}
	s64 n = iov[1] < (u64)len ? (s64)iov[1] : len;
	put_io_data(s, (const void *)iov[0], n);
}

/* Sum of the iovec lengths (at most 16 iovecs are looked at). */
static __always_inline u32 iov_total(const void *iov_ptr, u64 iovlen)
{
	u32 total = 0;
	for (int i = 0; i < 16; i++) {
		if (i >= iovlen)
			break;
		u64 iov[2] = {};
		if (bpf_probe_read_user(iov, sizeof(iov), (const char *)iov_ptr + 16 * i))
			break;
		total += iov[1];
	}
	return total;
}

/* struct user_msghdr: name, namelen, iov, iovlen, control, controllen, flags */
struct msghdr_u {
	void *name;
	s32 namelen;
	s32 pad;
	void *iov;
	u64 iovlen;
	void *control;
	u64 controllen;
};

HANDLER(sys_exit_net)
{
	long nr = ctx->nr;
	struct task_struct *t = task;
	switch (nr) {
	case NR_socket: {
		BEGIN(PPME_SOCKET_SOCKET_X, 5);
		u32 type = syscall_arg(regs, 1);
		put_s64(s, ret);
		put_u32(s, family_to_ppm(syscall_arg(regs, 0)));
		put_u32(s, type);
		put_u32(s, syscall_arg(regs, 2));
		put_u32(s, nonblock_cloexec_to_ppm(type));
		END(CLASS_NET);
	}
	case NR_connect: {
		BEGIN(PPME_SOCKET_CONNECT_X, 4);
		s64 fd = (s32)syscall_arg(regs, 0);
		void *addr = (void *)syscall_arg(regs, 1);
		put_s64(s, ret);
		if (ret == 0 || ret == -EINPROGRESS)
			put_socktuple(s, t, fd, OUTBOUND, addr);
		else
			put_empty(s);
		put_s64(s, fd);
		put_sockaddr(s, addr, syscall_arg(regs, 2));
		END(CLASS_NET);
	}
	case NR_accept:
	case NR_accept4: {
		BEGIN(nr == NR_accept ? PPME_SOCKET_ACCEPT_5_X : PPME_SOCKET_ACCEPT4_6_X, nr == NR_accept ? 5 : 6);
		u32 qlen = 0, qmax = 0;
		u8 qpct = 0;
		put_s64(s, ret);
		if (ret >= 0) {
			put_socktuple(s, t, ret, INBOUND, NULL);
			struct sock *lsk = file_sock(task_fd_file(t, (s32)syscall_arg(regs, 0)));
			if (lsk) {
				qlen = BPF_CORE_READ(lsk, sk_ack_backlog);
				qmax = BPF_CORE_READ(lsk, sk_max_ack_backlog);
				if (qlen && qmax)
					qpct = (u64)qlen * 100 / qmax;
			}
		} else {
			put_empty(s);
		}
		put_u8(s, qpct);
		put_u32(s, qlen);
		put_u32(s, qmax);
		if (nr == NR_accept4)
			put_u32(s, nonblock_cloexec_to_ppm(syscall_arg(regs, 3)));
		END(CLASS_NET);
	}
	case NR_bind: {
		BEGIN(PPME_SOCKET_BIND_X, 3);
		put_s64(s, ret);
		put_sockaddr(s, (void *)syscall_arg(regs, 1), syscall_arg(regs, 2));
		put_s64(s, (s32)syscall_arg(regs, 0));
		END(CLASS_NET);
	}
	case NR_listen: {
		BEGIN(PPME_SOCKET_LISTEN_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, (s32)syscall_arg(regs, 1));
		END(CLASS_NET);
	}
	case NR_sendto: {
		BEGIN(PPME_SOCKET_SENDTO_X, 5);
		s64 fd = (s32)syscall_arg(regs, 0);
		u32 size = syscall_arg(regs, 2);
		put_s64(s, ret);
		put_io_data(s, (void *)syscall_arg(regs, 1), ret > 0 ? ret : size);
		put_s64(s, fd);
		put_u32(s, size);
		if (ret >= 0)
			put_socktuple(s, t, fd, OUTBOUND, (void *)syscall_arg(regs, 4));
		else
			put_empty(s);
		END(CLASS_NET);
	}
	case NR_recvfrom: {
		BEGIN(PPME_SOCKET_RECVFROM_X, 5);
		s64 fd = (s32)syscall_arg(regs, 0);
		put_s64(s, ret);
		if (ret >= 0) {
			put_io_data(s, (void *)syscall_arg(regs, 1), ret);
			put_socktuple(s, t, fd, INBOUND, (void *)syscall_arg(regs, 4));
		} else {
			put_empty(s);
			put_empty(s);
		}
		put_s64(s, fd);
		put_u32(s, syscall_arg(regs, 2));
		END(CLASS_NET);
	}
	case NR_sendmsg:
	case NR_sendmmsg: {
		bool multi = nr == NR_sendmmsg;
		BEGIN(multi ? PPME_SOCKET_SENDMMSG_X : PPME_SOCKET_SENDMSG_X, 5);
		s64 fd = (s32)syscall_arg(regs, 0);
		struct msghdr_u m = {};
		u32 sent = 0; /* sendmmsg: bytes of the first message */
		bool ok = !bpf_probe_read_user(&m, sizeof(m), (void *)syscall_arg(regs, 1));
		if (multi && ok)
			bpf_probe_read_user(&sent, sizeof(sent), (char *)syscall_arg(regs, 1) + 56);
		s64 len = multi ? sent : ret;
		put_s64(s, multi && ret > 0 ? sent : ret);
		if (multi) {
			put_s64(s, fd);
			put_u32(s, ok ? iov_total(m.iov, m.iovlen) : 0);
			if (ok)
				put_iov_data(s, m.iov, m.iovlen, len > 0 ? len : iov_total(m.iov, m.iovlen));
			else
				put_empty(s);
		} else {
			if (ok)
				put_iov_data(s, m.iov, m.iovlen, len > 0 ? len : iov_total(m.iov, m.iovlen));
			else
				put_empty(s);
			put_s64(s, fd);
			put_u32(s, ok ? iov_total(m.iov, m.iovlen) : 0);
		}
		if (ret >= 0 && ok)
			put_socktuple(s, t, fd, OUTBOUND, m.name);
		else
			put_empty(s);
		END(CLASS_NET);
	}
	case NR_recvmsg:
	case NR_recvmmsg: {
		bool multi = nr == NR_recvmmsg;
		BEGIN(multi ? PPME_SOCKET_RECVMMSG_X : PPME_SOCKET_RECVMSG_X, 6);
		s64 fd = (s32)syscall_arg(regs, 0);
		struct msghdr_u m = {};
		u32 got = 0;
		bool ok = !bpf_probe_read_user(&m, sizeof(m), (void *)syscall_arg(regs, 1));
		if (multi && ok)
			bpf_probe_read_user(&got, sizeof(got), (char *)syscall_arg(regs, 1) + 56);
		s64 len = multi ? got : ret;
		put_s64(s, multi && ret > 0 ? got : ret);
		if (multi)
			put_s64(s, fd);
		if (ret >= 0 && ok) {
			put_u32(s, len);
			put_iov_data(s, m.iov, m.iovlen, len);
			put_socktuple(s, t, fd, INBOUND, m.name);
			if (m.control && m.controllen > 0 && m.controllen <= 0xffff)
				put_user_bytes(s, m.control, m.controllen);
			else
				put_empty(s);
		} else {
			put_u32(s, 0);
			put_empty(s);
			put_empty(s);
			put_empty(s);
		}
		if (!multi)
			put_s64(s, fd);
		END(CLASS_NET);
	}
	case NR_socketpair: {
		BEGIN(PPME_SOCKET_SOCKETPAIR_X, 8);
		s32 fds[2] = {-1, -1};
		u64 src = 0, peer = 0;
		put_s64(s, ret);
		if (ret == 0) {
			bpf_probe_read_user(fds, sizeof(fds), (void *)syscall_arg(regs, 3));
			struct sock *sk = file_sock(task_fd_file(t, fds[0]));
			if (sk) {
				src = (u64)sk;
				peer = (u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
			}
		}
		put_s64(s, fds[0]);
		put_s64(s, fds[1]);
		put_u64(s, src);
		put_u64(s, peer);
		put_u32(s, family_to_ppm(syscall_arg(regs, 0)));
		put_u32(s, syscall_arg(regs, 1));
		put_u32(s, syscall_arg(regs, 2));
		END(CLASS_NET);
	}
	case NR_shutdown: {
		BEGIN(PPME_SOCKET_SHUTDOWN_X, 3);
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u8(s, shutdown_how_to_ppm(syscall_arg(regs, 1)));
		END(CLASS_NET);
	}
	case NR_getsockopt: {
		BEGIN(PPME_SOCKET_GETSOCKOPT_X, 6);
		int level = syscall_arg(regs, 1);
		int opt = syscall_arg(regs, 2);
		void *val = (void *)syscall_arg(regs, 3);
		s32 optlen = 0;
		bpf_probe_read_user(&optlen, sizeof(optlen), (void *)syscall_arg(regs, 4));
		put_s64(s, ret);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u8(s, level == 1 ? 1 : level == 6 ? 2 : 0);
		u8 ppm_opt = 0;
		if (level == 1)
			ppm_opt = opt <= 50 ? opt : opt == 55 ? 52 : opt == 57 ? 53 : opt == 59 ? 51 : 0;
		put_u8(s, ppm_opt);
		/* value: PT_DYN, a type index then the value */
		u64 start = s->pos;
		if (level == 1 && opt == 4) {          /* SO_ERROR: an errno, negated */
			s32 v = 0;
			bpf_probe_read_user(&v, sizeof(v), val);
			raw_u8(s, PPM_SOCKOPT_IDX_ERRNO);
			raw_u64(s, (u64)(s64)-v);
		} else if (level == 1 && (opt == 20 || opt == 21 || opt == 66 || opt == 67)) { /* *TIMEO */
			s64 tv[2] = {};
			bpf_probe_read_user(tv, sizeof(tv), val);
			raw_u8(s, PPM_SOCKOPT_IDX_TIMEVAL);
			raw_u64(s, tv[0] * 1000000000ULL + tv[1] * 1000ULL);
		} else if (level == 1 && opt == 57) {  /* SO_COOKIE */
			u64 v = 0;
			bpf_probe_read_user(&v, sizeof(v), val);
			raw_u8(s, PPM_SOCKOPT_IDX_UINT64);
			raw_u64(s, v);
		} else if (level == 1 && opt != 13 && opt != 17 && opt != 26 && opt != 28 && opt <= 49) {
			u32 v = 0;
			bpf_probe_read_user(&v, sizeof(v), val);
			raw_u8(s, PPM_SOCKOPT_IDX_UINT32);
			raw_u32(s, v);
		} else {
			raw_u8(s, PPM_SOCKOPT_IDX_UNKNOWN);
			raw_user_bytes(s, val, optlen > 0 ? (optlen > 256 ? 256 : optlen) : 0);
		}
		put_len(s, s->pos - start);
		put_u32(s, optlen);
		END(CLASS_NET);
	}
	}
	return 0;
}

/* read/write family: only selected when all syscalls are wanted (Falco's -A). */
HANDLER(sys_exit_io)
{
	long nr = ctx->nr;
	switch (nr) {
	case NR_read:
	case NR_write:
	case NR_pread64:
	case NR_pwrite64: {
		bool rd = nr == NR_read || nr == NR_pread64;
		bool positional = nr == NR_pread64 || nr == NR_pwrite64;
		u16 type = nr == NR_read ? PPME_SYSCALL_READ_X : nr == NR_write ? PPME_SYSCALL_WRITE_X :
			   nr == NR_pread64 ? PPME_SYSCALL_PREAD_X : PPME_SYSCALL_PWRITE_X;
		BEGIN(type, positional ? 5 : 4);
		u32 size = syscall_arg(regs, 2);
		put_s64(s, ret);
		if (rd && ret < 0)
			put_empty(s);
		else
			put_io_data(s, (void *)syscall_arg(regs, 1), ret > 0 ? ret : (rd ? 0 : size));
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, size);
		if (positional)
			put_u64(s, syscall_arg(regs, 3));
		END(CLASS_FILE);
	}
	case NR_readv: {
		BEGIN(PPME_SYSCALL_READV_X, 4);
		void *iov = (void *)syscall_arg(regs, 1);
		u64 cnt = syscall_arg(regs, 2);
		put_s64(s, ret);
		put_u32(s, iov_total(iov, cnt));
		if (ret > 0)
			put_iov_data(s, iov, cnt, ret);
		else
			put_empty(s);
		put_s64(s, (s32)syscall_arg(regs, 0));
		END(CLASS_FILE);
	}
	case NR_writev: {
		BEGIN(PPME_SYSCALL_WRITEV_X, 4);
		void *iov = (void *)syscall_arg(regs, 1);
		u64 cnt = syscall_arg(regs, 2);
		u32 total = iov_total(iov, cnt);
		put_s64(s, ret);
		put_iov_data(s, iov, cnt, ret > 0 ? ret : total);
		put_s64(s, (s32)syscall_arg(regs, 0));
		put_u32(s, total);
		END(CLASS_FILE);
	}
	}
	return 0;
}

/* Any other syscall: a generic event carrying the syscall's ppm_sc code and native number. */
HANDLER(sys_exit_generic)
{
	u32 nr = ctx->nr;
	u16 *sc = bpf_map_lookup_elem(&ppm_sc_of_syscall, &nr);
	struct scratch *s = event_begin(PPME_GENERIC_X, 2);
	if (!s)
		return 0;
	put_u16(s, sc ? *sc : 0);
	put_u16(s, nr);
	event_submit(s, tid, CLASS_OTHER);
	return 0;
}
