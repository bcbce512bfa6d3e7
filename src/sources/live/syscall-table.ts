// The syscall table of Falco's event model ("ppm_sc" codes), as data: for every syscall and kernel
// tracepoint libsinsp knows, its ppm_sc code, its x86_64 syscall number (-1 for tracepoints and
// syscalls that do not exist on x86_64), the category of its events, whether it modifies the state
// libsinsp tracks (the events flagged EF_MODIFIES_STATE plus the syscalls flagged UF_NEVER_DROP, i.e.
// libsinsp's `sinsp_state_sc_set()`), and the event names (`evt.type` values) that map to it.
// Facts taken from falcosecurity/libs 0.25.4 (driver/event_table.c, driver/syscall_table.c,
// driver/syscall_compat_x86_64.h, userspace/libscap/linux/scap_ppm_sc.c); a syscall without an
// event name of its own is reported as a generic `syscall` event whose evt.type is its name.
//
// This text is also read by driver/tools/gen-syscall-table.mjs, which turns it into the loader's
// C table, so the Node side and the driver share one list. Format, one syscall per line:
//   name ppm_sc x86_64_nr category modifies_state event_names(comma separated, `-` for none)

export const SYSCALL_TABLE_TEXT = `
restart_syscall 1 219 other 0 -
exit 2 60 other 0 -
read 3 0 io_read 0 read
write 4 1 io_write 0 write
open 5 2 file 1 open
close 6 3 io_other 1 close
creat 7 85 file 1 creat
link 8 86 file 0 link
unlink 9 87 file 0 unlink
chdir 10 80 file 1 chdir
time 11 201 other 0 -
mknod 12 133 other 0 mknod
chmod 13 90 file 0 chmod
stat 14 4 file 0 stat
lseek 15 8 file 0 lseek
getpid 16 39 other 0 -
mount 17 165 file 1 mount
ptrace 18 101 process 0 ptrace
alarm 19 37 other 0 -
fstat 20 5 file 0 fstat
pause 21 34 other 0 -
utime 22 132 other 0 -
access 23 21 file 0 access
sync 24 162 other 0 -
kill 25 62 signal 0 kill
rename 26 82 file 0 rename
mkdir 27 83 file 0 mkdir
rmdir 28 84 file 0 rmdir
dup 29 32 io_other 1 dup
pipe 30 22 ipc 1 pipe
times 31 100 other 0 -
brk 32 12 memory 0 brk
acct 33 163 other 0 -
ioctl 34 16 io_other 0 ioctl
fcntl 35 72 io_other 1 fcntl
setpgid 36 109 process 0 setpgid
umask 37 95 other 0 -
chroot 38 161 process 1 chroot
ustat 39 136 other 0 -
dup2 40 33 io_other 1 dup2
getppid 41 110 other 0 -
getpgrp 42 111 other 0 -
setsid 43 112 process 1 setsid
sethostname 44 170 other 0 -
setrlimit 45 160 process 1 setrlimit
getrusage 46 98 other 0 -
gettimeofday 47 96 other 0 -
settimeofday 48 164 other 0 -
symlink 49 88 file 0 symlink
lstat 50 6 file 0 lstat
readlink 51 89 other 0 -
uselib 52 -1 other 0 -
swapon 53 167 other 0 -
reboot 54 169 other 0 -
mmap 55 9 memory 0 mmap
munmap 56 11 memory 0 munmap
truncate 57 76 other 0 -
ftruncate 58 77 other 0 -
fchmod 59 91 file 0 fchmod
getpriority 60 140 other 0 -
setpriority 61 141 other 0 -
statfs 62 137 other 0 -
fstatfs 63 138 other 0 -
syslog 64 103 other 0 -
setitimer 65 38 other 0 -
getitimer 66 36 other 0 -
uname 67 63 other 0 -
vhangup 68 153 other 0 -
wait4 69 61 other 0 -
swapoff 70 168 other 0 -
sysinfo 71 99 other 0 -
fsync 72 74 other 0 -
setdomainname 73 171 other 0 -
adjtimex 74 159 other 0 -
mprotect 75 10 memory 0 mprotect
init_module 76 175 other 0 init_module
delete_module 77 176 other 0 delete_module
quotactl 78 179 user 0 quotactl
getpgid 79 121 other 0 -
fchdir 80 81 file 1 fchdir
sysfs 81 139 other 0 -
personality 82 135 other 0 -
getdents 83 78 file 0 getdents
select 84 23 wait 0 select
flock 85 73 file 0 flock
msync 86 26 other 0 -
readv 87 19 io_read 0 readv
writev 88 20 io_write 0 writev
getsid 89 124 other 0 -
fdatasync 90 75 other 0 -
mlock 91 149 memory 0 mlock
munlock 92 150 memory 0 munlock
mlockall 93 151 memory 0 mlockall
munlockall 94 152 memory 0 munlockall
sched_setparam 95 142 other 0 -
sched_getparam 96 143 other 0 -
sched_setscheduler 97 144 other 0 -
sched_getscheduler 98 145 other 0 -
sched_yield 99 24 other 0 -
sched_get_priority_max 100 146 other 0 -
sched_get_priority_min 101 147 other 0 -
sched_rr_get_interval 102 148 other 0 -
nanosleep 103 35 sleep 0 nanosleep
mremap 104 25 other 0 -
poll 105 7 wait 0 poll
prctl 106 157 process 1 prctl
rt_sigaction 107 13 other 0 -
rt_sigprocmask 108 14 other 0 -
rt_sigpending 109 127 other 0 -
rt_sigtimedwait 110 128 other 0 -
rt_sigqueueinfo 111 129 other 0 -
rt_sigsuspend 112 130 other 0 -
getcwd 113 79 file 0 getcwd
capget 114 125 other 0 -
capset 115 126 process 1 capset
sendfile 116 40 io_write 0 sendfile
getrlimit 117 97 process 0 getrlimit
lchown 118 94 file 0 lchown
getuid 119 102 user 0 getuid
getgid 120 104 user 0 getgid
geteuid 121 107 user 0 geteuid
getegid 122 108 user 0 getegid
setreuid 123 113 user 1 setreuid
setregid 124 114 user 1 setregid
getgroups 125 115 other 0 -
setgroups 126 116 other 0 -
fchown 127 93 file 0 fchown
setresuid 128 117 user 1 setresuid
getresuid 129 118 user 0 getresuid
setresgid 130 119 user 1 setresgid
getresgid 131 120 user 0 getresgid
chown 132 92 file 0 chown
setuid 133 105 user 1 setuid
setgid 134 106 user 1 setgid
setfsuid 135 122 other 0 -
setfsgid 136 123 other 0 -
pivot_root 137 155 other 0 -
mincore 138 27 other 0 -
madvise 139 28 other 0 -
gettid 140 186 other 0 -
setxattr 141 188 other 0 -
lsetxattr 142 189 other 0 -
fsetxattr 143 190 other 0 -
getxattr 144 191 other 0 -
lgetxattr 145 192 other 0 -
fgetxattr 146 193 other 0 -
listxattr 147 194 other 0 -
llistxattr 148 195 other 0 -
flistxattr 149 196 other 0 -
removexattr 150 197 other 0 -
lremovexattr 151 198 other 0 -
fremovexattr 152 199 other 0 -
tkill 153 200 signal 0 tkill
futex 154 202 ipc 0 futex
sched_setaffinity 155 203 other 0 -
sched_getaffinity 156 204 other 0 -
set_thread_area 157 205 other 0 -
get_thread_area 158 211 other 0 -
io_setup 159 206 other 0 -
io_destroy 160 207 other 0 -
io_getevents 161 208 other 0 -
io_submit 162 209 other 0 -
io_cancel 163 210 other 0 -
exit_group 164 231 other 0 -
epoll_create 165 213 wait 1 epoll_create
epoll_ctl 166 233 other 0 -
epoll_wait 167 232 wait 0 epoll_wait
remap_file_pages 168 216 other 0 -
set_tid_address 169 218 other 0 -
timer_create 170 222 other 0 -
timer_settime 171 223 other 0 -
timer_gettime 172 224 other 0 -
timer_getoverrun 173 225 other 0 -
timer_delete 174 226 other 0 -
clock_settime 175 227 other 0 -
clock_gettime 176 228 other 0 -
clock_getres 177 229 other 0 -
clock_nanosleep 178 230 other 0 -
tgkill 179 234 signal 0 tgkill
utimes 180 235 other 0 -
mq_open 181 240 other 0 -
mq_unlink 182 241 other 0 -
mq_timedsend 183 242 other 0 -
mq_timedreceive 184 243 other 0 -
mq_notify 185 244 other 0 -
mq_getsetattr 186 245 other 0 -
kexec_load 187 246 other 0 -
waitid 188 247 other 0 -
add_key 189 248 other 0 -
request_key 190 249 other 0 -
keyctl 191 250 other 0 keyctl
ioprio_set 192 251 other 0 -
ioprio_get 193 252 other 0 -
inotify_init 194 253 ipc 1 inotify_init
inotify_add_watch 195 254 other 0 -
inotify_rm_watch 196 255 other 0 -
openat 197 257 file 1 openat
mkdirat 198 258 file 0 mkdirat
mknodat 199 259 other 0 mknodat
fchownat 200 260 file 0 fchownat
futimesat 201 261 other 0 -
unlinkat 202 263 file 0 unlinkat
renameat 203 264 file 0 renameat
linkat 204 265 file 0 linkat
symlinkat 205 266 file 0 symlinkat
readlinkat 206 267 other 0 -
fchmodat 207 268 file 0 fchmodat
faccessat 208 269 other 0 -
pselect6 209 270 other 0 -
ppoll 210 271 wait 0 ppoll
unshare 211 272 process 0 unshare
set_robust_list 212 273 other 0 -
get_robust_list 213 274 other 0 -
splice 214 275 io_other 0 splice
tee 215 276 other 0 -
vmsplice 216 278 other 0 -
getcpu 217 309 other 0 -
epoll_pwait 218 281 other 0 -
utimensat 219 280 other 0 -
signalfd 220 282 signal 1 signalfd
timerfd_create 221 283 time 1 timerfd_create
eventfd 222 284 ipc 1 eventfd
timerfd_settime 223 286 other 0 -
timerfd_gettime 224 287 other 0 -
signalfd4 225 289 signal 1 signalfd4
eventfd2 226 290 ipc 1 eventfd2
epoll_create1 227 291 wait 1 epoll_create1
dup3 228 292 io_other 1 dup3
pipe2 229 293 ipc 1 pipe2
inotify_init1 230 294 ipc 1 inotify_init1
preadv 231 295 io_read 0 preadv
pwritev 232 296 io_write 0 pwritev
rt_tgsigqueueinfo 233 297 other 0 -
perf_event_open 234 298 other 0 -
fanotify_init 235 300 other 0 -
prlimit64 236 302 process 1 prlimit
clock_adjtime 237 305 other 0 -
syncfs 238 306 other 0 -
setns 239 308 process 0 setns
getdents64 240 217 file 0 getdents64
socket 241 41 net 1 socket
bind 242 49 net 1 bind
connect 243 42 net 1 connect
listen 244 50 net 0 listen
accept 245 43 net 1 accept
getsockname 246 51 net 0 getsockname
getpeername 247 52 net 0 getpeername
socketpair 248 53 ipc 1 socketpair
sendto 249 44 io_write 1 sendto
recvfrom 250 45 io_read 1 recvfrom
shutdown 251 48 net 1 shutdown
setsockopt 252 54 net 0 setsockopt
getsockopt 253 55 net 1 getsockopt
sendmsg 254 46 io_write 1 sendmsg
sendmmsg 255 307 io_write 1 sendmmsg
recvmsg 256 47 io_read 1 recvmsg
recvmmsg 257 299 io_read 1 recvmmsg
accept4 258 288 net 1 accept,accept4
semop 259 65 process 0 semop
semget 260 64 process 0 semget
semctl 261 66 process 0 semctl
msgsnd 262 69 other 0 -
msgrcv 263 70 other 0 -
msgget 264 68 other 0 -
msgctl 265 71 other 0 -
shmdt 266 67 other 0 -
shmget 267 29 other 0 -
shmctl 268 31 other 0 -
statfs64 269 -1 other 0 -
fstatfs64 270 -1 other 0 -
fstatat64 271 -1 other 0 -
sendfile64 272 -1 io_write 0 sendfile
ugetrlimit 273 -1 process 0 getrlimit
bdflush 274 -1 other 0 -
sigprocmask 275 -1 other 0 -
ipc 276 -1 other 0 -
socketcall 277 -1 other 0 -
stat64 278 -1 file 0 stat64
lstat64 279 -1 file 0 lstat64
fstat64 280 -1 file 0 fstat64
fcntl64 281 -1 io_other 1 fcntl
mmap2 282 -1 memory 0 mmap2
_newselect 283 -1 other 0 -
sgetmask 284 -1 other 0 -
ssetmask 285 -1 other 0 -
sigpending 286 -1 other 0 -
olduname 287 -1 other 0 -
umount 288 -1 file 1 umount
signal 289 -1 other 0 -
nice 290 -1 other 0 -
stime 291 -1 other 0 -
_llseek 292 -1 file 0 llseek
waitpid 293 -1 other 0 -
pread64 294 17 io_read 0 pread
pwrite64 295 18 io_write 0 pwrite
arch_prctl 296 158 other 0 -
shmat 297 30 other 0 -
rt_sigreturn 298 15 other 0 -
fallocate 299 285 other 0 -
newfstatat 300 262 file 0 newfstatat
process_vm_readv 301 310 ipc 0 process_vm_readv
process_vm_writev 302 311 ipc 0 process_vm_writev
fork 303 57 process 1 fork
vfork 304 58 process 1 vfork
setuid32 305 -1 user 1 setuid
getuid32 306 -1 user 0 getuid
setgid32 307 -1 user 1 setgid
geteuid32 308 -1 user 0 geteuid
getgid32 309 -1 user 0 getgid
setresuid32 310 -1 user 1 setresuid
setresgid32 311 -1 user 1 setresgid
getresuid32 312 -1 user 0 getresuid
getresgid32 313 -1 user 0 getresgid
finit_module 314 313 other 0 finit_module
bpf 315 321 other 0 bpf
seccomp 316 317 other 0 seccomp
sigaltstack 317 131 other 0 -
getrandom 318 318 other 0 -
fadvise64 319 221 other 0 -
renameat2 320 316 file 0 renameat2
userfaultfd 321 323 file 1 userfaultfd
openat2 322 437 file 1 openat2
umount2 323 166 file 1 umount2
execve 324 59 process 1 execve
execveat 325 322 process 1 execveat
copy_file_range 326 326 file 0 copy_file_range
clone 327 56 process 1 clone
clone3 328 435 process 1 clone3
open_by_handle_at 329 304 file 1 open_by_handle_at
io_uring_setup 330 425 io_other 1 io_uring_setup
io_uring_enter 331 426 io_other 0 io_uring_enter
io_uring_register 332 427 io_other 0 io_uring_register
mlock2 333 325 memory 0 mlock2
getegid32 334 -1 user 0 getegid
fsconfig 335 431 system 0 fsconfig
fspick 336 433 other 0 -
fsmount 337 432 other 0 -
fsopen 338 430 other 0 -
open_tree 339 428 other 0 -
move_mount 340 429 other 0 -
mount_setattr 341 442 other 0 -
memfd_create 342 319 memory 1 memfd_create
memfd_secret 343 447 other 0 -
ioperm 344 173 other 0 -
kexec_file_load 345 320 other 0 -
pidfd_getfd 346 438 process 1 pidfd_getfd
pidfd_open 347 434 process 1 pidfd_open
pidfd_send_signal 348 424 other 0 -
pkey_alloc 349 330 other 0 -
pkey_mprotect 350 329 other 0 -
pkey_free 351 331 other 0 -
landlock_create_ruleset 352 444 other 0 -
quotactl_fd 353 443 other 0 -
landlock_restrict_self 354 446 other 0 -
landlock_add_rule 355 445 other 0 -
epoll_pwait2 356 441 other 0 -
migrate_pages 357 256 other 0 -
move_pages 358 279 other 0 -
preadv2 359 327 other 0 -
pwritev2 360 328 other 0 -
kcmp 361 312 other 0 -
sched_setattr 362 314 other 0 -
mbind 363 237 other 0 -
epoll_ctl_old 364 214 other 0 -
lookup_dcookie 365 212 other 0 -
modify_ldt 366 154 other 0 -
statx 367 332 other 0 -
set_mempolicy 368 238 other 0 -
io_pgetevents 369 333 other 0 -
set_mempolicy_home_node 370 450 other 0 -
semtimedop 371 220 other 0 -
get_kernel_syms 372 -1 other 0 -
readahead 373 187 other 0 -
futex_waitv 374 449 other 0 -
getpmsg 375 -1 other 0 -
name_to_handle_at 376 303 other 0 -
process_mrelease 377 448 other 0 -
nfsservctl 378 -1 other 0 -
epoll_wait_old 379 215 other 0 -
rseq 380 334 other 0 -
create_module 381 -1 other 0 -
sched_getattr 383 315 other 0 -
faccessat2 384 439 other 0 -
_sysctl 385 -1 other 0 -
query_module 386 -1 other 0 -
get_mempolicy 387 239 other 0 -
sync_file_range 388 277 other 0 -
process_madvise 389 440 other 0 -
membarrier 390 324 other 0 -
iopl 391 172 other 0 -
close_range 392 436 io_other 1 close_range
fanotify_mark 393 301 other 0 -
recv 394 -1 io_read 0 recv
send 395 -1 io_write 0 send
sched_process_exit 396 -1 process 1 procexit
sched_switch 397 -1 scheduler 0 switch
page_fault_user 398 -1 other 0 page_fault
page_fault_kernel 399 -1 other 0 page_fault
signal_deliver 400 -1 signal 0 signaldeliver
timerfd 401 -1 other 0 -
s390_pci_mmio_read 402 -1 other 0 -
sigaction 403 -1 other 0 -
s390_pci_mmio_write 404 -1 other 0 -
readdir 405 -1 other 0 -
s390_sthyi 406 -1 other 0 -
sigsuspend 407 -1 other 0 -
idle 408 -1 other 0 -
s390_runtime_instr 409 -1 other 0 -
sigreturn 410 -1 other 0 -
s390_guarded_storage 411 -1 other 0 -
cachestat 412 451 other 0 -
fchmodat2 413 452 other 0 -
map_shadow_stack 414 453 other 0 -
riscv_flush_icache 415 -1 other 0 -
riscv_hwprobe 416 -1 other 0 -
futex_wake 417 454 other 0 -
futex_requeue 418 456 other 0 -
futex_wait 419 455 other 0 -
oldstat 420 -1 other 0 -
switch_endian 421 -1 other 0 -
multiplexer 422 -1 other 0 -
oldlstat 423 -1 other 0 -
spu_create 424 -1 other 0 -
sync_file_range2 425 -1 other 0 -
oldfstat 426 -1 other 0 -
spu_run 427 -1 other 0 -
swapcontext 428 -1 other 0 -
pciconfig_write 429 -1 other 0 -
rtas 430 -1 other 0 -
pciconfig_read 431 -1 other 0 -
sys_debug_setcontext 432 -1 other 0 -
vm86 433 -1 other 0 -
oldolduname 434 -1 other 0 -
subpage_prot 435 -1 other 0 -
pciconfig_iobase 436 -1 other 0 -
listmount 437 458 other 0 -
statmount 438 457 other 0 -
lsm_get_self_attr 439 459 other 0 -
lsm_set_self_attr 440 460 other 0 -
lsm_list_modules 441 461 other 0 -
mseal 442 462 other 0 -
uretprobe 443 335 other 0 -
removexattrat 444 466 other 0 -
listxattrat 445 465 other 0 -
getxattrat 446 464 other 0 -
setxattrat 447 463 other 0 -
open_tree_attr 448 467 other 0 -
file_getattr 449 468 other 0 -
file_setattr 450 469 other 0 -
listns 451 470 other 0 -
uprobe 452 336 other 0 -
rseq_slice_yield 453 471 other 0 -
`;

