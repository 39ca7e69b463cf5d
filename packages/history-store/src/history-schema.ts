import { InvalidFileError } from '@icrl/core';
import type { DatasetInfo, Hdf5File } from './hdf5-file';
import { isIntegerDtype, type StorageDtype } from './storage-dtype';

// What a history file looks like, per layout, and the checks that turn a group of an HDF5 file into a
// validated TaskLayout (or one InvalidFileError naming the file, the group and the field).
//
//   layout  axis order            fields (dataset names)
//   icrl    time-major (T, S, …)  states actions rewards next_states dones [optimal_actions (S, T)] [success]
//   dicp    time-major (T, S, …)  the same names, no attributes (files written by DICP's collect_data.py)
//   xland   stream-major (S, T, …) states actions rewards dones [expert_actions]; next_states is derived

/** The fields of a transition, as `TransitionBatch`/`HistoryWindow` name them. */
export type HistoryField =
  | 'states'
  | 'actions'
  | 'rewards'
  | 'nextStates'
  | 'dones'
  | 'optimalActions'
  | 'success';

/** All fields in their canonical order. */
export const HISTORY_FIELDS: readonly HistoryField[] = [
  'states',
  'actions',
  'rewards',
  'nextStates',
  'dones',
  'optimalActions',
  'success',
];

/** File layouts the reader understands. */
export type HistoryLayout = 'icrl' | 'dicp' | 'xland';

/** Root attribute that marks a file written by this package (its value is the schema version). */
export const SCHEMA_VERSION_ATTR = 'icrl_schema_version';

/** Root attribute names of the icrl layout. */
export const ROOT_ATTRS = {
  schemaVersion: SCHEMA_VERSION_ATTR,
  libraryVersion: 'icrl_library_version',
  meta: 'icrl_meta',
  storage: 'icrl_storage',
  envId: 'env_id',
  envConfig: 'env_config',
  observationSpace: 'observation_space',
  actionSpace: 'action_space',
  sourceAlgorithm: 'source_algorithm',
  sourceSettings: 'source_settings',
  streams: 'streams',
  subsample: 'subsample',
  seed: 'seed',
  splitSeed: 'split_seed',
  splitTrainRatio: 'split_train_ratio',
} as const;

/** Group (per task) attribute names of the icrl layout. */
export const TASK_ATTRS = {
  task: 'task',
  taskIndex: 'task_index',
  taskParams: 'task_params',
  split: 'split',
  seed: 'seed',
  length: 'length',
  streams: 'streams',
  episodeReturns: 'episode_returns',
  finalReturn: 'final_return',
} as const;

type FieldRole = 'observation' | 'action' | 'scalar';

interface FieldSpec {
  readonly dataset: string;
  readonly streamMajor: boolean;
  readonly required: boolean;
  readonly role: FieldRole;
  readonly accepts: (dtype: StorageDtype) => boolean;
  readonly expected: string;
}

const numeric = (d: StorageDtype) => d !== 'bool';
const integer = (d: StorageDtype) => isIntegerDtype(d);
const NUMERIC = 'a numeric dtype (int8..int64, uint8..uint32, float16..float64)';

function timeMajorSpecs(): Partial<Record<HistoryField, FieldSpec>> {
  return {
    states: {
      dataset: 'states',
      streamMajor: false,
      required: true,
      role: 'observation',
      accepts: numeric,
      expected: NUMERIC,
    },
    actions: {
      dataset: 'actions',
      streamMajor: false,
      required: true,
      role: 'action',
      accepts: numeric,
      expected: NUMERIC,
    },
    rewards: {
      dataset: 'rewards',
      streamMajor: false,
      required: true,
      role: 'scalar',
      accepts: numeric,
      expected: NUMERIC,
    },
    nextStates: {
      dataset: 'next_states',
      streamMajor: false,
      required: true,
      role: 'observation',
      accepts: numeric,
      expected: NUMERIC,
    },
    dones: {
      dataset: 'dones',
      streamMajor: false,
      required: true,
      role: 'scalar',
      accepts: integer,
      expected: 'bool or an integer dtype',
    },
    optimalActions: {
      dataset: 'optimal_actions',
      streamMajor: true,
      required: false,
      role: 'scalar',
      accepts: integer,
      expected: 'an integer dtype',
    },
    success: {
      dataset: 'success',
      streamMajor: false,
      required: false,
      role: 'scalar',
      accepts: () => true,
      expected: NUMERIC,
    },
  };
}

/** Per layout, where each field lives and what it must look like (absent fields are not stored). */
export const LAYOUT_FIELDS: Record<HistoryLayout, Partial<Record<HistoryField, FieldSpec>>> = {
  icrl: timeMajorSpecs(),
  dicp: timeMajorSpecs(),
  xland: {
    states: {
      dataset: 'states',
      streamMajor: true,
      required: true,
      role: 'observation',
      accepts: numeric,
      expected: NUMERIC,
    },
    actions: {
      dataset: 'actions',
      streamMajor: true,
      required: true,
      role: 'action',
      accepts: numeric,
      expected: NUMERIC,
    },
    rewards: {
      dataset: 'rewards',
      streamMajor: true,
      required: true,
      role: 'scalar',
      accepts: numeric,
      expected: NUMERIC,
    },
    dones: {
      dataset: 'dones',
      streamMajor: true,
      required: true,
      role: 'scalar',
      accepts: integer,
      expected: 'bool or an integer dtype',
    },
    optimalActions: {
      dataset: 'expert_actions',
      streamMajor: true,
      required: false,
      role: 'scalar',
      accepts: integer,
      expected: 'an integer dtype',
    },
  },
};

