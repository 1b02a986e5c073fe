import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time of processes, from Linux's `/proc/<pid>/stat` (see proc(5)): utime and stime are
 * fields 14 and 15, in clock ticks, and cover every thread of the process.
 * @see https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html
 */

export interface ProcStat {
  pid: number;
  /** The executable's name, at most 15 characters (`workerd`, `node`). */
  comm: string;
  ppid: number;
  /** User and system CPU time, in clock ticks. */
  utime: number;
  stime: number;
}

/**
 * Parses one `/proc/<pid>/stat` line. The name sits in parentheses and may itself hold spaces or
 * parentheses, so the fields are counted from the last `)`.
 */
export function parseProcStat(line: string): ProcStat {
  const open = line.indexOf("(");
  const close = line.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`not a /proc stat line: ${line.slice(0, 80)}`);
  // After the name: field 3 (state) is index 0, so field n is index n - 3.
  const rest = line
    .slice(close + 2)
    .trim()
    .split(" ");
  const field = (n: number) => {
    const value = Number(rest[n - 3]);
    if (!Number.isFinite(value)) throw new Error(`bad field ${n} in /proc stat line: ${line.slice(0, 80)}`);
    return value;
  };
  return {
    pid: Number(line.slice(0, open).trim()),
    comm: line.slice(open + 1, close),
    ppid: field(4),
    utime: field(14),
    stime: field(15),
  };
}

/** The pids among `all` that descend from `root` (children, grandchildren, ...). */
export function descendantsOf(root: number, all: readonly Pick<ProcStat, "pid" | "ppid">[]): number[] {
  const found = new Set<number>([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.add(p.pid);
        grew = true;
      }
    }
  }
  found.delete(root);
  return [...found];
}

function readStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined; // gone meanwhile, or not readable
  }
}

/** Every process this machine lists in /proc. */
export function allProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** The processes named `comm` started (directly or not) by process `root`. */
export function findDescendants(root: number, comm: string): ProcStat[] {
  const all = allProcesses();
  const mine = new Set(descendantsOf(root, all));
  return all.filter((p) => mine.has(p.pid) && p.comm === comm);
}

/** utime + stime of these processes now, in clock ticks (a process that is gone counts 0). */
export function cpuTicks(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readStat(pid);
    if (stat) ticks += stat.utime + stat.stime;
  }
  return ticks;
}

/** Clock ticks per second (`getconf CLK_TCK`); 100, Linux's value, if getconf is missing. */
export function clockTicksPerSecond(): number {
  try {
    const value = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    return Number.isFinite(value) && value > 0 ? value : 100;
  } catch {
    return 100;
  }
}
