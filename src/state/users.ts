// Users and groups, per container (the host is container id ""), with libsinsp's semantics:
// entries come from the capture's user/group list and user/group events, and a uid/gid met on a
// thread that is not known yet is looked up once in a pluggable directory (the host's
// /etc/passwd and /etc/group live, nothing or a chosen directory in replay). Lookup misses are
// not cached: the next thread with that uid asks again, as libsinsp does.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface UserInfo {
  readonly uid: number;
  readonly gid: number;
  name: string;
  homedir: string;
  shell: string;
}

export interface GroupInfo {
  readonly gid: number;
  name: string;
}

/** Where unknown users and groups are looked up. */
export interface UserDirectory {
  /** A host user (container id ""), or undefined. */
  hostUser(uid: number): UserInfo | undefined;
  hostGroup(gid: number): GroupInfo | undefined;
  /**
   * Every user (group) of a container, read from its root file system through process `pid`
   * (live only); undefined when the container's files cannot be reached.
   */
  containerUsers?(containerId: string, pid: number): readonly UserInfo[] | undefined;
  containerGroups?(containerId: string, pid: number): readonly GroupInfo[] | undefined;
}

/** A directory that knows nobody: replay of a capture taken on another machine. */
export const EMPTY_DIRECTORY: UserDirectory = {
  hostUser: () => undefined,
  hostGroup: () => undefined,
};

const UID_NONE = 0xffffffff;

/** Parses /etc/passwd text; NSS compat lines (`+`/`-`) and malformed lines are skipped. */
export function parsePasswd(text: string): UserInfo[] {
  const users: UserInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 7 || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-')) continue;
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    users.push({ uid, gid, name: f[0]!, homedir: f[5]!, shell: f[6]! });
  }
  return users;
}

/** Parses /etc/group text. */
export function parseGroup(text: string): GroupInfo[] {
  const groups: GroupInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3 || f[0] === '' || f[0]!.startsWith('+') || f[0]!.startsWith('-')) continue;
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) continue;
    groups.push({ gid, name: f[0]! });
  }
  return groups;
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * The host's account files (under `root`, default `/`, like Falco's HOST_ROOT), re-read on each
 * miss so that users created while the agent runs are found; containers are read through
 * /proc/<pid>/root.
 */
export class EtcFilesDirectory implements UserDirectory {
  constructor(private readonly root = '/') {}

  hostUser(uid: number): UserInfo | undefined {
    if (uid === UID_NONE) return undefined;
    return parsePasswd(readOrEmpty(path.join(this.root, 'etc/passwd'))).find((u) => u.uid === uid);
  }

  hostGroup(gid: number): GroupInfo | undefined {
    if (gid === UID_NONE) return undefined;
    return parseGroup(readOrEmpty(path.join(this.root, 'etc/group'))).find((g) => g.gid === gid);
  }

  containerUsers(_containerId: string, pid: number): readonly UserInfo[] | undefined {
    const text = readOrEmpty(path.join(this.root, 'proc', String(pid), 'root/etc/passwd'));
    return text === '' ? undefined : parsePasswd(text);
  }

  containerGroups(_containerId: string, pid: number): readonly GroupInfo[] | undefined {
    const text = readOrEmpty(path.join(this.root, 'proc', String(pid), 'root/etc/group'));
    return text === '' ? undefined : parseGroup(text);
  }
}

/** The user and group tables of the host and of each container. */
export class UserGroupTable {
  private readonly users = new Map<string, Map<number, UserInfo>>();
  private readonly groups = new Map<string, Map<number, GroupInfo>>();

  constructor(private readonly directory: UserDirectory = EMPTY_DIRECTORY) {}

  user(containerId: string, uid: number): UserInfo | undefined {
    return this.users.get(containerId)?.get(uid);
  }

  group(containerId: string, gid: number): GroupInfo | undefined {
    return this.groups.get(containerId)?.get(gid);
  }

