// Re-exports the ONNX file of every zoo model (or of the names given) from its safetensors weights with the
// current exporter, and updates its checksum in `zoo.json` and in its card. The weights, results and other
// files are untouched; the zoo test then re-checks ONNX against tfjs action for action.
//   pnpm --filter @icrl/zoo refresh-onnx [<env>/<model> ...]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ADModel, exportOnnx, loadModel } from '@icrl/transformer';
import { sha256File } from '../src/verify-zoo-model';
import { readZooIndex, writeZooIndex } from '../src/zoo-index';
import { zooRoot } from '../src/zoo-paths';

const root = zooRoot();
const index = readZooIndex(root);
const names = process.argv.slice(2);
for (const n of names) {
  if (!index.models.some((m) => m.name === n)) throw new Error(`no zoo model ${n}`);
}
const models = index.models.map((m) => {
  if (names.length > 0 && !names.includes(m.name)) return m;
  const dir = join(root, m.name);
  const model = loadModel(dir) as ADModel;
  writeFileSync(join(dir, 'model.onnx'), exportOnnx(model));
  model.dispose();
  const before = m.files['model.onnx']!;
  const after = sha256File(join(dir, 'model.onnx'));
  const card = join(dir, 'card.md');
  writeFileSync(card, readFileSync(card, 'utf8').replace(before, after));
  console.log(
    `zoo:${m.name} model.onnx ${before === after ? 'unchanged' : `${before.slice(0, 12)} → ${after.slice(0, 12)}`}`,
  );
  return { ...m, files: { ...m.files, 'model.onnx': after } };
});
writeZooIndex(root, models);
