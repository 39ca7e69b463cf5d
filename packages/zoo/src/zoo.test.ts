import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate, InvalidArgumentError, InvalidFileError, RandomAgent, type SpaceArray } from '@icrl/core';
import { DicpAgent } from '@icrl/dicp';
import { makeEnvFamily } from '@icrl/envs';
import { type ADModel, OrtAgent, TransformerAgent } from '@icrl/transformer';
import { describe, expect, it } from 'vitest';
import {
  listZooModels,
  loadZooModel,
  loadZooOrtModel,
  verifyZooModel,
  type ZooEntry,
  zooEntry,
  zooRoot,
} from './index';

const models = listZooModels();

/** At most 16 held-out tasks, spread over the split (Key-to-Door holds 328; the cards evaluate them all). */
function heldOut<T>(test: readonly T[]): T[] {
  const stride = Math.ceil(test.length / 16);
  return test.filter((_, i) => i % stride === 0);
}

/**
 * Planned env-steps a DICP model's run may take: the beam search costs ~10 ms per env-step (depth 16, 100
 * transitions), so a model's card episodes are cut to fit (Darkroom: all 20; Permuted, 50-step episodes and a
 * 2-episode context: 7). The last 5 episodes are then still well past the context fill, where planning acts.
 */
const PLANNED_STEPS = 6_000;

/** Episodes of the test's in-context run: the card's, or for a planner as many as `PLANNED_STEPS` allows. */
function testEpisodes(m: ZooEntry, envs: number, horizon: number, nTransit: number): number {
  if (!m.dynamics) return m.results.episodes;
  const unplanned = Math.ceil(nTransit / horizon); // planning starts once the context is full
  const planned = Math.floor(PLANNED_STEPS / (envs * horizon));
  return Math.max(unplanned + 5, Math.min(m.results.episodes, unplanned + planned));
}

describe('every zoo model', () => {
  it('the zoo is not empty and every entry names its env and files', () => {
    expect(models.length).toBeGreaterThan(0);
    for (const m of models) {
      expect(m.name.startsWith(`${m.env}/`)).toBe(true);
      expect(Object.keys(m.files).sort()).toEqual(['config.json', 'model.onnx', 'model.safetensors']);
    }
  });

  for (const m of models) {
    it(`zoo:${m.name} passes its checksums and beats a random agent in context on held-out tasks`, {
      // DICP models plan at every step: ~30 s alone, several times that on CI's shared cores
      timeout: 300_000,
    }, async () => {
      const family = makeEnvFamily(m.env as 'darkroom');
      const split = family.split(); // the env's DICP split (Darkroom 0, Key-to-Door and Permuted 4), as the cards use
      const { model: ort } = await loadZooOrtModel(m.name, { env: m.env });
      // On onnxruntime (its parity with the safetensors weights is the next test); DICP models plan, as their
      // cards report them. The later episodes are where a trained model must be well ahead of random.
      const agent = m.dynamics ? new DicpAgent(ort, { family, seed: 2 }) : new OrtAgent(ort, { seed: 2 });
      const tasks = heldOut(split.test);
      const runsPerTask = 2;
      const episodes = testEpisodes(m, tasks.length * runsPerTask, family.horizon, ort.config.nTransit);
      const opts = { episodes, runsPerTask, seed: 3 };
      const trained = await evaluate(agent, family, tasks, opts);
      const random = await evaluate(new RandomAgent(family.actionSpace), family, tasks, opts);
      const late = (xs: readonly number[]) => xs.slice(-5).reduce((a, b) => a + b, 0) / 5;
      // The margin scales with what the env pays: 10% of the best return (Darkroom 1.7, Key-to-Door 0.2, Permuted 3.5).
      const optimum = tasks.reduce((s, t) => s + family.maxReturn!(t), 0) / tasks.length;
      const line = `zoo:${m.name}: last 5 of ${opts.episodes} episodes ${late(trained.mean).toFixed(2)}`;
      console.log(`${line}, random ${late(random.mean).toFixed(2)}, optimum ${optimum.toFixed(2)}`);
      expect(late(trained.mean)).toBeGreaterThan(late(random.mean) + 0.1 * optimum);
      await ort.dispose();
    });

    it(`zoo:${m.name}: its ONNX file acts exactly like its safetensors weights (onnxruntime vs tfjs)`, {
      timeout: 300_000, // nTransit + 10 steps on tfjs, re-encoding up to 100 transitions, on shared CI cores
    }, async () => {
      const family = makeEnvFamily(m.env as 'darkroom');
      const { model } = loadZooModel(m.name);
      const { model: ort } = await loadZooOrtModel(m.name);
      const env = family.make(heldOut(family.split().test).slice(0, 4), { autoReset: 'same-step' });
      const tfAgent = new TransformerAgent(model as ADModel, { seed: 5 });
      const ortAgent = new OrtAgent(ort, { seed: 5 });
      tfAgent.reset(env.numEnvs);
      ortAgent.reset(env.numEnvs);
      let obs: SpaceArray = env.reset({ seed: 1 }).slice();
      let steps = 0;
      // Past the full window, so the sliding re-encode is compared too.
      const T = model.config.nTransit + 10;
      for (let t = 0; t < T; t++) {
        const a = (tfAgent.act(obs) as Int32Array).slice();
        expect(Array.from((await ortAgent.act(obs)) as Int32Array)).toEqual(Array.from(a));
        const r = env.step(a);
        const tr = {
          obs,
          actions: a,
          rewards: r.rewards,
          nextObs: r.finalObs ?? r.obs,
          terminated: r.terminated,
          truncated: r.truncated,
        };
        tfAgent.observe(tr as never);
        ortAgent.observe(tr as never);
        obs = r.obs.slice();
        steps += env.numEnvs;
      }
      expect(steps).toBe(T * env.numEnvs);
      await ort.dispose();
      model.dispose();
    });
  }
});

describe('bad input', () => {
  it('an unknown zoo name lists the models that exist', () => {
    expect(() => zooEntry('zoo:darkroom/nope')).toThrowError(InvalidArgumentError);
    expect(() => zooEntry('zoo:darkroom/nope')).toThrowError(/expected one of zoo:/);
  });

  it('a model paired with another env is refused before loading', () => {
    const m = models[0]!;
    const other = m.env === 'darkroom' ? 'dark-key-to-door' : 'darkroom';
    expect(() => loadZooModel(m.name, { env: other })).toThrowError(/was trained on/);
  });

  it('a damaged or replaced weight file fails its checksum, naming the file', () => {
    const m = models[0]!;
    const root = mkdtempSync(join(tmpdir(), 'icrl-zoo-'));
    cpSync(zooRoot(), root, { recursive: true });
    expect(verifyZooModel(m.name, root)).toBe(join(root, m.name));
    const weights = join(root, m.name, 'model.safetensors');
    const bytes = readFileSync(weights);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(weights, bytes);
    expect(() => verifyZooModel(m.name, root)).toThrowError(InvalidFileError);
    expect(() => loadZooModel(m.name, { root })).toThrowError(
      /model\.safetensors: its sha256 is [0-9a-f]{64}, but the zoo lists/,
    );
  });

  it('a foreign index file is rejected', () => {
    const root = mkdtempSync(join(tmpdir(), 'icrl-zoo-'));
    writeFileSync(join(root, 'zoo.json'), '{"format":"something-else","version":1,"models":[]}');
    expect(() => listZooModels(root)).toThrowError(/format is not icrl-zoo/);
    copyFileSync(join(zooRoot(), 'zoo.json'), join(root, 'zoo.json'));
    expect(listZooModels(root).length).toBe(models.length);
  });
});
