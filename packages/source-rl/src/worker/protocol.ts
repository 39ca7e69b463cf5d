import { IcrlError, InvalidArgumentError, type JsonObject, type SpaceArray } from '@icrl/core';
import type { LearnerSpec } from '../algorithm';
import { TrainingDivergedError } from '../errors/training-diverged-error';

/** Main thread -> worker: build a learner group for a slice of the tasks. */
export interface InitMessage {
  readonly type: 'init';
  readonly name: string;
  readonly settings: JsonObject;
  readonly spec: LearnerSpec;
}

/**
 * Main thread -> worker, once per env step: the transition that followed the previous actions (if any),
 * then the observations to act on (if any). One round trip per step.
 */
export interface StepMessage {
  readonly type: 'step';
  readonly observe: {
    readonly obs: SpaceArray;
    readonly actions: SpaceArray;
    readonly rewards: Float32Array;
    readonly nextObs: SpaceArray;
    readonly terminated: Uint8Array;
    readonly truncated: Uint8Array;
    readonly last: boolean;
  } | null;
  readonly act: { readonly obs: SpaceArray; readonly optimalActions: SpaceArray | null } | null;
}

export type WorkerRequest = InitMessage | StepMessage | { readonly type: 'metrics' };

/** An error crossing the thread boundary. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly taskIndex?: number;
  readonly update?: number;
  readonly quantity?: string;
  readonly field?: string;
  readonly expected?: string;
}

export interface WorkerReply {
  readonly actions?: SpaceArray | null;
  readonly metrics?: Record<string, number>;
  readonly error?: SerializedError;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof TrainingDivergedError) {
    return {
      name: error.name,
      message: error.message,
      taskIndex: error.taskIndex,
      update: error.update,
      quantity: error.quantity,
    };
  }
  if (error instanceof InvalidArgumentError) {
    return { name: error.name, message: error.message, field: error.field, expected: error.expected };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

/** Rebuilds the error a worker sent, as the class the caller would have seen in-process. */
export function deserializeError(e: SerializedError): Error {
  if (e.name === 'TrainingDivergedError') {
    const rebuilt = new TrainingDivergedError(e.taskIndex!, e.update!, e.quantity!);
    rebuilt.message = e.message;
    return rebuilt;
  }
  if (e.name === 'InvalidArgumentError') {
    const rebuilt = new InvalidArgumentError(e.field!, undefined, e.expected!);
    rebuilt.message = e.message;
    return rebuilt;
  }
  const rebuilt = new IcrlError(e.message);
  rebuilt.name = e.name;
  return rebuilt;
}
