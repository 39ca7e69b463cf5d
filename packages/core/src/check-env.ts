import { IcrlError } from './errors/icrl-error';
import { InvalidArgumentError } from './errors/invalid-argument-error';
import { ResetNeededError } from './errors/reset-needed-error';
import { Rng } from './rng';
import { allocateBatch, contains, flatSize, type SpaceArray, sampleBatch, spaceDtype } from './spaces';
import type { VecEnv } from './vec-env';

/** Options for `checkEnv`. */
export interface CheckEnvOptions {
  /** Seed for resets and random actions. Default 0. */
  seed?: number;
  /** Steps of random play to check. Default: three horizons. */
  steps?: number;
}

/** Thrown by `checkEnv` when an env breaks the `VecEnv` contract. */
export class EnvContractError extends IcrlError {
  override name = 'EnvContractError';
}

function fail(message: string): never {
  throw new EnvContractError(`checkEnv: ${message}`);
}

function expectArray(name: string, value: unknown, ctor: unknown, length: number): void {
  if (!(value instanceof (ctor as typeof Int32Array)))
    fail(`${name} is not a ${(ctor as { name: string }).name}`);
  if ((value as ArrayLike<number>).length !== length) {
    fail(`${name} has length ${(value as ArrayLike<number>).length}, expected ${length}`);
  }
}

/**
 * Checks that a vector env honours the `VecEnv` contract, as Gymnasium's `check_env` does: spaces and buffer
 * shapes, observations inside the observation space, 0/1 flags, determinism under a seed (two envs from
 * `makeEnv` replay identically), the declared auto-reset behaviour, and rejection of malformed actions.
 * Throws `EnvContractError` describing the first violation.
 */
export function checkEnv(makeEnv: () => VecEnv, options: CheckEnvOptions = {}): void {
  const seed = options.seed ?? 0;
  const a = makeEnv();
  const b = makeEnv();
  const n = a.numEnvs;
  if (!Number.isInteger(n) || n < 1) fail(`numEnvs is ${n}`);
  if (a.tasks.length !== n) fail(`tasks has ${a.tasks.length} entries for ${n} envs`);
  if (a.obsSize !== flatSize(a.observationSpace)) fail(`obsSize ${a.obsSize} != flatSize(observationSpace)`);
  if (!Number.isInteger(a.horizon) || a.horizon < 1) fail(`horizon is ${a.horizon}`);
  const obsCtor = spaceDtype(a.observationSpace) === 'int32' ? Int32Array : Float32Array;
  const obsLen = n * a.obsSize;
  const steps = options.steps ?? 3 * a.horizon;

  const checkObs = (name: string, obs: SpaceArray) => {
    expectArray(name, obs, obsCtor, obsLen);
    for (let i = 0; i < n; i++) {
      const row = obs.subarray(i * a.obsSize, (i + 1) * a.obsSize);
      if (!contains(a.observationSpace, row))
        fail(`${name} of env ${i} (${Array.from(row)}) is outside the space`);
    }
  };

  const oa = a.reset({ seed });
  const ob = b.reset({ seed });
  checkObs('reset() observation', oa);
  if (!oa.every((x, i) => Object.is(x, ob[i]))) fail('two envs reset with the same seed differ');

  // Malformed actions must be rejected, before the env changes.
  const actionLen = n * flatSize(a.actionSpace);
  let rejected = false;
  try {
    a.step(new Array(actionLen + 1).fill(0));
  } catch (e) {
    rejected = e instanceof InvalidArgumentError;
  }
  if (!rejected) fail('an action array of the wrong length was not rejected with InvalidArgumentError');
  if (a.actionSpace.kind === 'discrete') {
    for (const bad of [-1, a.actionSpace.n, 0.5, Number.NaN]) {
      const actions = new Array(actionLen).fill(0);
      actions[actionLen - 1] = bad;
      rejected = false;
      try {
        a.step(actions);
      } catch (e) {
        rejected = e instanceof InvalidArgumentError;
      }
      if (!rejected) fail(`action ${bad} was not rejected with InvalidArgumentError`);
    }
  }

  const rng = new Rng(seed).fork(1);
  const actions = allocateBatch(a.actionSpace, n);
  const ended = new Uint8Array(n);
  for (let t = 0; t < steps; t++) {
    sampleBatch(a.actionSpace, rng, actions, n);
    const ra = a.step(actions);
    const snapshot = {
      obs: ra.obs.slice(),
      rewards: ra.rewards.slice(),
      terminated: ra.terminated.slice(),
      truncated: ra.truncated.slice(),
    };
    const rb = b.step(actions);
    checkObs(`step ${t} observation`, snapshot.obs);
    expectArray('rewards', snapshot.rewards, Float32Array, n);
    expectArray('terminated', snapshot.terminated, Uint8Array, n);
    expectArray('truncated', snapshot.truncated, Uint8Array, n);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(snapshot.rewards[i]!)) fail(`reward of env ${i} at step ${t} is not finite`);
      if (snapshot.terminated[i]! > 1 || snapshot.truncated[i]! > 1) fail(`flags of env ${i} are not 0/1`);
    }
    if (a.autoReset === 'same-step') {
      if (ra.finalObs === null) fail("finalObs is null in 'same-step' mode");
      checkObs('finalObs', ra.finalObs);
    } else if (ra.finalObs !== null) {
      fail(`finalObs must be null in '${a.autoReset}' mode`);
    }
    const same =
      snapshot.obs.every((x, i) => Object.is(x, rb.obs[i])) &&
      snapshot.rewards.every((x, i) => Object.is(x, rb.rewards[i])) &&
      snapshot.terminated.every((x, i) => x === rb.terminated[i]) &&
      snapshot.truncated.every((x, i) => x === rb.truncated[i]);
    if (!same) fail(`two envs with the same seed and actions diverged at step ${t}`);
    let anyEnded = false;
    for (let i = 0; i < n; i++) {
      ended[i] = snapshot.terminated[i]! | snapshot.truncated[i]!;
      anyEnded ||= ended[i] === 1;
    }
    if (anyEnded && a.autoReset === 'disabled') {
      let threw = false;
      try {
        a.step(actions);
      } catch (e) {
        threw = e instanceof ResetNeededError;
      }
      if (!threw) fail("stepping an ended env in 'disabled' mode did not throw ResetNeededError");
      checkObs('reset({ mask }) observation', a.reset({ mask: ended }).slice());
      b.reset({ mask: ended });
    }
  }
  a.close();
  b.close();
}
