// SPDX-License-Identifier: GPL-2.0
/*
 * The blocks describing the host at the start of the stream: section header, machine info,
 * network interfaces and the user/group list, in the layouts a .scap file uses.
 */
#define _GNU_SOURCE
#include "host.h"
#include "../common/shared.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void write_section_header(struct buf *b)
{
	size_t start = block_begin(b, SCAP_SHB_BLOCK);
	buf_u32(b, SCAP_SHB_MAGIC);
	buf_u16(b, 1);                     /* major version */
	buf_u16(b, 2);                     /* minor version */
	buf_u64(b, 0xffffffffffffffffULL); /* section length: unknown (a stream) */
	block_end(b, start);
}

static uint64_t read_u64_file(const char *path, uint64_t fallback)
{
	FILE *f = fopen(path, "r");
	unsigned long long v;
	if (!f)
		return fallback;
	if (fscanf(f, "%llu", &v) != 1)
		v = fallback;
	fclose(f);
	return v;
}

void write_machine_info(struct buf *b, uint64_t boot_epoch_ns)
{
	char hostname[128] = {0};
	const char *env = getenv("FALCO_HOSTNAME"); /* the same override libscap honours */
	if (env)
		snprintf(hostname, sizeof(hostname), "%s", env);
	else
		gethostname(hostname, sizeof(hostname) - 1);

	size_t start = block_begin(b, SCAP_MI_BLOCK);
	buf_u32(b, (uint32_t)sysconf(_SC_NPROCESSORS_ONLN));
	buf_u64(b, (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE));
	buf_u64(b, read_u64_file("/proc/sys/kernel/pid_max", 32768));
	buf_put(b, hostname, sizeof(hostname));
	buf_u64(b, boot_epoch_ns); /* boot_ts_epoch */
	buf_u64(b, 0);             /* flags */
	buf_u64(b, 0);             /* reserved */
	buf_u64(b, 0);             /* reserved */
	block_end(b, start);
}

#define SCAP_II_IPV4 1
#define SCAP_II_IPV6 2

void write_interface_list(struct buf *b)
{
	struct ifaddrs *ifs = NULL, *i;
	if (getifaddrs(&ifs) != 0)
		return;
	size_t start = block_begin(b, SCAP_IL_BLOCK_V2);
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		uint16_t namelen = (uint16_t)strnlen(i->ifa_name, IFNAMSIZ);
		uint32_t addr = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		uint32_t mask = i->ifa_netmask ? ((struct sockaddr_in *)i->ifa_netmask)->sin_addr.s_addr : 0;
		uint32_t bcast = (i->ifa_flags & IFF_BROADCAST) && i->ifa_broadaddr
					 ? ((struct sockaddr_in *)i->ifa_broadaddr)->sin_addr.s_addr
					 : 0;
		buf_u32(b, 24 + namelen); /* entry length, not counting this field */
		buf_u16(b, SCAP_II_IPV4);
		buf_u16(b, namelen);
		buf_u32(b, addr);
		buf_u32(b, mask);
		buf_u32(b, bcast);
		buf_u64(b, 0); /* link speed: unknown */
		buf_put(b, i->ifa_name, namelen);
	}
	for (i = ifs; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6)
			continue;
		uint16_t namelen = (uint16_t)strnlen(i->ifa_name, IFNAMSIZ);
		static const uint8_t zero16[16];
		buf_u32(b, 60 + namelen);
		buf_u16(b, SCAP_II_IPV6);
		buf_u16(b, namelen);
		buf_put(b, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, 16);
		buf_put(b, i->ifa_netmask ? (const void *)&((struct sockaddr_in6 *)i->ifa_netmask)->sin6_addr
					  : (const void *)zero16, 16);
		buf_put(b, zero16, 16); /* no broadcast in IPv6 */
		buf_u64(b, 0);
		buf_put(b, i->ifa_name, namelen);
	}
	block_end(b, start);
	freeifaddrs(ifs);
}

/* Splits a colon-separated /etc/passwd or /etc/group line in place. */
static int split_fields(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	line[strcspn(line, "\n")] = 0;
	while (n < max) {
		fields[n++] = p;
		char *c = strchr(p, ':');
		if (!c)
			break;
		*c = 0;
		p = c + 1;
	}
	return n;
}

#define USERBLOCK_TYPE_USER 0
#define USERBLOCK_TYPE_GROUP 1

void write_user_list(struct buf *b, const char *root)
{
	char path[4096], line[4096];
	char *f[7];
	size_t start = block_begin(b, SCAP_UL_BLOCK_V2);

	snprintf(path, sizeof(path), "%s/etc/passwd", root);
	FILE *pw = fopen(path, "r");
	while (pw && fgets(line, sizeof(line), pw)) {
		if (line[0] == '#' || split_fields(line, f, 7) < 7)
			continue;
		size_t entry = b->len;
		buf_u32(b, 0);
		buf_u8(b, USERBLOCK_TYPE_USER);
		buf_u32(b, (uint32_t)strtoul(f[2], NULL, 10));
		buf_u32(b, (uint32_t)strtoul(f[3], NULL, 10));
		buf_str16(b, f[0]);
		buf_str16(b, f[5]);
		buf_str16(b, f[6]);
		uint32_t len = (uint32_t)(b->len - entry); /* includes the length field itself */
		memcpy(b->data + entry, &len, 4);
	}
	if (pw)
		fclose(pw);

	snprintf(path, sizeof(path), "%s/etc/group", root);
	FILE *gr = fopen(path, "r");
	while (gr && fgets(line, sizeof(line), gr)) {
		if (line[0] == '#' || split_fields(line, f, 4) < 3)
			continue;
		size_t entry = b->len;
		buf_u32(b, 0);
		buf_u8(b, USERBLOCK_TYPE_GROUP);
		buf_u32(b, (uint32_t)strtoul(f[2], NULL, 10));
		buf_str16(b, f[0]);
		uint32_t len = (uint32_t)(b->len - entry);
		memcpy(b->data + entry, &len, 4);
	}
	if (gr)
		fclose(gr);
	block_end(b, start);
}
