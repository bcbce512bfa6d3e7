/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building one scap event in a per-CPU scratch area, then copying it into the ring buffer.
 *
 * An event is written as a complete scap EV block (see common/shared.h), so user space forwards the
 * ring buffer's records unchanged. Parameters are appended in the order of the event table: the u16
 * length of parameter i goes to the length array after the event header, its bytes to the payload.
 *
 * Verifier notes: every write offset is read back from the scratch area and masked with DATA_MASK,
 * so the verifier sees a bounded offset into a map value whose size leaves room for the largest
 * single write after the mask (DATA_SLACK). Keeping the cursors in the map (not in stack variables)
 * also keeps them imprecise, which keeps bpf_loop callbacks and long handlers verifiable.
 */
#pragma once

#include "kernel.h"
#include "../common/shared.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#define DATA_MASK (MAX_BLOCK_LEN - 1)
#define STR_MAX 4096                   /* PATH_MAX: longest string parameter */
#define DATA_SLACK (2 * STR_MAX)
#define PATH_TMP 4096                  /* assembly area for paths built from dentries */
#define PATH_TMP_MASK (PATH_TMP - 1)
#define ARGS_MAX 4096                  /* argv / environment bytes kept, as Falco */

struct scratch {
	u8 data[MAX_BLOCK_LEN + DATA_SLACK];
	u8 tmp[PATH_TMP + 512];
	u64 pos;       /* next payload byte */
	u64 lens;      /* next parameter-length slot */
	u64 walk;      /* path assembly cursor in tmp (paths are built backwards) */
	u64 nparams;
	u64 type;
};

/* Per-CPU scratch: a plain ARRAY with one slot per CPU (PERCPU_ARRAY values are limited to 32 KiB);
 * the loader sets max_entries to the number of possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct scratch);
} scratch_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024); /* resized by the loader */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");


/* Changed by the loader at run time through the memory-mapped .bss. */
volatile u32 excluded_tgids[MAX_EXCLUDED_TGIDS];
/* Set when the loader stops: nothing new is captured while it drains the ring buffer (detaching
 * from ~100 tracepoints takes seconds, so it happens after the stream is complete). */
volatile u32 capture_stopped;
/* Added to CLOCK_MONOTONIC to get the wall clock; the loader refreshes it every second, which
 * also follows clock steps and suspends (cheaper than reading CLOCK_BOOTTIME per event). */
volatile u64 monotonic_to_epoch_ns;
volatile u32 snaplen = DEFAULT_SNAPLEN;
/* engine.modern_ebpf.drop_failed_exit: syscall exits with a negative return value are not sent. */
volatile u32 drop_failed;

enum event_class { CLASS_PROC, CLASS_FILE, CLASS_NET, CLASS_OTHER };

static __always_inline void stat_add(u32 slot)
{
	u64 *v = bpf_map_lookup_elem(&stats, &slot);
	if (v)
		*v += 1;
}

static __always_inline bool is_excluded(u32 tgid)
{
	if (capture_stopped)
		return true;
#pragma unroll
	for (int i = 0; i < MAX_EXCLUDED_TGIDS; i++) {
		if (excluded_tgids[i] == tgid)
			return true;
	}
	return false;
}

static __always_inline struct scratch *event_begin(u16 type, u32 nparams)
{
	u32 cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch_map, &cpu);
	if (!s) {
		stat_add(STAT_DROP_NO_SCRATCH);
		return NULL;
	}
	s->type = type;
	s->nparams = nparams;
	s->lens = BLOCK_PREFIX_LEN + EVENT_HEADER_LEN;
	s->pos = s->lens + 2 * (u64)nparams;
	return s;
}

static __always_inline void put_len(struct scratch *s, u16 len)
{
	*(u16 *)&s->data[s->lens & DATA_MASK] = len;
	s->lens += 2;
}

#define DEFINE_PUT(name, type)                                             \
	static __always_inline void name(struct scratch *s, type v)        \
	{                                                                  \
		*(type *)&s->data[s->pos & DATA_MASK] = v;                 \
		s->pos += sizeof(type);                                    \
		put_len(s, sizeof(type));                                  \
	}
DEFINE_PUT(put_u8, u8)
DEFINE_PUT(put_u16, u16)
DEFINE_PUT(put_u32, u32)
DEFINE_PUT(put_u64, u64)
DEFINE_PUT(put_s64, s64)

