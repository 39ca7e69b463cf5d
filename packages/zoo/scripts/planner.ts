import type { EnvFamily } from '@icrl/core';
import { DicpAgent, defaultDepth } from '@icrl/dicp';
import { type ADModel, OrtModel } from '@icrl/transformer';

/** The DICP beam-search agent the zoo cards report: the cached planner on onnxruntime, reference settings. */
export async function plannerAgent(model: ADModel, family: EnvFamily): Promise<DicpAgent> {
  return new DicpAgent(await OrtModel.fromModel(model), { family, seed: 1 });
}

/** The planner's settings, for the card. */
export function planOptions(family: EnvFamily): string {
  return `beam search, K 10, all actions, depth ${defaultDepth(family) ?? '?'}`;
}
