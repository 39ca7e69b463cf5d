import {
  allocateBatch,
  type InContextAgent,
  InvalidArgumentError,
  type SpaceArray,
  type VecEnv,
} from '@icrl/core';

/**
 * The optimal policy of an env's tasks, as an agent: it asks the env for `optimalActions()` (which may use
 * hidden state, such as a held key), so it needs the env it acts in. The upper line of every learning curve.
 *
 * @example
 * const env = darkroom().make(darkroom().split().test, { autoReset: 'same-step' });
 * const { returns } = await rollout(env, new OracleAgent(env), { episodes: 3 });
 */
export class OracleAgent implements InContextAgent {
  readonly name = 'oracle';
  private actions: SpaceArray;

  constructor(private readonly env: VecEnv) {
    if (typeof env.optimalActions !== 'function') {
      throw new InvalidArgumentError(
        'env',
        env.constructor?.name ?? env,
        'a VecEnv that implements optimalActions()',
      );
    }
    // Int32 indices for discrete actions, float vectors for boxes (Meta-World's scripted experts).
    this.actions = allocateBatch(env.actionSpace, env.numEnvs);
  }

  reset(numEnvs: number): void {
    if (numEnvs !== this.env.numEnvs) {
      throw new InvalidArgumentError('numEnvs', numEnvs, `${this.env.numEnvs}, the size of the oracle's env`);
    }
  }

  act(_obs: SpaceArray): SpaceArray {
    this.actions = this.env.optimalActions!(this.actions);
    return this.actions;
  }

  observe(): void {
    // the oracle already knows everything
  }
}
