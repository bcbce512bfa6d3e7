/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Definitions shared by the probe (BPF) and the loader (user space): statistics slots, limits and
 * the scap block framing that the probe writes around every event.
 */
#pragma once

/* Per-CPU counters kept by the probe (BPF_MAP_TYPE_PERCPU_ARRAY `stats`). The loader sums them
 * over CPUs and reports them on its stats channel under the names in the comments. */
enum driver_stat {
	STAT_EVENTS = 0,         /* "events": events written to the ring buffer */
	STAT_DROP_BUFFER_FULL,   /* "buffer_full": ring buffer had no room (consumer too slow) */
	STAT_DROP_TOO_LARGE,     /* "too_large": event exceeded the maximum event size */
	STAT_DROP_NO_SCRATCH,    /* "no_scratch": per-CPU scratch area unavailable (should not happen) */
	STAT_READ_FAULTS,        /* "read_faults": a user-memory read failed; parameter sent empty */
	STAT_DROP_PROC,          /* buffer_full drops of process events (clone, execve, procexit) */
	STAT_DROP_FILE,          /* ... of file events (open, close, rename, ...) */
	STAT_DROP_NET,           /* ... of network events (socket, connect, ...) */
	STAT_MAX
};

/* Block types of the scap file format (libscap scap_savefile.h). */
#define SCAP_SHB_BLOCK 0x0A0D0D0A
#define SCAP_SHB_MAGIC 0x1A2B3C4D
#define SCAP_MI_BLOCK 0x201
#define SCAP_PL_BLOCK_V9 0x215
#define SCAP_FDL_BLOCK_V2 0x218
#define SCAP_EV_BLOCK_V2 0x216
#define SCAP_IL_BLOCK_V2 0x219
#define SCAP_UL_BLOCK_V2 0x220

/* The probe writes each event as a complete EV block, so the loader only copies bytes:
 *   u32 block_type, u32 block_total_length, u16 cpu_id,
 *   event: u64 ts, u64 tid, u32 len, u16 type, u32 nparams, u16 param_len[nparams], params,
 *   padding to 4 bytes, u32 block_total_length. */
#define BLOCK_PREFIX_LEN 10
#define EVENT_HEADER_LEN 26

/* Largest block the probe emits (param lengths are u16 and the scratch area is 64 KiB). */
#define MAX_BLOCK_LEN (64 * 1024)

/* Default number of bytes of I/O buffers copied into events (Falco's snaplen). */
#define DEFAULT_SNAPLEN 80
#define MAX_SNAPLEN 4096

/* How many tgids the loader can exclude from capture (itself, the Node agent, ...). */
#define MAX_EXCLUDED_TGIDS 8
