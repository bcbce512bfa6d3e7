/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which syscalls are captured: attaching the probe's handler programs to the per-syscall exit
 * tracepoints of exactly the selected syscalls, and changing that set at run time.
 */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct peregrine;

/* Finds (mounting it when needed) the tracefs directory holding the syscall tracepoints.
 * Returns 0, or -1 with a message in `err`. */
int selection_init(struct peregrine *skel, char *err, size_t errlen);

/* Replaces the selection with the comma/space separated syscall names in `list` (ppm_sc names as
 * Falco's base_syscalls uses them; `all` selects every syscall this kernel has a tracepoint for).
 * Names that are not syscalls of this machine are reported, not fatal. Writes the JSON fields
 * describing the outcome to `report`: "unsupported" (not syscalls), "failed" (attach errors),
 * "unavailable" (syscalls this kernel has no tracepoint for, e.g. module calls without module
 * support; not listed for `all`), "selected". Returns the number of attach errors. */
int selection_apply(const char *list, FILE *report);

/* Detaches everything (used on shutdown so no new events are produced while draining). */
void selection_detach_all(void);

/* Number of syscalls currently attached. */
int selection_count(void);

/* Fills the probe's ppm_sc lookup for generic events. */
int selection_fill_ppm_sc_map(int map_fd);
