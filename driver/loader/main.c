// SPDX-License-Identifier: GPL-2.0
/*
 * peregrine-driver: loads the capture probe, attaches it to the selected syscalls and writes a
 * scap stream to standard output: the section header, machine info, interfaces, users and groups,
 * the process and fd tables scanned from /proc, then one EV block per captured event, exactly as
 * the probe wrote it into the ring buffer.
 *
 * Standard input is a control channel, one command per line:
 *   select <names>   replace the captured syscalls (comma separated ppm_sc names, or `all`)
 *   exclude <tgid>   stop capturing a process        include <tgid>   resume capturing it
 *   snaplen <bytes>  I/O data bytes kept per event   stats            report statistics now
 *   stop             drain and exit (same as SIGTERM or SIGINT)
 * Standard error carries one JSON object per line: {"type":"ready"|"selection"|"stats"|"error"|
 * "warning"|"exit", ...}. Exit status: 0 after a clean stop, 77 when capabilities are missing,
 * 1 on any other failure, 3 when the consumer of standard output went away.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
typedef __u32 u32;
typedef __u64 u64;
#include "peregrine.skel.h"

#include "../common/shared.h"
#include "host.h"
#include "scap_out.h"
#include "selection.h"

#define EXIT_NO_CAPS 77
#define EXIT_CONSUMER_GONE 3

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct options {
	const char *syscalls;
	unsigned ring_mb;
	unsigned poll_ms;
	unsigned stats_ms;
	unsigned snaplen;
	bool drop_failed;
	u32 excluded[MAX_EXCLUDED_TGIDS];
	int n_excluded;
	bool no_proc_scan;
	bool verbose;
};

static struct peregrine *skel;
static struct options opt = {
	.syscalls = "",
	.ring_mb = 16,
	.poll_ms = 10,
	.stats_ms = 1000,
	.snaplen = DEFAULT_SNAPLEN,
};

/* ------------------------------------------------------------------ messages on stderr */

static void json_error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void json_error(const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p; p++)
		if (*p == '"' || *p == '\\' || *p == '\n')
			*p = '\'';
	fprintf(stderr, "{\"type\":\"error\",\"code\":\"%s\",\"message\":\"%s\"}\n", code, msg);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !opt.verbose)
		return 0;
	/* libbpf's own lines are not JSON; the process manager logs non-JSON lines as they are. */
	return vfprintf(stderr, fmt, ap);
}

static u64 clock_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (u64)ts.tv_sec * 1000000000ULL + (u64)ts.tv_nsec;
}

/* ------------------------------------------------------------------ capabilities */

static u64 effective_caps(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {};
	if (syscall(SYS_capget, &h, d) != 0)
		return 0;
	return d[0].effective | ((u64)d[1].effective << 32);
}

#define CAP_BIT(n) (1ULL << (n))
#define CAP_SYS_ADMIN_N 21
#define CAP_PERFMON_N 38
#define CAP_BPF_N 39

static int check_capabilities(void)
{
	u64 caps = effective_caps();
	bool admin = caps & CAP_BIT(CAP_SYS_ADMIN_N);
	bool bpf = caps & CAP_BIT(CAP_BPF_N);
	bool perfmon = caps & CAP_BIT(CAP_PERFMON_N);
	if (admin || (bpf && perfmon))
		return 0;
	char missing[64] = "";
	if (!bpf)
		strcat(missing, "CAP_BPF");
	if (!perfmon)
		strcat(missing, missing[0] ? ", CAP_PERFMON" : "CAP_PERFMON");
	fprintf(stderr,
		"{\"type\":\"error\",\"code\":\"capabilities\",\"missing\":\"%s\",\"euid\":%u,"
		"\"message\":\"the eBPF driver needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); missing: %s. "
		"Run as root, or grant the capabilities (setcap cap_bpf,cap_perfmon,cap_sys_admin,"
		"cap_dac_read_search,cap_sys_ptrace+ep on the driver, or add them to the container)\"}\n",
		missing, geteuid(), missing);
	return -1;
}

/* ------------------------------------------------------------------ statistics */

static u64 stat_sum(int key)
{
	int ncpu = libbpf_num_possible_cpus();
	u64 total = 0;
	u64 *vals = calloc((size_t)ncpu, sizeof(u64));
	if (vals && bpf_map_lookup_elem(bpf_map__fd(skel->maps.stats), &key, vals) == 0)
		for (int i = 0; i < ncpu; i++)
			total += vals[i];
	free(vals);
	return total;
}

