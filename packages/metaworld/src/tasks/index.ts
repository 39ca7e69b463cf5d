import type { MetaworldTaskName, MetaworldTaskSpec } from '../task-spec';
import { PEG_INSERT_SIDE } from './peg-insert-side';
import { PICK_PLACE } from './pick-place';
import { PUSH } from './push';
import { REACH } from './reach';
import { SWEEP } from './sweep';

/** The task specifications by name. */
export const TASK_SPECS: Readonly<Record<MetaworldTaskName, MetaworldTaskSpec>> = Object.freeze({
  reach: REACH,
  push: PUSH,
  'pick-place': PICK_PLACE,
  sweep: SWEEP,
  'peg-insert-side': PEG_INSERT_SIDE,
});
