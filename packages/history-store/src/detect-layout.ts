import { InvalidFileError } from '@icrl/core';
import type { Hdf5File } from './hdf5-file';
import { type HistoryLayout, SCHEMA_VERSION_ATTR } from './history-schema';

/** Names of the task groups of a history file (`"0"`, `"1"`, ...), in numeric order. */
export function taskGroupNames(file: Hdf5File): string[] {
  const names: string[] = [];
  for (const [name, kind] of file.children('/')) if (kind === 'group' && /^\d+$/.test(name)) names.push(name);
  return names.sort((a, b) => Number(a) - Number(b));
}

/**
 * Tells which layout a file uses: `icrl` when it carries the `icrl_schema_version` root attribute, `dicp`
 * when its task groups hold `next_states` (DICP's collect_data.py), `xland` when they hold
 * `expert_actions` or carry XLand-100B's `ruleset-id` attribute.
 *
 * @throws InvalidFileError when the file has no task groups, or when nothing tells DICP from XLand (then
 *   the caller must pass `layout`).
 */
export function detectLayout(file: Hdf5File): HistoryLayout {
  if (file.attrNames('/').includes(SCHEMA_VERSION_ATTR)) return 'icrl';
  const groups = taskGroupNames(file);
  if (groups.length === 0) {
    throw new InvalidFileError(
      file.path,
      'it has no task groups ("0", "1", ...) at its root; it is not a learning-history file.',
    );
  }
  const first = groups[0]!;
  const children = file.children(`/${first}`);
  if (children.has('next_states')) return 'dicp';
  if (children.has('expert_actions') || file.attrNames(`/${first}`).includes('ruleset-id')) return 'xland';
  throw new InvalidFileError(
    file.path,
    `cannot tell its layout: group "${first}" has neither "next_states" (DICP, time-major) nor "expert_actions" / a "ruleset-id" attribute (XLand-100B, stream-major); pass { layout: 'dicp' } or { layout: 'xland' }.`,
  );
}