static unsigned long long records_written;

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void report_stats(const char *type)
{
	fprintf(stderr,
		"{\"type\":\"%s\",\"events\":%llu,\"drops\":{\"buffer_full\":%llu,\"too_large\":%llu,"
		"\"no_scratch\":%llu},\"buffer_full_by_class\":{\"process\":%llu,\"file\":%llu,\"net\":%llu},"
		"\"read_faults\":%llu,\"written_events\":%llu,\"written_bytes\":%llu,\"selected\":%d,"
		"\"cpu_seconds\":%.3f}\n",
		type, (unsigned long long)stat_sum(STAT_EVENTS), (unsigned long long)stat_sum(STAT_DROP_BUFFER_FULL),
		(unsigned long long)stat_sum(STAT_DROP_TOO_LARGE), (unsigned long long)stat_sum(STAT_DROP_NO_SCRATCH),
		(unsigned long long)stat_sum(STAT_DROP_PROC), (unsigned long long)stat_sum(STAT_DROP_FILE),
		(unsigned long long)stat_sum(STAT_DROP_NET), (unsigned long long)stat_sum(STAT_READ_FAULTS),
		records_written, out_bytes_written(), selection_count(), cpu_seconds());
	fflush(stderr);
}

/* The probe timestamps events with CLOCK_MONOTONIC plus this offset: refreshed periodically so
 * event times follow the wall clock across clock steps and suspends. */
static void refresh_clock_offset(void)
{
	skel->bss->monotonic_to_epoch_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

/* ------------------------------------------------------------------ exclusion */

static void set_excluded(void)
{
	for (int i = 0; i < MAX_EXCLUDED_TGIDS; i++)
		skel->bss->excluded_tgids[i] = i < opt.n_excluded ? opt.excluded[i] : 0;
}

static bool exclude_tgid(u32 tgid)
{
	for (int i = 0; i < opt.n_excluded; i++)
		if (opt.excluded[i] == tgid)
			return true;
	if (opt.n_excluded == MAX_EXCLUDED_TGIDS)
		return false;
	opt.excluded[opt.n_excluded++] = tgid;
	set_excluded();
	return true;
}

static void include_tgid(u32 tgid)
{
	for (int i = 1; i < opt.n_excluded; i++) { /* slot 0 is the loader itself */
		if (opt.excluded[i] == tgid) {
			opt.excluded[i] = opt.excluded[--opt.n_excluded];
			set_excluded();
			return;
		}
	}
}

/* ------------------------------------------------------------------ control channel */

static void apply_selection(const char *list)
{
	fprintf(stderr, "{\"type\":\"selection\",");
	int failures = selection_apply(list, stderr);
	fprintf(stderr, ",\"failures\":%d}\n", failures);
	fflush(stderr);
}

static void handle_command(char *line)
{
	line[strcspn(line, "\r\n")] = 0;
	char *arg = strchr(line, ' ');
	if (arg)
		*arg++ = 0;
	else
		arg = "";
	if (!strcmp(line, "select")) {
		apply_selection(arg);
	} else if (!strcmp(line, "exclude")) {
		if (!exclude_tgid((u32)strtoul(arg, NULL, 10)))
			json_error("control", "cannot exclude %s: at most %d processes can be excluded", arg,
				   MAX_EXCLUDED_TGIDS - 1);
	} else if (!strcmp(line, "include")) {
		include_tgid((u32)strtoul(arg, NULL, 10));
	} else if (!strcmp(line, "snaplen")) {
		unsigned n = (unsigned)strtoul(arg, NULL, 10);
		skel->data->snaplen = n > MAX_SNAPLEN ? MAX_SNAPLEN : n;
	} else if (!strcmp(line, "stats")) {
		report_stats("stats");
	} else if (!strcmp(line, "stop")) {
		stop_requested = 1;
	} else if (line[0]) {
		json_error("control", "unknown command '%s' (expected select, exclude, include, snaplen, stats or stop)",
			   line);
	}
}

static char control_buf[65536];
static size_t control_len;
static bool control_open = true;

static void read_control(void)
{
	ssize_t n = read(0, control_buf + control_len, sizeof(control_buf) - 1 - control_len);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			control_open = false; /* EOF: keep capturing, stop listening */
		return;
	}
	control_len += (size_t)n;
	char *start = control_buf, *nl;
	while ((nl = memchr(start, '\n', control_len - (size_t)(start - control_buf)))) {
		*nl = 0;
		handle_command(start);
		start = nl + 1;
	}
	control_len -= (size_t)(start - control_buf);
	memmove(control_buf, start, control_len);
	if (control_len == sizeof(control_buf) - 1) { /* a line longer than the buffer: drop it */
		json_error("control", "command line longer than %zu bytes ignored", sizeof(control_buf) - 1);
		control_len = 0;
	}
}

