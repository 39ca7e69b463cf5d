import { IcrlError } from '@icrl/core';

/**
 * A learner's loss or gradient became NaN or infinite. Names the task (its index in the family) and the
 * update, so a collection that stops here says where; tasks already written stay intact.
 *
 * @example
 * try { await collect(options); } catch (e) { if (e instanceof TrainingDivergedError) console.log(e.taskIndex, e.update); }
 */
export class TrainingDivergedError extends IcrlError {
  override name = 'TrainingDivergedError';
  /** Index of the task (in its family) whose learner diverged. */
  readonly taskIndex: number;
  /** 1-based number of the learner's update that diverged. */
  readonly update: number;
  /** What was not finite (`loss`, `gradient norm`, ...). */
  readonly quantity: string;

  constructor(taskIndex: number, update: number, quantity: string, detail = '') {
    super(
      `Training diverged on task ${taskIndex} at update ${update}: the ${quantity} is not finite${detail ? ` (${detail})` : ''}. ` +
        'Check the rewards the env returns and lower the learning rate.',
    );
    this.taskIndex = taskIndex;
    this.update = update;
    this.quantity = quantity;
  }
}
