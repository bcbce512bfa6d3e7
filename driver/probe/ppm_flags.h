/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PPM flag values and the translation of Linux argument values into them. Shared by the probe
 * and the loader's /proc scan (which translates the open flags of already-open files), so it
 * depends only on the u8..u64/s32 typedefs and __always_inline, which both provide.
 */
#pragma once

/* ---- PPM flag values ---- */
#define PPM_AT_FDCWD -100

#define PPM_O_RDONLY (1 << 0)
#define PPM_O_WRONLY (1 << 1)
#define PPM_O_RDWR (PPM_O_RDONLY | PPM_O_WRONLY)
#define PPM_O_CREAT (1 << 2)
#define PPM_O_APPEND (1 << 3)
#define PPM_O_DSYNC (1 << 4)
#define PPM_O_EXCL (1 << 5)
#define PPM_O_NONBLOCK (1 << 6)
#define PPM_O_SYNC (1 << 7)
#define PPM_O_TRUNC (1 << 8)
#define PPM_O_DIRECT (1 << 9)
#define PPM_O_DIRECTORY (1 << 10)
#define PPM_O_LARGEFILE (1 << 11)
#define PPM_O_CLOEXEC (1 << 12)
#define PPM_O_TMPFILE (1 << 13)
#define PPM_O_F_CREATED (1 << 14)
#define PPM_FD_UPPER_LAYER (1 << 15)
#define PPM_FD_LOWER_LAYER (1 << 16)
#define PPM_FD_UPPER_LAYER_CREAT (1 << 0)
#define PPM_FD_LOWER_LAYER_CREAT (1 << 1)

#define PPM_EXE_WRITABLE (1 << 0)
#define PPM_EXE_UPPER_LAYER (1 << 1)
#define PPM_EXE_FROM_MEMFD (1 << 2)
#define PPM_EXE_LOWER_LAYER (1 << 3)

#define PPM_CL_CHILD_IN_PIDNS (1 << 29)

#define PPM_PTRACE_IDX_UINT64 0
#define PPM_PTRACE_IDX_SIGTYPE 1

#define PPM_SOCKOPT_IDX_UNKNOWN 0
#define PPM_SOCKOPT_IDX_ERRNO 1
#define PPM_SOCKOPT_IDX_UINT32 2
#define PPM_SOCKOPT_IDX_UINT64 3
#define PPM_SOCKOPT_IDX_TIMEVAL 4

enum ppm_overlay { PPM_NOT_OVERLAY_FS = 0, PPM_OVERLAY_UPPER = 1, PPM_OVERLAY_LOWER = 2 };

/* ---- Linux values used below (x86_64 / generic uapi) ---- */
#define L_O_WRONLY 01
#define L_O_RDWR 02
#define L_O_CREAT 0100
#define L_O_EXCL 0200
#define L_O_TRUNC 01000
#define L_O_APPEND 02000
#define L_O_NONBLOCK 04000
#define L_O_DSYNC 010000
#define L_O_DIRECT 040000
#define L_O_LARGEFILE 0100000
#define L_O_DIRECTORY 0200000
#define L_O_CLOEXEC 02000000
#define L_O_SYNC (04000000 | L_O_DSYNC)
#define L_O_TMPFILE (020000000 | L_O_DIRECTORY)

static __always_inline u32 open_flags_to_ppm(u32 f)
{
	u32 r;
	switch (f & 3) {
	case L_O_WRONLY: r = PPM_O_WRONLY; break;
	case L_O_RDWR: r = PPM_O_RDWR; break;
	default: r = PPM_O_RDONLY; break;
	}
	if (f & L_O_CREAT) r |= PPM_O_CREAT;
	if (f & L_O_TMPFILE) r |= PPM_O_TMPFILE;     /* also true for O_DIRECTORY alone, as Falco */
	if (f & L_O_APPEND) r |= PPM_O_APPEND;
	if (f & L_O_DSYNC) r |= PPM_O_DSYNC;
	if (f & L_O_EXCL) r |= PPM_O_EXCL;
	if (f & L_O_NONBLOCK) r |= PPM_O_NONBLOCK;
	if (f & L_O_SYNC) r |= PPM_O_SYNC;           /* also true for O_DSYNC alone, as Falco */
	if (f & L_O_TRUNC) r |= PPM_O_TRUNC;
	if (f & L_O_DIRECT) r |= PPM_O_DIRECT;
	if (f & L_O_DIRECTORY) r |= PPM_O_DIRECTORY;
	if (f & L_O_LARGEFILE) r |= PPM_O_LARGEFILE;
	if (f & L_O_CLOEXEC) r |= PPM_O_CLOEXEC;
	return r;
}