/** Dataset name of a field in a layout (undefined when the layout does not store it). */
export function datasetName(layout: HistoryLayout, field: HistoryField): string | undefined {
  return LAYOUT_FIELDS[layout][field]?.dataset;
}

/** Where one field of one task lives and how to read it. */
export interface FieldLayout {
  readonly field: HistoryField;
  /** Absolute dataset path (`/3/states`). */
  readonly path: string;
  readonly dtype: StorageDtype;
  /** True for (S, T, …) datasets, false for time-major (T, S, …). */
  readonly streamMajor: boolean;
  /** Trailing dims of one step (`[2]` for Darkroom states, `[]` for rewards). */
  readonly stepShape: readonly number[];
  /** Elements per step (product of stepShape). */
  readonly stepSize: number;
  /** Chunk length along the time axis, or null when the dataset is contiguous. */
  readonly chunkTime: number | null;
}

/** A validated task group. */
export interface TaskLayout {
  readonly index: number;
  /** Group path (`/3`). */
  readonly group: string;
  /** Steps per stream. */
  readonly length: number;
  readonly streams: number;
  readonly fields: Partial<Record<HistoryField, FieldLayout>>;
}

/** What the caller already knows and the datasets must agree with. */
export interface TaskExpectations {
  /** Step shape of observations (states/next_states). */
  readonly observationShape?: readonly number[];
  /** Step shape of actions. */
  readonly actionShape?: readonly number[];
  /** Streams (from the file's meta). */
  readonly streams?: number;
  /** Steps per stream (from the group's `length` attribute). */
  readonly length?: number;
}

const shapeText = (shape: readonly number[]) => `(${shape.join(', ')})`;

/**
 * Reads and validates the datasets of one task group.
 *
 * @throws InvalidFileError naming the file, the group and the field, for a missing or mistyped dataset or a
 *   shape that disagrees with the other fields or with `expect`.
 */
export function readTaskLayout(
  file: Hdf5File,
  layout: HistoryLayout,
  index: number,
  groupName: string,
  expect: TaskExpectations,
): TaskLayout {
  const group = `/${groupName}`;
  const children = file.children(group);
  const fail = (field: string, what: string): never => {
    throw new InvalidFileError(file.path, `group "${groupName}", field "${field}": ${what}`);
  };
  const fields: Partial<Record<HistoryField, FieldLayout>> = {};
  let length = -1;
  let streams = -1;
  const specs = LAYOUT_FIELDS[layout];
  for (const field of HISTORY_FIELDS) {
    const spec = specs[field];
    if (spec === undefined) continue;
    const kind = children.get(spec.dataset);
    if (kind === undefined) {
      if (spec.required) fail(spec.dataset, `the dataset is missing (the ${layout} layout requires it).`);
      continue;
    }
    if (kind !== 'dataset') fail(spec.dataset, `expected a dataset, found a ${kind}.`);
    const info: DatasetInfo = file.datasetInfo(`${group}/${spec.dataset}`);
    if (info.dtype === null || !spec.accepts(info.dtype)) {
      fail(spec.dataset, `the dtype is ${info.dtypeText}; expected ${spec.expected}.`);
    }
    const shape = info.shape;
    if (shape.length < 2 || (spec.role === 'scalar' && shape.length !== 2)) {
      fail(
        spec.dataset,
        `the shape is ${shapeText(shape)}; expected ${spec.streamMajor ? '(streams, steps' : '(steps, streams'}${spec.role === 'scalar' ? ')' : ', ...)'}.`,
      );
    }
    const [t, s] = spec.streamMajor ? [shape[1]!, shape[0]!] : [shape[0]!, shape[1]!];
    if (length < 0) {
      length = t;
      streams = s;
      if (expect.length !== undefined && t !== expect.length) {
        fail(
          spec.dataset,
          `the shape ${shapeText(shape)} has ${t} steps but the group attribute "length" says ${expect.length}.`,
        );
      }
      if (expect.streams !== undefined && s !== expect.streams) {
        fail(
          spec.dataset,
          `the shape ${shapeText(shape)} has ${s} streams but the file attribute "streams" says ${expect.streams}.`,
        );
      }
    } else if (t !== length || s !== streams) {
      fail(
        spec.dataset,
        `the shape ${shapeText(shape)} disagrees with "states": ${length} steps × ${streams} streams.`,
      );
    }
    const stepShape = shape.slice(2);
    const expected =
      spec.role === 'observation'
        ? expect.observationShape
        : spec.role === 'action'
          ? expect.actionShape
          : undefined;
    if (expected !== undefined && shapeText(stepShape) !== shapeText(expected)) {
      fail(
        spec.dataset,
        `one step has shape ${shapeText(stepShape)} but the ${spec.role} space says ${shapeText(expected)}.`,
      );
    }
    if (
      field === 'nextStates' &&
      fields.states &&
      shapeText(stepShape) !== shapeText(fields.states.stepShape)
    ) {
      fail(
        spec.dataset,
        `one step has shape ${shapeText(stepShape)} but "states" has ${shapeText(fields.states.stepShape)}.`,
      );
    }
    const timeAxis = spec.streamMajor ? 1 : 0;
    fields[field] = {
      field,
      path: `${group}/${spec.dataset}`,
      dtype: info.dtype!,
      streamMajor: spec.streamMajor,
      stepShape,
      stepSize: stepShape.reduce((a, b) => a * b, 1),
      chunkTime: info.chunks ? info.chunks[timeAxis]! : null,
    };
  }
  return { index, group, length, streams, fields };
}
