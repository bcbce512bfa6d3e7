/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building scap blocks in memory and writing them to the output stream.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. Allocation failure aborts the loader (it cannot do its job without
 * memory, and a clear message beats a corrupted stream). */
struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_put(struct buf *b, const void *p, size_t n);
void buf_u8(struct buf *b, uint8_t v);
void buf_u16(struct buf *b, uint16_t v);
void buf_u32(struct buf *b, uint32_t v);
void buf_u64(struct buf *b, uint64_t v);
/* A u16 length followed by the string's bytes, without NUL (the scap "string" layout). */
void buf_str16(struct buf *b, const char *s);
/* A u16 length followed by `n` raw bytes. */
void buf_bytes16(struct buf *b, const void *p, size_t n);
void buf_free(struct buf *b);

/* Starts a block of `type`; returns the offset to pass to block_end. */
size_t block_begin(struct buf *b, uint32_t type);
/* Pads the block to 4 bytes, appends the trailer and fills in the total length. */
void block_end(struct buf *b, size_t start);

/* The output stream (standard output by default): a large buffer flushed with write(2). */
int out_init(int fd, size_t capacity);
/* Appends bytes, flushing first when they do not fit; returns -1 when the consumer is gone. */
int out_write(const void *p, size_t n);
int out_flush(void);
unsigned long long out_bytes_written(void);
