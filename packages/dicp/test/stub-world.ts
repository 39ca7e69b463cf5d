import type { EnvFamily, VecTransition } from '@icrl/core';
import { Encoding, type ModelConfig, resolveModelConfig } from '@icrl/transformer';
import type { WorldModel, WorldModelInput, WorldModelOutput } from '../src/index';

// A hand-built world model with known answers: Darkroom moves (0 x+1, 1 x−1, 2 y+1, 3 y−1, 4 stay, clipped),
// reward 1 when the next cell is `goal` (never, with `goal: null`), and a policy given as a function of the
// query cell. It records every call and checks every context token it is shown against those dynamics, so a
// wrong imagined transition (state, action, predicted reward, predicted next state) is caught.

const DX = [1, -1, 0, 0, 0];
const DY = [0, 0, 1, -1, 0];

export interface StubCall {
  readonly size: number;
  readonly contextLength: number;
  readonly withActions: boolean;
}

export class StubWorld implements WorldModel {
  readonly config: ModelConfig;
  readonly encoding: Encoding;
  readonly calls: StubCall[] = [];
  /** Context tokens that contradict the dynamics. */
  badTokens = 0;
  private readonly size: number;

  constructor(
    family: EnvFamily,
    nTransit: number,
    readonly goal: readonly [number, number] | null,
    readonly policy: (x: number, y: number) => readonly number[],
  ) {
    this.config = resolveModelConfig({
      envId: family.id,
      observationSpace: family.observationSpace,
      actionSpace: family.actionSpace,
      dynamics: true,
      nTransit,
      nLayer: 1,
      nEmbd: 8,
      nHead: 2,
      nInner: 8,
    });
    this.encoding = new Encoding(this.config);
    this.size = family.config.size as number;
  }

  move(x: number, y: number, a: number): [number, number] {
    const c = (v: number) => Math.min(this.size - 1, Math.max(0, v));
    return [c(x + DX[a]!), c(y + DY[a]!)];
  }

  private rewardAt(x: number, y: number): number {
    return this.goal !== null && x === this.goal[0] && y === this.goal[1] ? 1 : 0;
  }

  predict(input: WorldModelInput): WorldModelOutput {
    const { size: B, contextLength: L, context } = input;
    const F = this.encoding.contextSize;
    this.calls.push({ size: B, contextLength: L, withActions: input.queryActions !== undefined });
    for (let t = 0; t < B * L; t++) {
      const tok = context.subarray(t * F, (t + 1) * F);
      const a = [0, 1, 2, 3, 4].find((k) => tok[2 + k] === 1)!;
      const [nx, ny] = this.move(tok[0]!, tok[1]!, a);
      if (nx !== tok[8] || ny !== tok[9] || tok[7] !== this.rewardAt(nx, ny)) this.badTokens++;
    }
    const S = this.size * this.size;
    const action = new Float32Array(B * 5);
    const reward = new Float32Array(B * 2);
    const nextState = new Float32Array(B * S);
    for (let i = 0; i < B; i++) {
      const x = input.queryStates[2 * i]!;
      const y = input.queryStates[2 * i + 1]!;
      action.set(this.policy(x, y), i * 5);
      if (input.queryActions === undefined) continue;
      const [nx, ny] = this.move(x, y, input.queryActions[i]!);
      const r = this.rewardAt(nx, ny);
      reward[i * 2 + r] = 5;
      nextState[i * S + nx * this.size + ny] = 10;
    }
    const out = { action };
    return input.queryActions === undefined ? out : { ...out, reward, nextState };
  }
}

/** A transition batch of `n` envs all at cell (x, y) taking `action`, its reward and truncation given. */
export function transition(
  world: StubWorld,
  n: number,
  x: number,
  y: number,
  action: number,
  truncated = false,
): VecTransition {
  const [nx, ny] = world.move(x, y, action);
  const r = world.goal !== null && nx === world.goal[0] && ny === world.goal[1] ? 1 : 0;
  return {
    obs: Int32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? x : y)),
    actions: new Int32Array(n).fill(action),
    rewards: new Float32Array(n).fill(r),
    nextObs: Int32Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? nx : ny)),
    terminated: new Uint8Array(n),
    truncated: new Uint8Array(n).fill(truncated ? 1 : 0),
  };
}
