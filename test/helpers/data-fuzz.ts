/** Seeded byte mutations for fuzz tests: truncations, byte flips and insertions. */

/** mulberry32: a seeded uniform generator in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Returns a mutated copy of `bytes`: truncated, 1-8 bytes flipped, or random bytes inserted. */
export function mutate(bytes: Uint8Array, rnd: () => number): Buffer {
  const kind = Math.floor(rnd() * 3);
  const pos = Math.floor(rnd() * bytes.length);
  if (kind === 0) return Buffer.from(bytes.subarray(0, pos));
  const out = Buffer.from(bytes);
  if (kind === 1) {
    const flips = 1 + Math.floor(rnd() * 8);
    for (let k = 0; k < flips; k++) {
      // Bias half the flips to the first 512 bytes, where headers live.
      const p = rnd() < 0.5 ? Math.floor(rnd() * Math.min(512, out.length)) : Math.floor(rnd() * out.length);
      out[p] = out[p]! ^ (1 << Math.floor(rnd() * 8));
    }
    return out;
  }
  const insert = Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 16) }, () => Math.floor(rnd() * 256)));
  return Buffer.concat([out.subarray(0, pos), insert, out.subarray(pos)]);
}
