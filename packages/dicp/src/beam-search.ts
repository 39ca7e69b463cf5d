import type { Encoding } from '@icrl/transformer';
import { topActions } from './policy-order';
import type { LevelOutputs, LevelRows, TreeLevels } from './tree-engine';

// DICP's discrete beam search (spec §2.2), batched over every planned env: each level is ONE engine call over
// all children of all kept beams. Level 1 expands the root with the candidate actions in the policy's sampled
// order; deeper levels expand each beam with every action in index order, appending the beam's imagined
// transition (argmax reward, argmax next state) to its context. Paths score the sum of predicted rewards (no
// discount, no value); a stable sort keeps the policy's order among ties, so without any predicted reward
// the first action is the policy's first sample.

/** One planned env: its current observation, its level-1 candidates (sampled order), its number of levels. */
export interface SearchRoot {
  readonly obs: Float32Array;
  readonly order: Int32Array;
  readonly levels: number;
}

interface Beam {
  readonly slot: number;
  readonly row: number;
  readonly first: number;
  readonly score: number;
  /** The transition that led here: state, action, predicted reward, predicted next state (observation). */
  readonly state: Float32Array;
  readonly action: number;
  readonly reward: number;
  readonly next: Float32Array;
  /** The beam this one extends (null at level 1): the back-pointer `path` walks. */
  readonly parent: Beam | null;
}

/** The best path of one root: its imagined transitions, level by level (length = the root's levels). */
export interface SearchPath {
  /** Action of each level; `actions[0]` is the action the search returns. */
  readonly actions: number[];
  /** Predicted next observation (argmax of the next-state head) after each action. */
  readonly states: number[][];
  /** Predicted reward (argmax of the reward head: the reward class) of each action. */
  readonly rewards: number[];
  /** Sum of the predicted rewards: what the search maximised. */
  readonly score: number;
}

/** What `beamSearch` returns: the first action of each root's best path, and that path on demand. */
export interface SearchResult {
  /** `actions[slot]`: the first action of root `slot`'s best path. */
  readonly actions: Int32Array;
  /** Root `slot`'s best path, rebuilt from back-pointers the search keeps anyway (no model call). */
  path(slot: number): SearchPath;
}

function argmax(x: Float32Array, offset: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (x[offset + i]! > x[offset + best]!) best = i;
  return best;
}

/** Search settings. */
export interface SearchSettings {
  readonly beam: number;
  readonly candidates: number;
  readonly numActions: number;
}

function walk(leaf: Beam): SearchPath {
  const beams: Beam[] = [];
  for (let b: Beam | null = leaf; b !== null; b = b.parent) beams.push(b);
  beams.reverse();
  return {
    actions: beams.map((b) => b.action),
    states: beams.map((b) => Array.from(b.next)),
    rewards: beams.map((b) => b.reward),
    score: leaf.score,
  };
}

/**
 * The best path of each root (`roots[i]` is slot i of `engine.begin`): its first actions, and the whole path
 * through `path(slot)`.
 */
export async function beamSearch(
  engine: TreeLevels,
  roots: readonly SearchRoot[],
  s: SearchSettings,
): Promise<SearchResult> {
  const e: Encoding = engine.encoding;
  const F = e.contextSize;
  const O = e.obsSize;
  const A = s.numActions;
  const numStates = e.numStates!;
  const classes = engine.config.rewardClasses;
  const result = new Int32Array(roots.length);
  const leaves: (Beam | undefined)[] = new Array(roots.length);
  engine.begin(Int32Array.from(roots, (_, i) => i));
  // Level 1: the root's candidates in the policy's order.
  let rows: {
    slot: number;
    parent: number;
    token: Float32Array | null;
    query: Float32Array;
    action: number;
    beam: Beam | null;
  }[] = [];
  roots.forEach((r, slot) => {
    for (let i = 0; i < s.candidates; i++) {
      rows.push({ slot, parent: -1, token: null, query: r.obs, action: r.order[i]!, beam: null });
    }
  });
  for (let level = 1; rows.length > 0; level++) {
    const n = rows.length;
    const batch: LevelRows = {
      size: n,
      slot: Int32Array.from(rows, (r) => r.slot),
      parent: Int32Array.from(rows, (r) => r.parent),
      tokens: new Float32Array(level === 1 ? 0 : n * F),
      queryStates: new Float32Array(n * O),
      actions: Int32Array.from(rows, (r) => r.action),
    };
    rows.forEach((r, i) => {
      if (r.token !== null) batch.tokens.set(r.token, i * F);
      batch.queryStates.set(r.query, i * O);
    });
    const out: LevelOutputs = await engine.expand(batch);
    // Children per slot in (parent rank, action order); a stable sort by score keeps that order among ties.
    const bySlot = new Map<number, Beam[]>();
    let allowed: Set<number> | null = null;
    rows.forEach((r, i) => {
      // With fewer candidates than actions, deeper levels keep the actions the node's policy ranks highest
      // (the policy at q_state is the same for all siblings).
      if (level > 1 && s.candidates < A) {
        if (i === 0 || rows[i - 1]!.parent !== r.parent)
          allowed = topActions(out.action, i * A, A, s.candidates);
        if (!allowed!.has(r.action)) return;
      }
      const reward = argmax(out.reward, i * classes, classes);
      const next = new Float32Array(O);
      e.decodeState(argmax(out.nextState, i * numStates, numStates), next, 0);
      const list = bySlot.get(r.slot) ?? [];
      list.push({
        slot: r.slot,
        row: i,
        first: r.beam === null ? r.action : r.beam.first,
        score: (r.beam?.score ?? 0) + reward,
        state: r.query,
        action: r.action,
        reward,
        next,
        parent: r.beam,
      });
      bySlot.set(r.slot, list);
    });
    const next: typeof rows = [];
    for (const [slot, list] of bySlot) {
      const kept = list
        .map((b, i) => ({ b, i }))
        .sort((x, y) => y.b.score - x.b.score || x.i - y.i)
        .slice(0, s.beam)
        .map((x) => x.b);
      result[slot] = kept[0]!.first;
      leaves[slot] = kept[0]!;
      if (level >= roots[slot]!.levels) continue;
      for (const b of kept) {
        const token = new Float32Array(F);
        e.writeContext(token, 0, b.state, 0, [b.action], 0, b.reward, b.next, 0);
        for (let a = 0; a < A; a++)
          next.push({ slot, parent: b.row, token, query: b.next, action: a, beam: b });
      }
    }
    rows = next;
  }
  return {
    actions: result,
    path: (slot) => {
      const leaf = leaves[slot];
      if (leaf === undefined) throw new RangeError(`no root in slot ${slot} (${roots.length} roots)`);
      return walk(leaf);
    },
  };
}
