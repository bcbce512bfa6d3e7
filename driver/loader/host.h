/* SPDX-License-Identifier: GPL-2.0 */
#pragma once

#include "scap_out.h"

void write_section_header(struct buf *b);
void write_machine_info(struct buf *b, uint64_t boot_epoch_ns);
void write_interface_list(struct buf *b);
/* Users and groups from <root>/etc/passwd and <root>/etc/group (root "" for the host). */
void write_user_list(struct buf *b, const char *root);
/* The process list (every user-space thread) and the fd list of every process, scanned from
 * <root>/proc as libscap does (see proc_scan.c). Returns the number of threads listed. */
int write_process_tables(struct buf *b, const char *root);
