// SPDX-License-Identifier: GPL-2.0
/*
 * peregrine-loadgen: issues known syscalls for the driver's tests and benchmarks, without a shell
 * or an interpreter in between, so each run produces a predictable set of events.
 *
 *   open N FILE          N x (open FILE read-only + close)
 *   forkexec N PROG      N x (fork, execve PROG in the child, wait)
 *   closebad N           N x close(-1): the cheapest syscall that still yields an event
 *   getppid N            N x getppid(): a syscall no rule needs
 *   closebad-per-line N  N x close(-1) for every line read on stdin, until its end
 *   actions DIR PORT     the scenario of the driver tests (see below); prints what it did as JSON
 *   coverage DIR         one call of almost every captured syscall (coverage.c), facts as JSON
 *   memfd-exec FILE      copies FILE into a memfd and executes it from there (fexecve)
 *   measure CMD [ARGS]   runs CMD (output discarded) and prints its wall and CPU time as JSON
 *   sleep MS             sleeps, then exits with status 0
 *   exit CODE            exits with status CODE
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "coverage.h"

static long count(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*end || n < 0) {
		fprintf(stderr, "loadgen: bad count '%s'\n", s);
		exit(2);
	}
	return n;
}

static int die(const char *what)
{
	fprintf(stderr, "loadgen: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* The test scenario: relative and dirfd-relative opens, a symlink, a loopback connection, a
 * fork whose child exits with status 7. Prints the facts the test checks against the events. */
static int actions(const char *dir, int port)
{
	if (chdir(dir) < 0)
		die("chdir");
	int fd1 = openat(AT_FDCWD, "relative.txt", O_CREAT | O_WRONLY | O_TRUNC, 0640);
	if (fd1 < 0)
		die("openat relative");
	close(fd1);

	if (mkdir("sub", 0755) < 0 && errno != EEXIST)
		die("mkdir");
	int dirfd = open("sub", O_RDONLY | O_DIRECTORY);
	if (dirfd < 0)
		die("open dir");
	int fd2 = openat(dirfd, "inner.txt", O_CREAT | O_RDWR, 0600);
	if (fd2 < 0)
		die("openat dirfd");
	close(fd2);

	unlink("link.txt");
	if (symlink("relative.txt", "link.txt") < 0)
		die("symlink");

	int sock = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int cres = connect(sock, (struct sockaddr *)&sa, sizeof(sa));
	struct sockaddr_in local = {0};
	socklen_t llen = sizeof(local);
	getsockname(sock, (struct sockaddr *)&local, &llen);
	int sockfd = sock;
	close(sock);

	pid_t child = fork();
	if (child == 0)
		_exit(7);
	int status = 0;
	waitpid(child, &status, 0);

	printf("{\"pid\":%d,\"dirfd\":%d,\"fd_relative\":%d,\"fd_inner\":%d,\"sockfd\":%d,"
	       "\"connect_res\":%d,\"local_port\":%d,\"child\":%d,\"child_status\":%d}\n",
	       getpid(), dirfd, fd1, fd2, sockfd, cres, ntohs(local.sin_port), child, WEXITSTATUS(status));
	close(dirfd);
	return 0;
}

/* Runs a command and reports its resource use: the benchmarks compare the CPU time a workload
 * needs with and without the driver, which is steadier than wall time on a shared machine. */
static int measure(char **cmd)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t p = fork();
	if (p < 0)
		die("fork");
	if (p == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 1);
		dup2(null, 2);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int status = 0;
	struct rusage ru;
	if (wait4(p, &status, 0, &ru) < 0)
		die("wait4");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("{\"wall_s\":%.6f,\"user_s\":%.6f,\"sys_s\":%.6f,\"status\":%d}\n",
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6, ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: peregrine-loadgen open N FILE | forkexec N PROG | closebad N | "
				"getppid N | actions DIR PORT | sleep MS | exit CODE\n");
		return 2;
	}
	const char *mode = argv[1];
	if (!strcmp(mode, "measure")) {
		return measure(&argv[2]);
	} else if (!strcmp(mode, "open") && argc >= 4) {
		long n = count(argv[2]);
		for (long i = 0; i < n; i++) {
			int fd = open(argv[3], O_RDONLY);
			if (fd < 0)
				die("open");
			close(fd);
		}
	} else if (!strcmp(mode, "forkexec") && argc >= 4) {
		long n = count(argv[2]);
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p < 0)
				die("fork");
			if (p == 0) {
				execv(argv[3], &argv[3]);
				_exit(127);
			}
			int st;
			waitpid(p, &st, 0);
		}
	} else if (!strcmp(mode, "closebad")) {
		long n = count(argv[2]);
		for (long i = 0; i < n; i++)
			syscall(SYS_close, -1);
	} else if (!strcmp(mode, "closebad-per-line")) {
		long n = count(argv[2]);
		char line[256];
		while (fgets(line, sizeof(line), stdin)) {
			for (long i = 0; i < n; i++)
				syscall(SYS_close, -1);
			printf("done\n");
			fflush(stdout);
		}
	} else if (!strcmp(mode, "getppid")) {
		long n = count(argv[2]);
		for (long i = 0; i < n; i++)
			syscall(SYS_getppid);
	} else if (!strcmp(mode, "memfd-exec")) {
		int in = open(argv[2], O_RDONLY);
		int mfd = (int)syscall(SYS_memfd_create, "peregrine-memfd", 0);
		if (in < 0 || mfd < 0)
			die("memfd-exec setup");
		char buf[65536];
		ssize_t n;
		while ((n = read(in, buf, sizeof(buf))) > 0)
			if (write(mfd, buf, (size_t)n) != n)
				die("write memfd");
		char *const args[] = {"memfd-program", NULL};
		char *const env[] = {NULL};
		fexecve(mfd, args, env);
		die("fexecve");
	} else if (!strcmp(mode, "coverage")) {
		return coverage(argv[2]);
	} else if (!strcmp(mode, "actions") && argc >= 4) {
		return actions(argv[2], (int)count(argv[3]));
	} else if (!strcmp(mode, "sleep")) {
		struct timespec ts = {count(argv[2]) / 1000, (count(argv[2]) % 1000) * 1000000L};
		nanosleep(&ts, NULL);
	} else if (!strcmp(mode, "exit")) {
		return (int)count(argv[2]);
	} else {
		fprintf(stderr, "loadgen: unknown mode '%s' or missing arguments\n", mode);
		return 2;
	}
	return 0;
}
