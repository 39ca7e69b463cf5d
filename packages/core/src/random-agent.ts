import type { InContextAgent } from './agent';
import { Rng } from './rng';
import { allocateBatch, type Space, type SpaceArray, sampleBatch } from './spaces';

/** Acts uniformly at random: the floor every in-context learner must beat. */
export class RandomAgent implements InContextAgent {
  readonly name = 'random';
  private rng: Rng;
  private actions: SpaceArray = new Int32Array(0);
  private numEnvs = 0;

  constructor(
    private readonly actionSpace: Space,
    private readonly seed = 0,
  ) {
    this.rng = new Rng(seed);
  }

  reset(numEnvs: number, options?: { seed?: number }): void {
    this.numEnvs = numEnvs;
    this.rng = new Rng(options?.seed ?? this.seed);
    this.actions = allocateBatch(this.actionSpace, numEnvs);
  }

  act(_obs: SpaceArray): SpaceArray {
    return sampleBatch(this.actionSpace, this.rng, this.actions, this.numEnvs);
  }

  observe(): void {
    // a random agent learns nothing
  }
}
