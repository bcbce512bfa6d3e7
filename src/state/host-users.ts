// The host's users and groups for live capture: /etc/passwd and /etc/group (under the host root,
// Falco's HOST_ROOT) parsed once and re-read when they change, so that `user.name` of an account
// created, renamed or removed while the agent runs is right. Lookups of unknown ids (a new uid met
// on a thread) are answered from the parsed files after a cheap freshness check; `refresh()` tells
// whether the files changed and `applyTo()` brings a user table up to date (the live source calls
// both on a timer). Container users are read through /proc/<pid>/root, as EtcFilesDirectory does.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EtcFilesDirectory, parseGroup, parsePasswd, type GroupInfo, type UserGroupTable, type UserInfo } from './users.js';

/** Identity of a file's content as far as change detection goes. */
function fileStamp(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return 'missing';
  }
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export interface HostUserDirectoryOptions {
  /** Root of the host's file systems; default "/". */
  readonly hostRoot?: string;
  /** A lookup re-checks the files at most this often; default 1000 ms. */
  readonly checkIntervalMs?: number;
}

export class HostUserDirectory extends EtcFilesDirectory {
  readonly passwdFile: string;
  readonly groupFile: string;
  private users = new Map<number, UserInfo>();
  private groups = new Map<number, GroupInfo>();
  private passwdStamp = '';
  private groupStamp = '';
  private lastCheck = 0;
  private readonly checkIntervalMs: number;
  /** Ids this directory put into user tables, so that removed accounts can be taken out. */
  private readonly applied = new WeakMap<UserGroupTable, { users: Set<number>; groups: Set<number> }>();
  /** How many times the files were found changed and re-read. */
  reloads = 0;

  constructor(opts: HostUserDirectoryOptions = {}) {
    const root = opts.hostRoot ?? '/';
    super(root);
    this.passwdFile = path.join(root, 'etc/passwd');
    this.groupFile = path.join(root, 'etc/group');
    this.checkIntervalMs = opts.checkIntervalMs ?? 1000;
    this.reload();
  }

  private reload(): void {
    this.passwdStamp = fileStamp(this.passwdFile);
    this.groupStamp = fileStamp(this.groupFile);
    this.users = new Map(parsePasswd(readOrEmpty(this.passwdFile)).map((u) => [u.uid, u]));
    this.groups = new Map(parseGroup(readOrEmpty(this.groupFile)).map((g) => [g.gid, g]));
    this.lastCheck = Date.now();
  }

  /** Re-reads the files when they changed since the last read; returns whether they had. */
  refresh(): boolean {
    this.lastCheck = Date.now();
    if (fileStamp(this.passwdFile) === this.passwdStamp && fileStamp(this.groupFile) === this.groupStamp) return false;
    this.reload();
    this.reloads++;
    return true;
  }

  private maybeRefresh(): void {
    if (Date.now() - this.lastCheck >= this.checkIntervalMs) this.refresh();
  }

  override hostUser(uid: number): UserInfo | undefined {
    this.maybeRefresh();
    const u = this.users.get(uid);
    return u === undefined ? undefined : { ...u };
  }

  override hostGroup(gid: number): GroupInfo | undefined {
    this.maybeRefresh();
    const g = this.groups.get(gid);
    return g === undefined ? undefined : { ...g };
  }

  /** Every host user and group, as the files list them now. */
  allUsers(): UserInfo[] {
    return [...this.users.values()];
  }

  allGroups(): GroupInfo[] {
    return [...this.groups.values()];
  }

  /**
   * Brings the host entries of `table` in line with the files: every listed account is put
   * (created or renamed), and accounts this directory put before that are no longer listed are
   * removed. Entries that came from elsewhere (the stream's user list) are only ever updated.
   */
  applyTo(table: UserGroupTable): void {
    let mine = this.applied.get(table);
    if (mine === undefined) this.applied.set(table, (mine = { users: new Set(), groups: new Set() }));
    for (const uid of mine.users) if (!this.users.has(uid)) table.removeUser('', uid);
    for (const gid of mine.groups) if (!this.groups.has(gid)) table.removeGroup('', gid);
    mine.users = new Set(this.users.keys());
    mine.groups = new Set(this.groups.keys());
    for (const u of this.users.values()) table.putUser('', u.uid, u.gid, u.name, u.homedir, u.shell);
    for (const g of this.groups.values()) table.putGroup('', g.gid, g.name);
  }
}
