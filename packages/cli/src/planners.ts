import type { EnvFamily, InContextAgent, Space } from '@icrl/core';
import type { IDTModel, OrtModel } from '@icrl/transformer';
import { UsageError } from './usage-error';

/** Planner names `--planner` accepts. `none` acts from the policy alone (the model-free baseline). */
export const PLANNER_NAMES = ['none', 'beam', 'greedy'] as const;
export type PlannerName = (typeof PLANNER_NAMES)[number];

/** Planner settings (DICP spec §2.1: beam K = 10, horizon 8 / 16; greedy: L = 10 sampled actions). */
export interface PlannerSettings {
  readonly planner: PlannerName;
  /** Beam size K (beam search). */
  readonly beam: number;
  /** Planning depth (beam search over AD; IDT plans its c-step segment). */
  readonly depth: number;
  /** Candidate actions L (greedy search, continuous actions). */
  readonly samples: number;
}

/** The planner `icrl run` uses for DICP-AD: beam search over discrete actions, greedy search over continuous. */
export function defaultPlanner(actionSpace: Space): PlannerName {
  return actionSpace.kind === 'discrete' ? 'beam' : 'greedy';
}

/** Fails before anything runs when a planner is not available or does not fit the model or the env. */
export function checkPlanner(
  settings: PlannerSettings,
  model: { dynamics: boolean } | null,
  actionSpace: Space,
): void {
  if (settings.planner === 'none') return;
  if (settings.planner !== defaultPlanner(actionSpace)) {
    throw new UsageError(
      `--planner ${settings.planner} does not fit this env's ${actionSpace.kind} actions; DICP plans with ${defaultPlanner(actionSpace)} search here (or use --planner none).`,
    );
  }
  if (model !== null && !model.dynamics) {
    throw new UsageError(
      `--planner ${settings.planner} needs a model trained with --dynamics (DICP); this one has no dynamics heads.`,
    );
  }
}

/** DICP's planning agent for an AD-family model on onnxruntime (beam: `DicpAgent`; greedy: `GreedyAgent`). */
export async function adPlanner(
  settings: PlannerSettings,
  model: OrtModel,
  family: EnvFamily,
  options: { name: string; seed: number },
): Promise<InContextAgent> {
  const dicp = await import('@icrl/dicp');
  if (settings.planner === 'beam') {
    return new dicp.DicpAgent(model, { family, beam: settings.beam, depth: settings.depth, ...options });
  }
  return new dicp.GreedyAgent(model, { family, samples: settings.samples, ...options });
}

/** DICP-IDT's segment beam search (`DicpIdtAgent`, on tfjs; its depth is the segment length c). */
export async function idtPlanner(
  settings: PlannerSettings,
  model: IDTModel,
  family: EnvFamily,
  options: { name: string; seed: number; initialReturn: readonly number[] },
): Promise<InContextAgent> {
  if (settings.planner !== 'beam') {
    throw new UsageError(
      `--planner ${settings.planner} does not apply to IDT models; use --planner beam or none.`,
    );
  }
  const dicp = await import('@icrl/dicp');
  return new dicp.DicpIdtAgent(model, { family, beam: settings.beam, ...options });
}