static __always_inline void put_empty(struct scratch *s)
{
	put_len(s, 0);
}

/* Raw bytes inside a parameter being assembled by the caller (no length slot). */
static __always_inline void raw_u8(struct scratch *s, u8 v)
{
	s->data[s->pos & DATA_MASK] = v;
	s->pos += 1;
}
static __always_inline void raw_u16(struct scratch *s, u16 v)
{
	*(u16 *)&s->data[s->pos & DATA_MASK] = v;
	s->pos += 2;
}
static __always_inline void raw_u32(struct scratch *s, u32 v)
{
	*(u32 *)&s->data[s->pos & DATA_MASK] = v;
	s->pos += 4;
}
static __always_inline void raw_u64(struct scratch *s, u64 v)
{
	*(u64 *)&s->data[s->pos & DATA_MASK] = v;
	s->pos += 8;
}

/* NUL-terminated string from user memory; returns the bytes written (0: empty parameter). */
static __always_inline u16 put_user_str(struct scratch *s, const void *ptr)
{
	long n = 0;
	if (ptr) {
		n = bpf_probe_read_user_str(&s->data[s->pos & DATA_MASK], STR_MAX, ptr);
		if (n < 0) {
			stat_add(STAT_READ_FAULTS);
			n = 0;
		}
	}
	s->pos += n;
	put_len(s, n);
	return n;
}

static __always_inline u16 put_kernel_str(struct scratch *s, const void *ptr)
{
	long n = 0;
	if (ptr) {
		n = bpf_probe_read_kernel_str(&s->data[s->pos & DATA_MASK], STR_MAX, ptr);
		if (n < 0)
			n = 0;
	}
	s->pos += n;
	put_len(s, n);
	return n;
}

/* Appends up to `len` (<= STR_MAX) bytes of user memory without a length slot; returns the count. */
static __always_inline u32 raw_user_bytes(struct scratch *s, const void *ptr, u64 len)
{
	if (!ptr || len == 0)
		return 0;
	if (len > STR_MAX)
		len = STR_MAX;
	if (bpf_probe_read_user(&s->data[s->pos & DATA_MASK], len & (2 * STR_MAX - 1), ptr)) {
		stat_add(STAT_READ_FAULTS);
		return 0;
	}
	s->pos += len;
	return len;
}

static __always_inline void put_user_bytes(struct scratch *s, const void *ptr, u64 len)
{
	put_len(s, raw_user_bytes(s, ptr, len));
}

static __always_inline u32 current_snaplen(void)
{
	u32 n = snaplen;
	return n > MAX_SNAPLEN ? MAX_SNAPLEN : n;
}

/* Closes the block (padding, trailer, headers) and copies it into the ring buffer. */
static __always_inline void event_submit(struct scratch *s, u32 tid, enum event_class cls)
{
	u64 end = s->pos;
	u64 block_len = ((end + 3) & ~3ULL) + 4;
	if (block_len > MAX_BLOCK_LEN) {
		stat_add(STAT_DROP_TOO_LARGE);
		return;
	}
	*(u32 *)&s->data[end & DATA_MASK] = 0;                     /* padding */
	*(u32 *)&s->data[(block_len - 4) & DATA_MASK] = block_len; /* trailer */

	*(u32 *)&s->data[0] = SCAP_EV_BLOCK_V2;
	*(u32 *)&s->data[4] = block_len;
	*(u16 *)&s->data[8] = bpf_get_smp_processor_id();
	*(u64 *)&s->data[10] = bpf_ktime_get_ns() + monotonic_to_epoch_ns;
	*(u64 *)&s->data[18] = tid;
	*(u32 *)&s->data[26] = end - BLOCK_PREFIX_LEN;
	*(u16 *)&s->data[30] = s->type;
	*(u32 *)&s->data[32] = s->nparams;

	/* Never wake the loader: it drains the buffer on a timer, and faster while data keeps coming.
	 * A wake-up per event would cost more than the event itself. */
	if (bpf_ringbuf_output(&events, s->data, block_len, BPF_RB_NO_WAKEUP)) {
		stat_add(STAT_DROP_BUFFER_FULL);
		if (cls == CLASS_PROC)
			stat_add(STAT_DROP_PROC);
		else if (cls == CLASS_FILE)
			stat_add(STAT_DROP_FILE);
		else if (cls == CLASS_NET)
			stat_add(STAT_DROP_NET);
		return;
	}
	stat_add(STAT_EVENTS);
}
