import { describe, expect, it } from "vitest";
import {
  allProcesses,
  clockTicksPerSecond,
  cpuTicks,
  descendantsOf,
  findDescendants,
  parseProcStat,
} from "../../bench/proc.ts";

// Field layout from proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt
// majflt cmajflt utime stime cutime cstime ...
const line = (comm: string, ppid: number, utime: number, stime: number) =>
  `4242 (${comm}) S ${ppid} 4242 4242 0 -1 4194560 1234 0 0 0 ${utime} ${stime} 7 8 20 0 12 0 99 1000 50`;

describe("parseProcStat", () => {
  it("reads pid, name, parent and CPU ticks", () => {
    expect(parseProcStat(line("workerd", 17, 1500, 230))).toEqual({
      pid: 4242,
      comm: "workerd",
      ppid: 17,
      utime: 1500,
      stime: 230,
    });
  });

  it("counts fields from the last parenthesis, whatever the name holds", () => {
    const stat = parseProcStat(line("a) b (c", 9, 3, 4));
    expect(stat.comm).toBe("a) b (c");
    expect(stat).toMatchObject({ ppid: 9, utime: 3, stime: 4 });
  });

  it("refuses what is not a stat line", () => {
    expect(() => parseProcStat("garbage")).toThrow(/not a \/proc stat line/);
    expect(() => parseProcStat("1 (x) S")).toThrow(/bad field/);
  });
});

describe("descendantsOf", () => {
  it("follows parent links through generations, and nothing else", () => {
    const all = [
      { pid: 1, ppid: 0 },
      { pid: 10, ppid: 1 },
      { pid: 11, ppid: 10 },
      { pid: 12, ppid: 11 },
      { pid: 20, ppid: 1 },
    ];
    expect(descendantsOf(10, all).sort()).toEqual([11, 12]);
    expect(descendantsOf(12, all)).toEqual([]);
  });
});

describe("this machine's /proc", () => {
  it("lists this process, and its ticks only grow", () => {
    expect(allProcesses().some((p) => p.pid === process.pid)).toBe(true);
    const before = cpuTicks([process.pid]);
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(cpuTicks([process.pid])).toBeGreaterThanOrEqual(before);
    expect(cpuTicks([2 ** 30])).toBe(0);
    expect(findDescendants(process.pid, "no-such-comm")).toEqual([]);
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
  });
});
