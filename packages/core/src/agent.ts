import type { SpaceArray } from './spaces';

/** One batched transition, as an agent observes it after `VecEnv.step`. */
export interface VecTransition {
  /** Observations the actions were taken in, `[numEnvs * obsSize]`. */
  readonly obs: SpaceArray;
  /** Actions taken. */
  readonly actions: SpaceArray;
  /** Rewards received, `[numEnvs]`. */
  readonly rewards: Float32Array;
  /** True next observations: the last observation of an ended episode, never the reset observation. */
  readonly nextObs: SpaceArray;
  /** 1 where the episode terminated. */
  readonly terminated: Uint8Array;
  /** 1 where the episode was truncated by the time limit. */
  readonly truncated: Uint8Array;
}

/**
 * Anything that acts in a vector env and learns (or not) from what it sees: an AD transformer with frozen
 * weights, a DICP planner, the source RL algorithm itself, a random agent. One evaluator compares them all.
 * An in-context agent is never told the task: it must infer it from the transitions it observes.
 */
export interface InContextAgent {
  /** Name used in results and plots (`ad`, `dicp-ad`, `ppo`, `random`). */
  readonly name: string;
  /** Starts a new run over `numEnvs` envs: clears the context (or the weights of a learner). */
  reset(numEnvs: number, options?: { seed?: number }): void | Promise<void>;
  /** Actions for the current observations, `[numEnvs]` (discrete) or `[numEnvs * actionSize]`. */
  act(obs: SpaceArray): SpaceArray | Promise<SpaceArray>;
  /** Receives the transition that followed `act`. */
  observe(transition: VecTransition): void | Promise<void>;
  /** Frees tensors, sessions or workers the agent owns. */
  dispose?(): void | Promise<void>;
}