/* Permission bits: PPM numbers them from "others execute" (bit 0) upwards like the kernel does,
 * so the translation is the identity on the 12 permission bits. */
static __always_inline u32 mode_to_ppm(unsigned long mode)
{
	return (u32)(mode & 07777);
}

/* The mode of open/openat is only meaningful when a file may be created. */
static __always_inline u32 open_mode_to_ppm(u32 flags, unsigned long mode)
{
	if (!(flags & (L_O_CREAT | L_O_TMPFILE)))
		return 0;
	return mode_to_ppm(mode);
}

/* O_NONBLOCK / O_CLOEXEC only (socket types, accept4, timerfd, inotify, eventfd, signalfd). */
static __always_inline u32 nonblock_cloexec_to_ppm(s32 f)
{
	u32 r = 0;
	if (f < 0)
		return 0;
	if (f & L_O_NONBLOCK) r |= PPM_O_NONBLOCK;
	if (f & L_O_CLOEXEC) r |= PPM_O_CLOEXEC;
	return r;
}

static __always_inline u32 pipe2_flags_to_ppm(s32 f)
{
	u32 r = nonblock_cloexec_to_ppm(f);
	if (f >= 0 && (f & L_O_DIRECT))
		r |= PPM_O_DIRECT;
	return r;
}

/* clone(2) / unshare(2) / setns(2) flags. */
static __always_inline u32 clone_flags_to_ppm(unsigned long f)
{
	u32 r = 0;
	if (f & 0x00000400) r |= 1 << 0;  /* CLONE_FILES */
	if (f & 0x00000200) r |= 1 << 1;  /* CLONE_FS */
	if (f & 0x80000000) r |= 1 << 2;  /* CLONE_IO */
	if (f & 0x08000000) r |= 1 << 3;  /* CLONE_NEWIPC */
	if (f & 0x40000000) r |= 1 << 4;  /* CLONE_NEWNET */
	if (f & 0x00020000) r |= 1 << 5;  /* CLONE_NEWNS */
	if (f & 0x20000000) r |= 1 << 6;  /* CLONE_NEWPID */
	if (f & 0x04000000) r |= 1 << 7;  /* CLONE_NEWUTS */
	if (f & 0x00008000) r |= 1 << 8;  /* CLONE_PARENT */
	if (f & 0x00100000) r |= 1 << 9;  /* CLONE_PARENT_SETTID */
	if (f & 0x00002000) r |= 1 << 10; /* CLONE_PTRACE */
	if (f & 0x00000800) r |= 1 << 11; /* CLONE_SIGHAND */
	if (f & 0x00040000) r |= 1 << 12; /* CLONE_SYSVSEM */
	if (f & 0x00010000) r |= 1 << 13; /* CLONE_THREAD */
	if (f & 0x00800000) r |= 1 << 14; /* CLONE_UNTRACED */
	if (f & 0x00000100) r |= 1 << 15; /* CLONE_VM */
	if (f & 0x10000000) r |= 1 << 20; /* CLONE_NEWUSER */
	if (f & 0x00200000) r |= 1 << 23; /* CLONE_CHILD_CLEARTID */
	if (f & 0x01000000) r |= 1 << 24; /* CLONE_CHILD_SETTID */
	if (f & 0x00080000) r |= 1 << 25; /* CLONE_SETTLS */
	if (f & 0x00004000) r |= 1 << 27; /* CLONE_VFORK */
	if (f & 0x02000000) r |= 1 << 28; /* CLONE_NEWCGROUP */
	return r;
}

