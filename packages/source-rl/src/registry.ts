import { InvalidArgumentError, type JsonObject } from '@icrl/core';
import { a2c } from './a2c';
import { adEpsilon } from './ad-epsilon';
import type { SourceAlgorithm } from './algorithm';
import { thompsonSampling, ucb1 } from './bandit-algorithms';
import { ppo } from './ppo';
import { sac } from './sac';
import { tabularQ } from './tabular-q';

/** Factories of the built-in algorithms by registry name (what `HistoryMeta.source.algorithm` stores). */
export const SOURCE_ALGORITHMS: Readonly<Record<string, (settings: JsonObject) => SourceAlgorithm>> =
  Object.freeze({
    ppo: (s: JsonObject) => ppo(s),
    a2c: (s: JsonObject) => a2c(s),
    'tabular-q': (s: JsonObject) => tabularQ(s),
    ucb1: (s: JsonObject) => ucb1(s),
    thompson: (s: JsonObject) => thompsonSampling(s),
    'ad-epsilon': (s: JsonObject) => adEpsilon(s),
    sac: (s: JsonObject) => sac(s),
  });

/**
 * A built-in algorithm from its name and settings, e.g. as stored in a history's meta (workers rebuild
 * learners this way).
 *
 * @example
 * const again = makeAlgorithm(meta.source.algorithm, meta.source.settings);
 */
export function makeAlgorithm(name: string, settings: JsonObject = {}): SourceAlgorithm {
  const factory = SOURCE_ALGORITHMS[name];
  if (factory === undefined) {
    throw new InvalidArgumentError(
      'algorithm',
      name,
      `one of ${Object.keys(SOURCE_ALGORITHMS)
        .map((n) => `"${n}"`)
        .join(', ')}`,
    );
  }
  return factory(settings);
}
