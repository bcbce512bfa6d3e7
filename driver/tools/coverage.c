// SPDX-License-Identifier: GPL-2.0
/*
 * The coverage scenario of peregrine-loadgen: one call of (almost) every syscall the driver has an
 * event for, each with arguments the test can recognise in the event. Prints, as one JSON object,
 * the values the test compares with the events (file descriptors, pids, ports).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coverage.h"

static void wait_child(pid_t p)
{
	int st;
	waitpid(p, &st, 0);
}

int coverage(const char *dir)
{
	if (chdir(dir) < 0)
		return perror("chdir"), 1;
	int dirfd = open(".", O_RDONLY | O_DIRECTORY);
	pid_t me = getpid();

	/* files */
	int creat_fd = creat("c1.txt", 0600);
	int open_fd = (int)syscall(SYS_open, "c1.txt", O_RDONLY, 0);
	struct open_how how = {.flags = O_RDONLY, .resolve = RESOLVE_NO_SYMLINKS};
	int openat2_fd = (int)syscall(SYS_openat2, AT_FDCWD, "c1.txt", &how, sizeof(how));
	rename("c1.txt", "c2.txt");
	renameat(AT_FDCWD, "c2.txt", dirfd, "c3.txt");
	syscall(SYS_renameat2, dirfd, "c3.txt", AT_FDCWD, "c4.txt", 1 /* RENAME_NOREPLACE */);
	link("c4.txt", "l1");
	linkat(AT_FDCWD, "c4.txt", AT_FDCWD, "l2", 0);
	unlink("l1");
	unlinkat(AT_FDCWD, "l2", 0);
	symlinkat("c4.txt", dirfd, "s1");
	mkdir("d1", 0700);
	mkdirat(dirfd, "d2", 0750);
	rmdir("d1");
	unlinkat(dirfd, "d2", AT_REMOVEDIR);
	chmod("c4.txt", 0644);
	fchmod(creat_fd, 0600);
	fchmodat(AT_FDCWD, "c4.txt", 0640, 0);
	chown("c4.txt", 0, 0);
	lchown("s1", 0, 0);
	fchown(creat_fd, 0, 0);
	fchownat(AT_FDCWD, "c4.txt", 0, 0, AT_SYMLINK_NOFOLLOW);

	/* descriptors */
	int dup_fd = dup(creat_fd);
	int dup2_fd = dup2(creat_fd, 50);
	int dup3_fd = dup3(creat_fd, 51, O_CLOEXEC);
	int fcntl_fd = fcntl(creat_fd, F_DUPFD_CLOEXEC, 60);
	int close_range_res = (int)syscall(SYS_close_range, 50, 60, 0);
	flock(creat_fd, LOCK_SH);
	flock(creat_fd, LOCK_UN);
	int p1[2] = {-1, -1}, p2[2] = {-1, -1};
	syscall(SYS_pipe, p1); /* glibc's pipe() is pipe2(.., 0) */
	pipe2(p2, O_NONBLOCK | O_CLOEXEC);
	write(p1[1], "abc", 3);
	char rbuf[64];
	read(p1[0], rbuf, sizeof(rbuf));
	int efd = (int)syscall(SYS_eventfd2, 7, EFD_NONBLOCK);
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	int ifd = inotify_init1(IN_CLOEXEC);
	int epfd = epoll_create1(EPOLL_CLOEXEC);
	int mfd = (int)syscall(SYS_memfd_create, "peregrine-cov", 1 /* MFD_CLOEXEC */);
	int ufd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	struct io_uring_params up = {0};
	int uring_fd = (int)syscall(SYS_io_uring_setup, 4, &up);
	int pidfd = (int)syscall(SYS_pidfd_open, me, 0);
	int getfd_fd = (int)syscall(SYS_pidfd_getfd, pidfd, creat_fd, 0);

	/* open_by_handle_at needs a handle from name_to_handle_at */
	struct {
		struct file_handle fh;
		unsigned char buf[128];
	} h;
	h.fh.handle_bytes = 128;
	int mount_id;
	int obh_fd = -1;
	if (name_to_handle_at(AT_FDCWD, "c4.txt", &h.fh, &mount_id, 0) == 0)
		obh_fd = open_by_handle_at(dirfd, &h.fh, O_RDONLY);

	/* UDP with addresses: sendto/recvfrom, sendmsg/recvmsg, sendmmsg/recvmmsg */
	int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ra = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(rx, (struct sockaddr *)&ra, sizeof(ra));
	socklen_t ralen = sizeof(ra);
	getsockname(rx, (struct sockaddr *)&ra, &ralen);
	sendto(tx, "hello-udp", 9, 0, (struct sockaddr *)&ra, sizeof(ra));
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	recvfrom(rx, rbuf, sizeof(rbuf), 0, (struct sockaddr *)&from, &fromlen);
	struct iovec iov = {.iov_base = "msg-data", .iov_len = 8};
	struct msghdr mh = {.msg_name = &ra, .msg_namelen = sizeof(ra), .msg_iov = &iov, .msg_iovlen = 1};
	sendmsg(tx, &mh, 0);
	char mbuf[16];
	struct iovec riov = {.iov_base = mbuf, .iov_len = sizeof(mbuf)};
	struct msghdr rmh = {.msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &riov, .msg_iovlen = 1};
	recvmsg(rx, &rmh, 0);
	struct mmsghdr mm = {.msg_hdr = mh};
	sendmmsg(tx, &mm, 1, 0);
	struct mmsghdr rmm = {.msg_hdr = rmh};
	recvmmsg(rx, &rmm, 1, 0, NULL);
	struct sockaddr_in txa;
	socklen_t txalen = sizeof(txa);
	getsockname(tx, (struct sockaddr *)&txa, &txalen);

	/* TCP: listen, connect, accept4, shutdown, getsockopt; and a unix socketpair */
	int lsn = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(lsn, (struct sockaddr *)&la, sizeof(la));
	socklen_t lalen = sizeof(la);
	getsockname(lsn, (struct sockaddr *)&la, &lalen);
	listen(lsn, 5);
	int cli = socket(AF_INET, SOCK_STREAM, 0);
	connect(cli, (struct sockaddr *)&la, sizeof(la));
	struct sockaddr_in ca;
	socklen_t calen = sizeof(ca);
	getsockname(cli, (struct sockaddr *)&ca, &calen);
	int acc = accept4(lsn, NULL, NULL, SOCK_CLOEXEC);
	shutdown(cli, SHUT_WR);
	int soerr = 0;
	socklen_t soerrlen = sizeof(soerr);
	getsockopt(cli, SOL_SOCKET, SO_ERROR, &soerr, &soerrlen);
	int sp[2] = {-1, -1};
	socketpair(AF_UNIX, SOCK_STREAM, 0, sp);

	/* credentials and process attributes */
	setuid(0);
	setgid(0);
	setresuid(-1, -1, -1);
	setresgid(-1, -1, -1);
	setreuid(-1, -1);
	setregid(-1, -1);
	struct __user_cap_header_struct ch = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct cd[2];
	syscall(SYS_capget, &ch, cd);
	syscall(SYS_capset, &ch, cd);
	prctl(PR_SET_NAME, "pg-coverage");
	setpgid(0, 0);
	kill(me, 0);
	syscall(SYS_tgkill, me, gettid(), 0);
	syscall(SYS_tkill, gettid(), 0);
	struct rlimit rl;
	prlimit(0, RLIMIT_NOFILE, NULL, &rl);
	getrlimit(RLIMIT_CORE, &rl);
	syscall(SYS_setrlimit, RLIMIT_CORE, &rl); /* glibc's setrlimit() is prlimit64 */
	unsigned action = 0x80000000U; /* SECCOMP_RET_KILL_PROCESS */
	syscall(SYS_seccomp, 2 /* SECCOMP_GET_ACTION_AVAIL */, 0, &action);
	syscall(SYS_finit_module, -1, "", 0);
	syscall(SYS_init_module, NULL, 0, "");
	syscall(SYS_delete_module, "peregrine_no_such_module", O_NONBLOCK);
	syscall(SYS_bpf, 11 /* BPF_PROG_GET_NEXT_ID */, NULL, 0);
	ioctl(creat_fd, FIONREAD, &soerr);
	syscall(SYS_getppid);
	chdir("/");
	fchdir(dirfd);

	/* mount a tmpfs and detach it */
	mkdir("mnt", 0700);
	int mount_res = mount("peregrine", "mnt", "tmpfs", MS_NOSUID, "size=1m");
	int umount_res = umount2("mnt", MNT_DETACH);

	/* namespaces and ptrace, in children */
	pid_t ns_child = fork();
	if (ns_child == 0) {
		int nsfd = open("/proc/self/ns/uts", O_RDONLY);
		unshare(CLONE_NEWUTS);
		setns(nsfd, CLONE_NEWUTS);
		ptrace(PTRACE_TRACEME, 0, 0, 0);
		_exit(0);
	}
	wait_child(ns_child);

	/* process creation: vfork, clone3, a failed execve, execveat */
	pid_t vf = vfork();
	if (vf == 0)
		_exit(3);
	wait_child(vf);
	struct clone_args ca3 = {.exit_signal = SIGCHLD};
	pid_t c3 = (pid_t)syscall(SYS_clone3, &ca3, sizeof(ca3));
	if (c3 == 0)
		_exit(4);
	wait_child(c3);
	char *const noargs[] = {"peregrine-missing", NULL};
	int exec_res = execve("/nonexistent/peregrine-missing", noargs, NULL);
	int exec_errno = errno;
	pid_t ea = fork();
	if (ea == 0) {
		char *const argv[] = {"true-via-execveat", "x", NULL};
		syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, NULL, 0);
		_exit(127);
	}
	wait_child(ea);

	printf("{\"pid\":%d,\"dirfd\":%d,\"creat_fd\":%d,\"open_fd\":%d,\"openat2_fd\":%d,\"dup_fd\":%d,"
	       "\"dup2_fd\":%d,\"dup3_fd\":%d,\"fcntl_fd\":%d,\"close_range_res\":%d,\"pipe\":[%d,%d],"
	       "\"pipe2\":[%d,%d],\"eventfd\":%d,\"signalfd\":%d,\"timerfd\":%d,\"inotify\":%d,\"epoll\":%d,"
	       "\"memfd\":%d,\"userfaultfd\":%d,\"io_uring\":%d,\"pidfd\":%d,\"pidfd_getfd\":%d,"
	       "\"open_by_handle_at\":%d,\"udp_rx\":%d,\"udp_tx\":%d,\"udp_rx_port\":%d,\"udp_tx_port\":%d,"
	       "\"tcp_listen\":%d,\"tcp_client\":%d,\"tcp_accepted\":%d,\"tcp_port\":%d,\"tcp_client_port\":%d,"
	       "\"socketpair\":[%d,%d],\"mount_res\":%d,\"umount_res\":%d,\"ns_child\":%d,\"vfork_child\":%d,"
	       "\"clone3_child\":%d,\"execve_res\":%d,\"execve_errno\":%d,\"execveat_child\":%d}\n",
	       me, dirfd, creat_fd, open_fd, openat2_fd, dup_fd, dup2_fd, dup3_fd, fcntl_fd, close_range_res,
	       p1[0], p1[1], p2[0], p2[1], efd, sfd, tfd, ifd, epfd, mfd, ufd, uring_fd, pidfd, getfd_fd, obh_fd,
	       rx, tx, ntohs(ra.sin_port), ntohs(txa.sin_port), lsn, cli, acc, ntohs(la.sin_port),
	       ntohs(ca.sin_port), sp[0], sp[1], mount_res, umount_res, ns_child, vf, c3, exec_res, exec_errno, ea);
	return 0;
}
