/**
 * Opaque, prefixed ids that sort by creation time: `usr_` + 10 chars of millisecond time + 16
 * random chars, all Crockford base32 (a ULID body). Sorting by id is creation order, so one
 * column serves as a stable pagination key. Within one isolate and millisecond the random part is
 * incremented, so ids made in one request (a user message, then its reply) keep their order.
 */
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export type IdPrefix = "usr" | "key" | "per" | "cnv" | "msg" | "use" | "req" | "vk";

let lastTime = -1;
let lastRandom: number[] = [];

function randomDigits(): number[] {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b & 31);
}

function increment(digits: number[]): number[] {
  const next = digits.slice();
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] as number) < 31) {
      next[i] = (next[i] as number) + 1;
      return next;
    }
    next[i] = 0;
  }
  return randomDigits(); // 80-bit overflow within one millisecond: practically unreachable.
}

export function newId(prefix: IdPrefix, now = Date.now()): string {
  if (now <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomDigits();
  }
  let time = "";
  let t = Math.max(now, lastTime);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET.charAt(t % 32) + time;
    t = Math.floor(t / 32);
  }
  return `${prefix}_${time}${lastRandom.map((d) => ALPHABET.charAt(d)).join("")}`;
}