/* Address families: PPM uses the Linux numbers for every family it knows (up to AF_NFC). */
static __always_inline u8 family_to_ppm(u16 family)
{
	return family <= 39 ? (u8)family : 0;
}

static __always_inline u8 fcntl_cmd_to_ppm(int cmd)
{
	switch (cmd) {
	case 0: return 1;      /* F_DUPFD */
	case 1: return 2;      /* F_GETFD */
	case 2: return 3;      /* F_SETFD */
	case 3: return 4;      /* F_GETFL */
	case 4: return 5;      /* F_SETFL */
	case 5: return 6;      /* F_GETLK */
	case 6: return 8;      /* F_SETLK */
	case 7: return 9;      /* F_SETLKW */
	case 8: return 10;     /* F_SETOWN */
	case 9: return 12;     /* F_GETOWN */
	case 10: return 13;    /* F_SETSIG */
	case 11: return 15;    /* F_GETSIG */
	case 15: return 21;    /* F_SETOWN_EX */
	case 16: return 22;    /* F_GETOWN_EX */
	case 1024: return 23;  /* F_SETLEASE */
	case 1025: return 24;  /* F_GETLEASE */
	case 1029: return 25;  /* F_CANCELLK */
	case 1030: return 26;  /* F_DUPFD_CLOEXEC */
	case 1026: return 27;  /* F_NOTIFY */
	case 1031: return 28;  /* F_SETPIPE_SZ */
	case 1032: return 29;  /* F_GETPIPE_SZ */
	case 36: return 30;    /* F_OFD_GETLK */
	case 37: return 31;    /* F_OFD_SETLK */
	case 38: return 32;    /* F_OFD_SETLKW */
	default: return 0;
	}
}

static __always_inline u16 ptrace_request_to_ppm(unsigned long req)
{
	switch (req) {
	case 0: return 1;       /* TRACEME */
	case 1: return 2;       /* PEEKTEXT */
	case 2: return 3;       /* PEEKDATA */
	case 3: return 4;       /* PEEKUSR */
	case 4: return 5;       /* POKETEXT */
	case 5: return 6;       /* POKEDATA */
	case 6: return 7;       /* POKEUSR */
	case 7: return 8;       /* CONT */
	case 8: return 9;       /* KILL */
	case 9: return 10;      /* SINGLESTEP */
	case 16: return 11;     /* ATTACH */
	case 17: return 12;     /* DETACH */
	case 24: return 13;     /* SYSCALL */
	case 0x4200: return 14; /* SETOPTIONS */
	case 0x4201: return 15; /* GETEVENTMSG */
	case 0x4202: return 16; /* GETSIGINFO */
	case 0x4203: return 17; /* SETSIGINFO */
	case 0x4204: return 18; /* GETREGSET */
	case 0x4205: return 19; /* SETREGSET */
	case 0x4206: return 20; /* SEIZE */
	case 0x4207: return 21; /* INTERRUPT */
	case 0x4208: return 22; /* LISTEN */
	case 0x4209: return 23; /* PEEKSIGINFO */
	case 0x420a: return 24; /* GETSIGMASK */
	case 0x420b: return 25; /* SETSIGMASK */
	case 12: return 26;     /* GETREGS */
	case 13: return 27;     /* SETREGS */
	case 14: return 28;     /* GETFPREGS */
	case 15: return 29;     /* SETFPREGS */
	case 18: return 30;     /* GETFPXREGS */
	case 19: return 31;     /* SETFPXREGS */
	case 21: return 32;     /* OLDSETOPTIONS */
	case 25: return 33;     /* GET_THREAD_AREA */
	case 26: return 34;     /* SET_THREAD_AREA */
	case 30: return 35;     /* ARCH_PRCTL */
	case 31: return 36;     /* SYSEMU */
	case 32: return 37;     /* SYSEMU_SINGLESTEP */
	case 33: return 38;     /* SINGLEBLOCK */
	default: return 0;
	}
}

