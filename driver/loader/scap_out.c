// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "scap_out.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < b->len + extra)
		cap *= 2;
	uint8_t *d = realloc(b->data, cap);
	if (!d) {
		fprintf(stderr, "{\"type\":\"error\",\"code\":\"memory\",\"message\":\"out of memory\"}\n");
		exit(1);
	}
	b->data = d;
	b->cap = cap;
}

void buf_put(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void buf_u8(struct buf *b, uint8_t v) { buf_put(b, &v, 1); }
void buf_u16(struct buf *b, uint16_t v) { buf_put(b, &v, 2); }
void buf_u32(struct buf *b, uint32_t v) { buf_put(b, &v, 4); }
void buf_u64(struct buf *b, uint64_t v) { buf_put(b, &v, 8); }

void buf_bytes16(struct buf *b, const void *p, size_t n)
{
	if (n > 0xffff)
		n = 0xffff;
	buf_u16(b, (uint16_t)n);
	buf_put(b, p, n);
}

void buf_str16(struct buf *b, const char *s)
{
	buf_bytes16(b, s, strnlen(s, 4096));
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

size_t block_begin(struct buf *b, uint32_t type)
{
	size_t start = b->len;
	buf_u32(b, type);
	buf_u32(b, 0);
	return start;
}

void block_end(struct buf *b, size_t start)
{
	static const uint8_t zero[4];
	size_t body = b->len - start - 8;
	buf_put(b, zero, (4 - body % 4) % 4);
	uint32_t total = (uint32_t)(b->len - start + 4);
	buf_u32(b, total);
	memcpy(b->data + start + 4, &total, 4);
}

static int out_fd = 1;
static uint8_t *out_buf;
static size_t out_len, out_cap;
static unsigned long long out_total;

int out_init(int fd, size_t capacity)
{
	out_fd = fd;
	out_cap = capacity;
	out_buf = malloc(capacity);
	return out_buf ? 0 : -1;
}

int out_flush(void)
{
	size_t off = 0;
	while (off < out_len) {
		ssize_t w = write(out_fd, out_buf + off, out_len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1; /* EPIPE: the consumer went away */
		}
		off += (size_t)w;
	}
	out_total += out_len;
	out_len = 0;
	return 0;
}

int out_write(const void *p, size_t n)
{
	if (out_len + n > out_cap && out_flush() < 0)
		return -1;
	if (n > out_cap) { /* larger than the whole buffer: write through */
		size_t off = 0;
		while (off < n) {
			ssize_t w = write(out_fd, (const uint8_t *)p + off, n - off);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -1;
			}
			off += (size_t)w;
		}
		out_total += n;
		return 0;
	}
	memcpy(out_buf + out_len, p, n);
	out_len += n;
	return 0;
}

unsigned long long out_bytes_written(void)
{
	return out_total + out_len;
}
