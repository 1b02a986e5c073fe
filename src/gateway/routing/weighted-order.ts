/**
 * The order in which a call tries candidates of equal standing (the deployments of an alias, the
 * keys of a vendor): the first is the one it uses, the rest are who is tried next when that one
 * fails. Each candidate scores -ln(u) / weight and the lowest goes first:
 * - with u uniform at random, this draws by weight without replacement (Efraimidis–Spirakis), so
 *   the first is candidate i with probability weight_i / Σ weights;
 * - with u a hash of the session and the candidate's id, it is weighted rendezvous (highest random
 *   weight) hashing: a session keeps its candidate while that one is available, the sessions
 *   spread by weight, and taking a candidate away moves only the sessions it had.
 * @see https://en.wikipedia.org/wiki/Rendezvous_hashing
 */
export function weightedOrder<T>(
  items: readonly T[],
  id: (item: T) => string,
  weight: (item: T) => number,
  session: string | null,
  random: () => number = Math.random,
): T[] {
  if (items.length < 2) return [...items];
  const scored = items.map((item) => {
    // 1 - random() is in (0, 1]: never ln(0).
    const u = session === null ? 1 - random() : unitHash(`${session}\n${id(item)}`);
    return { item, score: -Math.log(u) / weight(item) };
  });
  return scored.sort((a, b) => a.score - b.score).map((s) => s.item);
}

/**
 * A stable hash of a string onto (0, 1): cyrb53's two 32-bit lanes, 53 bits in all, so every
 * isolate and every deployment maps a session the same way (no seed, no randomness).
 * @see https://github.com/bryc/code/blob/master/jshash/experimental/cyrb53.js
 */
export function unitHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const bits53 = 2097152 * (h2 >>> 0) + (h1 >>> 11);
  return (bits53 + 0.5) / 2 ** 53;
}
