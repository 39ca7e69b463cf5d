import { IcrlError } from './icrl-error';

/** `step()` was called on an environment whose episode has ended (or that was never reset). */
export class ResetNeededError extends IcrlError {
  override name = 'ResetNeededError';
  /** Index of the environment inside its vector (0 for a single env). */
  readonly envIndex: number;

  constructor(envIndex: number, reason: string) {
    super(`Environment ${envIndex} needs a reset: ${reason}.`);
    this.envIndex = envIndex;
  }
}
