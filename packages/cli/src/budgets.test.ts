import { ENV_PRESET_NAMES, makeEnvFamily } from '@icrl/envs';
import { makeAlgorithm } from '@icrl/source-rl';
import { resolveModelConfig, resolveTrainConfig } from '@icrl/transformer';
import { describe, expect, it } from 'vitest';
import { applyBudgetOverrides } from './budget-overrides';
import { BUDGET_NAMES, BUDGETS } from './budgets';
import type { UsageError } from './usage-error';

describe('budgets', () => {
  it('every env preset has a quick and a paper budget that the stages accept', () => {
    for (const env of ENV_PRESET_NAMES) {
      const family = makeEnvFamily(env);
      for (const name of BUDGET_NAMES) {
        const b = BUDGETS[env][name];
        const where = `${env}/${name}`;
        const algorithm = makeAlgorithm(b.collect.algorithm, b.collect.settings);
        expect(
          () => algorithm.check(family.observationSpace, family.actionSpace, b.collect.streams),
          where,
        ).not.toThrow();
        expect(b.collect.tasks, where).toBeLessThanOrEqual(family.split().train.length);
        expect(b.model.nTransit, where).toBeLessThanOrEqual(b.collect.stepsPerStream);
        expect(b.collect.stepsPerStream % family.horizon, where).toBe(0);
        for (const dynamics of [false, true]) {
          expect(() =>
            resolveModelConfig({
              envId: family.id,
              observationSpace: family.observationSpace,
              actionSpace: family.actionSpace,
              dynamics,
              ...b.model,
            }),
          ).not.toThrow();
        }
        const { dicpSteps, ...adTrain } = b.train;
        expect(() => resolveTrainConfig(adTrain), where).not.toThrow();
        expect(() => resolveTrainConfig({ ...adTrain, steps: dicpSteps }), where).not.toThrow();
      }
    }
  });

  it("paper budgets carry the DICP reference's settings (spec §1.2, §2.1, §5.1, §6.1)", () => {
    const dr = BUDGETS.darkroom.paper;
    expect(dr.collect).toMatchObject({ algorithm: 'ppo', streams: 100, stepsPerStream: 1000, tasks: 0 });
    expect(dr.collect.settings).toMatchObject({ nSteps: 20, batchSize: 50, nEpochs: 20 });
    expect(dr.model).toEqual({ nLayer: 4, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 80 });
    expect(dr.train).toMatchObject({ steps: 50_000, batchSize: 512, lr: 0.01 });
    expect(dr.eval).toMatchObject({ episodes: 50, planningEpisodes: 100, beam: 10, depth: 8 });
    expect(BUDGETS['dark-key-to-door'].paper.train.batchSize).toBe(4096);
    expect(BUDGETS['dark-key-to-door'].paper.model.nTransit).toBe(200);
    expect(BUDGETS['darkroom-permuted'].paper.eval.depth).toBe(16);
    expect(BUDGETS.darkroom.quick).toMatchObject({
      collect: { algorithm: 'ad-epsilon', streams: 10, stepsPerStream: 400 },
      model: { nLayer: 2, nEmbd: 32, nHead: 4, nInner: 128, nTransit: 40 },
      train: { steps: 3000, dicpSteps: 6000, batchSize: 64, lr: 0.01 },
      eval: { episodes: 20, runsPerTask: 4 },
    });
  });

  it('applies config overrides field by field, reporting every bad one', () => {
    const base = BUDGETS.darkroom.quick;
    const b = applyBudgetOverrides(base, { train: { steps: 5 }, collect: { algorithm: 'ppo' } });
    expect(b.train).toEqual({ ...base.train, steps: 5 });
    expect(b.collect.settings).toEqual({}); // another algorithm: the budget's AD-ε settings do not apply
    expect(b.model).toEqual(base.model);
    try {
      applyBudgetOverrides(base, { eval: { runsPerTask: 0, sourceBaseline: 'yes', colour: 1 }, model: [] });
      expect.unreachable();
    } catch (err) {
      expect((err as UsageError).problems).toEqual([
        'Invalid config.eval.runsPerTask: got 0; expected an integer >= 1.',
        'Invalid config.eval.sourceBaseline: got "yes"; expected true or false.',
        'Invalid config.eval.colour: no such field; accepted fields are episodes, planningEpisodes, runsPerTask, beam, depth, samples, sourceBaseline.',
        'Invalid config.model: got []; expected an object.',
      ]);
    }
  });
});