/* ------------------------------------------------------------------ ring buffer */

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (out_write(data, size) < 0)
		return -EPIPE;
	records_written++;
	return 0;
}

/* ------------------------------------------------------------------ main */

static void usage(void)
{
	fprintf(stderr,
		"usage: peregrine-driver [options]\n"
		"  --syscalls LIST        syscalls to capture at start (comma separated, or 'all')\n"
		"  --exclude-pid PID      do not capture this process (repeatable; the driver never captures itself)\n"
		"  --ring-mb N            ring buffer size in MiB, a power of two (default 16)\n"
		"  --poll-ms N            how often the ring buffer is drained when idle (default 10)\n"
		"  --stats-ms N           statistics interval on stderr, 0 to disable (default 1000)\n"
		"  --snaplen N            bytes of I/O buffers kept per event (default %d, max %d)\n"
		"  --drop-failed          do not capture failed syscalls (negative return value)\n"
		"  --no-proc-scan         do not write the initial process and fd tables\n"
		"  --verbose              libbpf debug output\n",
		DEFAULT_SNAPLEN, MAX_SNAPLEN);
}

static int parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"syscalls", required_argument, 0, 's'},  {"exclude-pid", required_argument, 0, 'x'},
		{"ring-mb", required_argument, 0, 'r'},   {"poll-ms", required_argument, 0, 'p'},
		{"stats-ms", required_argument, 0, 'i'},  {"snaplen", required_argument, 0, 'n'},
		{"no-proc-scan", no_argument, 0, 'N'},    {"verbose", no_argument, 0, 'v'},
		{"drop-failed", no_argument, 0, 'F'},
		{"help", no_argument, 0, 'h'},            {0, 0, 0, 0},
	};
	int c;
	opt.excluded[opt.n_excluded++] = (u32)getpid();
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's': opt.syscalls = optarg; break;
		case 'x':
			if (opt.n_excluded < MAX_EXCLUDED_TGIDS)
				opt.excluded[opt.n_excluded++] = (u32)strtoul(optarg, NULL, 10);
			break;
		case 'r': opt.ring_mb = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'p': opt.poll_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': opt.stats_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': opt.snaplen = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'N': opt.no_proc_scan = true; break;
		case 'F': opt.drop_failed = true; break;
		case 'v': opt.verbose = true; break;
		case 'h': usage(); exit(0);
		default: usage(); return -1;
		}
	}
	if (opt.ring_mb == 0 || (opt.ring_mb & (opt.ring_mb - 1))) {
		json_error("usage", "--ring-mb must be a power of two, got %u", opt.ring_mb);
		return -1;
	}
	if (opt.poll_ms == 0)
		opt.poll_ms = 1;
	return 0;
}

/* Makes the output pipe or socket large, so short pauses of the consumer do not stall draining. */
static void enlarge_output(int fd)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return;
	if (S_ISFIFO(st.st_mode)) {
		fcntl(fd, F_SETPIPE_SZ, 1 << 20);
	} else if (S_ISSOCK(st.st_mode)) {
		int size = 4 << 20;
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
}