/** libsinsp's syscall categories (the low bits of an event's category), as named in the table. */
export type SyscallCategory =
  | 'unknown' | 'other' | 'file' | 'net' | 'ipc' | 'memory' | 'process' | 'sleep' | 'system'
  | 'signal' | 'user' | 'time' | 'processing' | 'io_read' | 'io_write' | 'io_other' | 'wait'
  | 'scheduler';

export interface SyscallEntry {
  /** ppm_sc name: the syscall name, or the tracepoint name (`sched_process_exit`). */
  readonly name: string;
  readonly ppmSc: number;
  /** x86_64 syscall number; -1 for tracepoints and syscalls x86_64 does not have. */
  readonly nr: number;
  readonly category: SyscallCategory;
  /** In libsinsp's state set (`sinsp_state_sc_set`): needed to keep process/fd state right. */
  readonly modifiesState: boolean;
  /** Event names (`evt.type` values) whose events map to this syscall; empty for generic ones. */
  readonly eventNames: readonly string[];
}

function parseTable(text: string): SyscallEntry[] {
  const entries: SyscallEntry[] = [];
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) continue;
    const [name, ppmSc, nr, category, state, events] = t.split(/\s+/);
    entries.push({
      name,
      ppmSc: Number(ppmSc),
      nr: Number(nr),
      category: category as SyscallCategory,
      modifiesState: state === '1',
      eventNames: events === '-' ? [] : events.split(','),
    });
  }
  return entries;
}

/** Every syscall and tracepoint of the table, in ppm_sc order. */
export const SYSCALL_ENTRIES: readonly SyscallEntry[] = parseTable(SYSCALL_TABLE_TEXT);

/** ppm_sc name → entry. */
export const SYSCALLS_BY_NAME: ReadonlyMap<string, SyscallEntry> = new Map(SYSCALL_ENTRIES.map((e) => [e.name, e]));

/** Event name (`evt.type`) → the ppm_sc names its events map to. */
export const SYSCALLS_BY_EVENT_NAME: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const e of SYSCALL_ENTRIES) {
    for (const ev of e.eventNames) {
      let list = map.get(ev);
      if (!list) map.set(ev, (list = []));
      list.push(e.name);
    }
  }
  return map;
})();
