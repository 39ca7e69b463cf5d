import type { InContextAgent, SpaceArray, VecTransition } from '@icrl/core';

// Darkroom's base moves, in the reference order: 0: x+1, 1: x-1, 2: y+1, 3: y-1, 4: stay.
const STAY = 4;

function toward(x: number, y: number, tx: number, ty: number): number {
  if (x < tx) return 0;
  if (x > tx) return 1;
  if (y < ty) return 2;
  if (y > ty) return 3;
  return STAY;
}

/**
 * A hand-written in-context learner for Darkroom: it never sees the task, only its own transitions. Until it
 * has been paid, it walks to the nearest cell it has never stood on (cells it has stood on without reward are
 * not the goal); once a reward reveals the goal, it walks there in every later episode. Its return rises across
 * episodes with no weights to update — the behaviour Algorithm Distillation has to learn from data.
 */
export class SweepAgent implements InContextAgent {
  readonly name = 'sweep';
  private visited = new Uint8Array(0); // [numEnvs * size * size], remembered across episodes
  private goal = new Int32Array(0); // [numEnvs] cell index of the goal once found, else -1
  private actions = new Int32Array(0);
  private numEnvs = 0;

  constructor(private readonly size: number) {}

  reset(numEnvs: number): void {
    this.numEnvs = numEnvs;
    this.visited = new Uint8Array(numEnvs * this.size * this.size);
    this.goal = new Int32Array(numEnvs).fill(-1);
    this.actions = new Int32Array(numEnvs);
  }

  act(obs: SpaceArray): SpaceArray {
    const cells = this.size * this.size;
    for (let i = 0; i < this.numEnvs; i++) {
      const x = obs[2 * i]!;
      const y = obs[2 * i + 1]!;
      const goal = this.goal[i]!;
      if (goal >= 0) {
        this.actions[i] = toward(x, y, Math.floor(goal / this.size), goal % this.size);
        continue;
      }
      // Nearest never-visited cell (Manhattan distance; the first one in row-major order on ties).
      let best = -1;
      let bestDistance = Number.POSITIVE_INFINITY;
      for (let c = 0; c < cells; c++) {
        if (this.visited[i * cells + c]) continue;
        const d = Math.abs(Math.floor(c / this.size) - x) + Math.abs((c % this.size) - y);
        if (d < bestDistance) {
          bestDistance = d;
          best = c;
        }
      }
      this.actions[i] = best < 0 ? STAY : toward(x, y, Math.floor(best / this.size), best % this.size);
    }
    return this.actions;
  }

  observe(t: VecTransition): void {
    const cells = this.size * this.size;
    for (let i = 0; i < this.numEnvs; i++) {
      const cell = t.nextObs[2 * i]! * this.size + t.nextObs[2 * i + 1]!;
      this.visited[i * cells + cell] = 1;
      if (t.rewards[i]! > 0) this.goal[i] = cell;
    }
  }
}
