import { fileURLToPath } from 'node:url';

/** The package's `models/` folder (beside `src/` and `dist/`, so the same URL works from both). */
export function zooRoot(): string {
  return fileURLToPath(new URL('../models/', import.meta.url));
}
