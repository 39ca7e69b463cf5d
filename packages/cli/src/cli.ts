import { EXIT_CODES } from './exit-codes';
import { processIo } from './io';
import { runCli } from './main';

// The `icrl` binary. Signals end the process at once with a documented code: every stage keeps its
// on-disk state resumable (atomic renames, checkpoints), so rerunning the same command continues.
for (const [signal, code] of [
  ['SIGINT', EXIT_CODES.interrupted],
  ['SIGTERM', 143],
] as const) {
  process.on(signal, () => {
    process.stderr.write(`\nicrl: interrupted (${signal}); rerun the same command to resume.\n`);
    process.exit(code);
  });
}

// Worker threads and native sessions may still hold the event loop: exit explicitly.
void runCli(process.argv.slice(2), processIo()).then((code) => process.exit(code));