  /** The users of a container ("" for the host), e.g. to write them into a capture. */
  usersOf(containerId: string): UserInfo[] {
    return [...(this.users.get(containerId)?.values() ?? [])];
  }

  groupsOf(containerId: string): GroupInfo[] {
    return [...(this.groups.get(containerId)?.values() ?? [])];
  }

  /** Number of known users and groups over all containers (a metric). */
  get size(): { users: number; groups: number } {
    let users = 0;
    let groups = 0;
    for (const m of this.users.values()) users += m.size;
    for (const m of this.groups.values()) groups += m.size;
    return { users, groups };
  }

  private userMap(containerId: string): Map<number, UserInfo> {
    let m = this.users.get(containerId);
    if (m === undefined) this.users.set(containerId, (m = new Map()));
    return m;
  }

  private groupMap(containerId: string): Map<number, GroupInfo> {
    let m = this.groups.get(containerId);
    if (m === undefined) this.groups.set(containerId, (m = new Map()));
    return m;
  }

  /**
   * A named user from the capture (user list, user-added event): creates or overwrites the entry.
   * NSS compat names (`+...`, `-...`) are ignored.
   */
  putUser(containerId: string, uid: number, gid: number, name: string, homedir: string, shell: string): void {
    if (name.startsWith('+') || name.startsWith('-')) return;
    const existing = this.user(containerId, uid);
    if (existing !== undefined) {
      existing.name = name;
      existing.homedir = homedir;
      existing.shell = shell;
      return;
    }
    this.userMap(containerId).set(uid, { uid, gid, name, homedir, shell });
  }

  putGroup(containerId: string, gid: number, name: string): void {
    if (name.startsWith('+') || name.startsWith('-')) return;
    const existing = this.group(containerId, gid);
    if (existing !== undefined) {
      existing.name = name;
      return;
    }
    this.groupMap(containerId).set(gid, { gid, name });
  }

  removeUser(containerId: string, uid: number): boolean {
    return this.users.get(containerId)?.delete(uid) ?? false;
  }

  removeGroup(containerId: string, gid: number): boolean {
    return this.groups.get(containerId)?.delete(gid) ?? false;
  }

  /** Forgets a container's users and groups (the container went away). */
  removeContainer(containerId: string): void {
    this.users.delete(containerId);
    this.groups.delete(containerId);
  }

  /**
   * A thread runs as `uid`: make sure the user is known, asking the directory on a miss. uid 0 is
   * known as root even when nobody says so.
   */
  ensureUser(containerId: string, pid: number, uid: number, gid: number): void {
    if (uid === UID_NONE || this.user(containerId, uid) !== undefined) return;
    if (uid === 0 && containerId === '') {
      // libsinsp names a host uid 0 "root" with home /root (shell unknown) without a lookup.
      this.putUser(containerId, 0, gid, 'root', '/root', '<NA>');
      return;
    }
    if (containerId === '') {
      const u = this.directory.hostUser(uid);
      if (u !== undefined) this.userMap('').set(u.uid, { ...u });
      return;
    }
    const all = this.directory.containerUsers?.(containerId, pid);
    if (all !== undefined) {
      const m = this.userMap(containerId);
      for (const u of all) m.set(u.uid, { ...u });
    }
  }

  ensureGroup(containerId: string, pid: number, gid: number): void {
    if (gid === UID_NONE || this.group(containerId, gid) !== undefined) return;
    if (gid === 0 && containerId === '') {
      this.putGroup(containerId, 0, 'root');
      return;
    }
    if (containerId === '') {
      const g = this.directory.hostGroup(gid);
      if (g !== undefined) this.groupMap('').set(g.gid, { ...g });
      return;
    }
    const all = this.directory.containerGroups?.(containerId, pid);
    if (all !== undefined) {
      const m = this.groupMap(containerId);
      for (const g of all) m.set(g.gid, { ...g });
    }
  }
}
