import { darkKeyToDoor, darkroom, darkroomPermuted } from '@icrl/envs';
import { describe, expect, it } from 'vitest';
import { StubWorld } from '../test/stub-world';
import { DicpAgent } from './dicp-agent';
import { defaultDepth } from './planner-options';

const family = darkroom(); // 9 × 9, horizon 20
const policy = () => [0, 0, 0, 0, 0];
const world = new StubWorld(family, 24, [4, 4], policy);

describe('planner options', () => {
  it('defaults to the reference: K 10, all 5 actions, depth 8 on Darkroom, 16 on Key-to-Door and Permuted', () => {
    const agent = new DicpAgent(world, { family });
    expect(agent.options).toMatchObject({
      beam: 10,
      candidates: 5,
      depth: 8,
      horizon: 20,
      planner: 'reencode',
      window: 'reserve',
    });
    expect(defaultDepth(darkKeyToDoor())).toBe(16);
    expect(defaultDepth(darkroomPermuted())).toBe(16);
  });

  it.each([
    [{ beam: 0 }, 'Invalid options.beam: got 0; expected an integer'],
    [{ beam: 2.5 }, 'Invalid options.beam: got 2.5'],
    [{ depth: 0 }, 'Invalid options.depth: got 0; expected an integer in [1, 20]'],
    [{ depth: 21 }, 'Invalid options.depth: got 21; expected an integer in [1, 20]'],
    [{ candidates: 6 }, 'Invalid options.candidates: got 6; expected an integer in [1, 5]'],
    [{ candidates: 0 }, 'Invalid options.candidates: got 0'],
    [{ window: 'ring' }, 'Invalid options.window: got "ring"'],
    [
      { planner: 'cached' },
      'Invalid options.planner: got "cached"; expected \'reencode\' for a model that is not an OrtModel',
    ],
    [{ beams: 3 }, 'Invalid options.beams: got 3; expected no such field'],
  ])('rejects %j', (bad, message) => {
    expect(() => new DicpAgent(world, { family, ...bad } as never)).toThrow(message);
  });

  it('needs room in the window for a reserved depth, not for a sliding one', () => {
    const short = new StubWorld(family, 10, [4, 4], policy); // 9 context tokens
    expect(() => new DicpAgent(short, { family, depth: 12 })).toThrow(
      'Invalid options.depth: got 12; expected an integer in [1, 9].',
    );
    expect(new DicpAgent(short, { family, depth: 20, window: 'slide' }).options.depth).toBe(20);
  });

  it('rejects a model without dynamics heads', () => {
    const plain = { ...world, config: { ...world.config, dynamics: false }, predict: world.predict };
    expect(() => new DicpAgent(plain, { family })).toThrow(
      'Invalid model.dynamics: got false; expected a DICP model (dynamics: true) to plan with.',
    );
  });

  it('rejects a model trained on another env', () => {
    const other = darkKeyToDoor();
    expect(() => new DicpAgent(world, { family: other })).toThrow(
      'Invalid model.envId: got "darkroom"; expected "dark-key-to-door" (the family\'s id).',
    );
    const small = darkroom({ size: 7 }); // same id, other grid
    expect(() => new DicpAgent(world, { family: small })).toThrow('Invalid model.observationSpace');
  });

  it('accepts the same spaces with their keys in another order (as read back from HDF5 or a checkpoint)', () => {
    const reorder = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).reverse()) as T;
    const config = {
      ...world.config,
      observationSpace: reorder(world.config.observationSpace),
      actionSpace: reorder(world.config.actionSpace),
    };
    expect(JSON.stringify(config.observationSpace)).not.toBe(JSON.stringify(family.observationSpace));
    expect(() => new DicpAgent({ ...world, config, predict: world.predict }, { family })).not.toThrow();
  });

  it('rejects a missing family and a family without a default depth', () => {
    expect(() => new DicpAgent(world, {} as never)).toThrow('Invalid options.family');
    const renamed = { ...family, id: 'gridworld', horizon: 20 };
    const w = new StubWorld(renamed as never, 24, null, policy);
    expect(() => new DicpAgent(w, { family: renamed as never })).toThrow(
      'Invalid options.depth: got undefined; expected a planning depth (no default for gridworld).',
    );
    expect(new DicpAgent(w, { family: renamed as never, depth: 3 }).options.depth).toBe(3);
  });

  it('refuses to act before reset and on observations of the wrong size', async () => {
    const agent = new DicpAgent(world, { family });
    await expect(agent.act(new Int32Array(2))).rejects.toThrow('Invalid agent');
    agent.reset(2);
    await expect(agent.act(new Int32Array(2))).rejects.toThrow('Invalid obs');
  });
});