/* rlimit resources: PPM numbers equal Linux's for the 16 known resources. */
static __always_inline u8 rlimit_resource_to_ppm(u32 resource)
{
	return resource < 16 ? (u8)resource : 255;
}

static __always_inline u8 shutdown_how_to_ppm(unsigned long how)
{
	return how <= 2 ? (u8)how : 0xff;
}

static __always_inline u32 flock_op_to_ppm(int op)
{
	u32 r = 0;
	if (op & 1) r |= 1 << 0; /* LOCK_SH */
	if (op & 2) r |= 1 << 1; /* LOCK_EX */
	if (op & 4) r |= 1 << 2; /* LOCK_NB */
	if (op & 8) r |= 1 << 3; /* LOCK_UN */
	return r;
}

static __always_inline u32 io_uring_setup_flags_to_ppm(u32 f)
{
	u32 r = 0;
	if (f & (1 << 0)) r |= 1 << 0; /* IOPOLL */
	if (f & (1 << 1)) r |= 1 << 1; /* SQPOLL */
	if (f & (1 << 2)) r |= 1 << 3; /* SQ_AFF */
	if (f & (1 << 3)) r |= 1 << 4; /* CQSIZE */
	if (f & (1 << 4)) r |= 1 << 5; /* CLAMP */
	if (f & (1 << 5)) r |= 1 << 6; /* ATTACH_WQ */
	if (f & (1 << 6)) r |= 1 << 7; /* R_DISABLED */
	return r;
}

/* io_uring features: PPM numbers equal the kernel's for the 11 known features. */
static __always_inline u32 io_uring_features_to_ppm(u32 f)
{
	return f & 0x7ff;
}

static __always_inline u32 openat2_resolve_to_ppm(u64 f)
{
	u32 r = 0;
	if (f & 0x01) r |= 1 << 4; /* RESOLVE_NO_XDEV */
	if (f & 0x02) r |= 1 << 2; /* RESOLVE_NO_MAGICLINKS */
	if (f & 0x04) r |= 1 << 3; /* RESOLVE_NO_SYMLINKS */
	if (f & 0x08) r |= 1 << 0; /* RESOLVE_BENEATH */
	if (f & 0x10) r |= 1 << 1; /* RESOLVE_IN_ROOT */
	if (f & 0x20) r |= 1 << 5; /* RESOLVE_CACHED */
	return r;
}

static __always_inline u32 linkat_flags_to_ppm(int f)
{
	return (u32)f & (0x400 | 0x1000); /* AT_SYMLINK_FOLLOW, AT_EMPTY_PATH: same values */
}

static __always_inline u32 unlinkat_flags_to_ppm(int f)
{
	return (u32)f & 0x200; /* AT_REMOVEDIR */
}

static __always_inline u32 umount2_flags_to_ppm(int f)
{
	return (u32)f & 0xf; /* MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW: same values */
}

static __always_inline u32 memfd_flags_to_ppm(u32 f)
{
	return f & 0x7; /* MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB: same values */
}

static __always_inline u32 finit_module_flags_to_ppm(int f)
{
	return (u32)f & 0x7; /* IGNORE_MODVERSIONS, IGNORE_VERMAGIC, COMPRESSED_FILE: same values */
}

static __always_inline u32 delete_module_flags_to_ppm(unsigned long f)
{
	u32 r = 0;
	if (f & L_O_TRUNC) r |= 1 << 0;
	if (f & L_O_NONBLOCK) r |= 1 << 1;
	return r;
}

static __always_inline u32 close_range_flags_to_ppm(unsigned long f)
{
	return (u32)f & ((1 << 1) | (1 << 2)); /* CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC */
}

static __always_inline u32 epoll_create1_flags_to_ppm(int f)
{
	return (f & L_O_CLOEXEC) ? 1 : 0; /* EPOLL_CLOEXEC == O_CLOEXEC */
}

static __always_inline u32 pidfd_open_flags_to_ppm(u32 f)
{
	return (f & L_O_NONBLOCK) ? 1 : 0;
}
