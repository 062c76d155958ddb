import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A trial runs as the leader of its own session and process group (spawn `detached`), so that
 * the runner can signal it and everything it started at once. Ending a group is SIGTERM to the
 * group, a grace period, then SIGKILL to whatever is left.
 */

/** Interval at which a group being ended is checked for live members. */
const POLL_MS = 20;
/** How long after SIGKILL the runner waits for the group to disappear. */
const AFTER_KILL_MS = 2000;

/** `/proc/<pid>/stat`: the process state letter and its process group, or null when it is gone or unreadable. */
function procStat(pid: string): { state: string; pgrp: number } | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
  const close = text.lastIndexOf(')');
  const fields = text.slice(close + 2).split(' ');
  return { state: fields[0], pgrp: Number(fields[2]) };
}

let procReadable: boolean | null = null;

function hasProc(): boolean {
  if (procReadable === null) {
    try {
      procReadable = procStat(String(process.pid)) !== null;
    } catch {
      procReadable = false;
    }
  }
  return procReadable;
}

/**
 * Live (not zombie) members of process group `pgid`. Where /proc is readable every process is
 * checked (a zombie that nobody reaps does not count); elsewhere `kill(-pgid, 0)` decides, and
 * the answer is [pgid] or [].
 */
export function liveGroupMembers(pgid: number): number[] {
  if (!hasProc()) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM' ? [pgid] : [];
    }
  }
  // Cheap first check: no process in the group at all.
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return [];
  }
  const live: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pgid];
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue;
    const stat = procStat(entry);
    if (stat && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X') live.push(Number(entry));
  }
  return live;
}

/** True while `pid` is a live process (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (!hasProc()) return true;
  const stat = procStat(String(pid));
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

/** Groups of running trials, killed when this process exits (a trial has its own session: it would outlive us). */
const activeGroups = new Set<number>();
let exitHookInstalled = false;

/** Marks `pgid` as a running trial's group until `untrackGroup`; SIGKILLed should this process exit first. */
export function trackGroup(pgid: number): void {
  activeGroups.add(pgid);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const g of activeGroups) signalGroup(g, 'SIGKILL');
  });
}

export function untrackGroup(pgid: number): void {
  activeGroups.delete(pgid);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

/**
 * Ends process group `pgid`: SIGTERM, up to `graceMs` for it to go, then SIGKILL and a short
 * wait until no live member is left. Resolves at once when the group has no live member.
 */
export async function endProcessGroup(pgid: number, graceMs: number): Promise<void> {
  if (liveGroupMembers(pgid).length === 0) return;
  signalGroup(pgid, 'SIGTERM');
  const termDeadline = Date.now() + graceMs;
  while (Date.now() < termDeadline) {
    await sleep(Math.min(POLL_MS, Math.max(1, termDeadline - Date.now())));
    if (liveGroupMembers(pgid).length === 0) return;
  }
  signalGroup(pgid, 'SIGKILL');
  const killDeadline = Date.now() + AFTER_KILL_MS;
  while (liveGroupMembers(pgid).length > 0 && Date.now() < killDeadline) {
    await sleep(POLL_MS);
    signalGroup(pgid, 'SIGKILL'); // a member forked between the two signals
  }
}
