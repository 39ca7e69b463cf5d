import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

const draw = (rng: Rng, count = 16) => Array.from({ length: count }, () => rng.nextUint32());

describe('Rng', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(draw(new Rng(7))).toEqual(draw(new Rng(7)));
    expect(draw(new Rng(7))).not.toEqual(draw(new Rng(8)));
    // seeds that agree in their low 32 bits must still differ
    expect(draw(new Rng(1))).not.toEqual(draw(new Rng(2 ** 32 + 1)));
  });

  it('forks named sub-streams that do not depend on how much the parent drew', () => {
    const a = new Rng(3);
    const b = new Rng(3);
    draw(b, 1000);
    expect(draw(a.fork(5, 2))).toEqual(draw(b.fork(5, 2)));
    expect(draw(a.fork(5, 2))).not.toEqual(draw(a.fork(2, 5)));
    expect(draw(a.fork(5))).not.toEqual(draw(a.fork(5, 0)));
    expect(a.fork(5, 2).path).toEqual([3, 5, 2]);
  });

  it('gives sub-streams with no visible correlation', () => {
    // Pearson correlation of 20k paired uniforms from neighbouring streams stays near 0 (|r| < 0.03).
    const x = new Rng(0).fork(0, 0);
    const y = new Rng(0).fork(0, 1);
    const n = 20000;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const u = x.float();
      const v = y.float();
      sx += u;
      sy += v;
      sxx += u * u;
      syy += v * v;
      sxy += u * v;
    }
    const r = (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    expect(Math.abs(r)).toBeLessThan(0.03);
  });

  it('draws unbiased integers (chi-square over 5 bins)', () => {
    const rng = new Rng(11);
    const counts = new Array(5).fill(0);
    const n = 50000;
    for (let i = 0; i < n; i++) counts[rng.int(5)]++;
    const chi2 = counts.reduce((acc, c) => acc + (c - n / 5) ** 2 / (n / 5), 0);
    expect(chi2).toBeLessThan(18.47); // p = 0.001 for 4 degrees of freedom
  });

  it('keeps every draw in range', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 2 ** 32 }), (seed, n) => {
        const rng = new Rng(seed);
        for (let i = 0; i < 20; i++) {
          const k = rng.int(n);
          const f = rng.float();
          if (!(Number.isInteger(k) && k >= 0 && k < n && f >= 0 && f < 1)) return false;
        }
        return true;
      }),
    );
  });

  it('draws normals with mean 0 and variance 1', () => {
    const rng = new Rng(5);
    const n = 40000;
    let s = 0;
    let ss = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s += z;
      ss += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(ss / n - 1)).toBeLessThan(0.04);
  });

  it('saves and restores its state exactly, through JSON', () => {
    const rng = new Rng(9).fork(1);
    draw(rng, 37);
    rng.normal();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const restored = Rng.fromState(saved);
    expect([rng.normal(), ...draw(rng)]).toEqual([restored.normal(), ...draw(restored)]);
    expect(restored.path).toEqual([9, 1]);
  });

  it('rejects bad seeds, bounds and states with a clear error', () => {
    expect(() => new Rng(-3)).toThrow('Invalid seed: got -3; expected an integer in [0, 9007199254740991].');
    expect(() => new Rng(0).int(0)).toThrow(/Invalid n: got 0/);
    expect(() => new Rng(0).fork(-1)).toThrow(/fork key 0/);
    expect(() => Rng.fromState({ path: [1], state: [0, 0, 0, 0], spareNormal: null })).toThrow(/rngState/);
  });
});

describe('Rng bulk fills', () => {
  it('fillInt draws exactly what repeated int() calls draw, and leaves the stream in the same place', () => {
    for (const n of [1, 2, 5, 81, 1000, 2 ** 31 + 7, 2 ** 32]) {
      const a = new Rng(4).fork(n);
      const b = new Rng(4).fork(n);
      const bulk = Array.from(a.fillInt(new Uint32Array(257), n));
      const single = Array.from({ length: 257 }, () => b.int(n));
      expect(bulk).toEqual(single);
      expect(a.nextUint32()).toBe(b.nextUint32());
    }
  });
});