int main(int argc, char **argv)
{
	if (parse_options(argc, argv) < 0)
		return 1;
	libbpf_set_print(libbpf_log);
	signal(SIGPIPE, SIG_IGN);
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART: poll() returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* stop with the agent that started us */

	if (check_capabilities() < 0)
		return EXIT_NO_CAPS;
	enlarge_output(1);
	if (out_init(1, 4 << 20) < 0) {
		json_error("memory", "cannot allocate the output buffer");
		return 1;
	}

	u64 t0 = clock_ns(CLOCK_MONOTONIC);
	u64 boot_epoch = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
	skel = peregrine__open();
	if (!skel) {
		json_error("open", "cannot open the embedded BPF object: %s", strerror(errno));
		return 1;
	}
	bpf_map__set_max_entries(skel->maps.events, opt.ring_mb * 1024 * 1024);
	bpf_map__set_max_entries(skel->maps.scratch_map, (u32)libbpf_num_possible_cpus());
	/* Programs are attached one syscall at a time by selection_apply, never automatically. */
	int err = peregrine__load(skel);
	if (err) {
		if (err == -EPERM)
			json_error("load", "the kernel refused to load the BPF program (EPERM): run as root or with "
					   "CAP_BPF and CAP_PERFMON; a lockdown or unprivileged-BPF policy may also forbid it");
		else
			json_error("load", "loading the BPF program failed (%s); the probe needs kernel BTF "
					   "(/sys/kernel/btf/vmlinux) and Linux 6.2 or later; libbpf's log is above",
				   strerror(-err));
		peregrine__destroy(skel);
		return 1;
	}
	opt.snaplen = opt.snaplen > MAX_SNAPLEN ? MAX_SNAPLEN : opt.snaplen;
	skel->data->snaplen = opt.snaplen;
	skel->bss->drop_failed = opt.drop_failed ? 1 : 0;
	refresh_clock_offset();
	set_excluded();
	if (selection_fill_ppm_sc_map(bpf_map__fd(skel->maps.ppm_sc_of_syscall)) < 0)
		json_error("load", "cannot fill the syscall code map: %s", strerror(errno));

	char msg[512];
	if (selection_init(skel, msg, sizeof(msg)) < 0) {
		json_error("tracefs", "%s", msg);
		peregrine__destroy(skel);
		return 1;
	}
	struct bpf_link *exit_link = bpf_program__attach(skel->progs.on_sched_exit);
	if (!exit_link) {
		json_error("attach", "cannot attach to sched_process_exit: %s", strerror(errno));
		peregrine__destroy(skel);
		return 1;
	}
	/* Attach before scanning /proc, so a process started during the scan is either in the
	 * tables or announced by its events (possibly both, which state tracking tolerates). */
	apply_selection(opt.syscalls);

	struct ring_buffer *rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_record, NULL, NULL);
	if (!rb) {
		json_error("ringbuf", "cannot map the ring buffer: %s", strerror(errno));
		return 1;
	}

	struct buf header = {0};
	write_section_header(&header);
	write_machine_info(&header, boot_epoch);
	write_interface_list(&header);
	write_user_list(&header, "");
	int threads = opt.no_proc_scan ? 0 : write_process_tables(&header, "");
	if (threads < 0)
		json_error("procfs", "cannot read /proc: %s", strerror(errno));
	if (out_write(header.data, header.len) < 0 || out_flush() < 0) {
		json_error("output", "standard output closed before the stream started");
		return EXIT_CONSUMER_GONE;
	}
	size_t header_bytes = header.len;
	buf_free(&header);

	struct utsname u;
	uname(&u);
	fprintf(stderr,
		"{\"type\":\"ready\",\"pid\":%d,\"kernel\":\"%s\",\"ncpus\":%d,\"threads\":%d,\"ring_mb\":%u,"
		"\"header_bytes\":%zu,\"startup_ms\":%.1f}\n",
		getpid(), u.release, libbpf_num_possible_cpus(), threads < 0 ? 0 : threads, opt.ring_mb, header_bytes,
		(clock_ns(CLOCK_MONOTONIC) - t0) / 1e6);
	fflush(stderr);

	int rc = 0;
	fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
	u64 stats_period = (u64)(opt.stats_ms ? opt.stats_ms : 1000) * 1000000ULL;
	u64 next_stats = clock_ns(CLOCK_MONOTONIC) + stats_period;
	/* The probe never wakes us (a wake-up per event costs more than the event), so the ring
	 * buffer is drained on a timer: every poll_ms when idle, back to back while a drain brings
	 * in more than a little, so bursts do not pile up. */
	int idle_timeout = (int)opt.poll_ms;
	while (!stop_requested) {
		struct pollfd pfd = {.fd = 0, .events = POLLIN};
		int n = poll(&pfd, control_open ? 1 : 0, idle_timeout);
		if (n < 0 && errno != EINTR) {
			json_error("poll", "%s", strerror(errno));
			rc = 1;
			break;
		}
		unsigned long long before = out_bytes_written();
		if (ring_buffer__consume(rb) < 0 || out_flush() < 0) {
			if (!stop_requested) {
				json_error("output", "the consumer of the event stream went away");
				rc = EXIT_CONSUMER_GONE;
			}
			break;
		}
		idle_timeout = out_bytes_written() - before > 256 * 1024 ? 0 : (int)opt.poll_ms;
		if (control_open && n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR)))
			read_control();
		if (clock_ns(CLOCK_MONOTONIC) >= next_stats) {
			refresh_clock_offset();
			if (opt.stats_ms)
				report_stats("stats");
			next_stats = clock_ns(CLOCK_MONOTONIC) + stats_period;
		}
	}

	/* Clean stop: stop capturing, deliver everything already captured, report, end the stream;
	 * only then detach, which takes a while (one RCU grace period per tracepoint). */
	skel->bss->capture_stopped = 1;
	if (rc != EXIT_CONSUMER_GONE) {
		ring_buffer__consume(rb);
		if (out_flush() < 0)
			rc = EXIT_CONSUMER_GONE;
	}
	report_stats("exit");
	close(1);
	selection_detach_all();
	bpf_link__destroy(exit_link);
	ring_buffer__free(rb);
	peregrine__destroy(skel);
	return rc;
}
