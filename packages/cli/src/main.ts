import { EXIT_CODES, exitCodeFor } from './exit-codes';
import type { Io } from './io';
import { type CommandSpec, formatHelp, type ParsedCommand, parseCommand } from './options';
import { cliVersion } from './provenance';
import { UsageError } from './usage-error';

/** A command: its spec (flags, help) and what it does. */
export interface Command {
  readonly spec: CommandSpec;
  readonly run: (parsed: ParsedCommand, io: Io) => Promise<void>;
}

/**
 * Every command, loaded on demand: `icrl collect` never pays for TensorFlow.js, and `icrl --help` for nothing.
 */
export const COMMANDS: readonly { name: string; summary: string; load: () => Promise<Command> }[] = [
  {
    name: 'collect',
    summary: 'run a source RL algorithm on the train tasks and write its learning histories (HDF5)',
    load: async () => {
      const m = await import('./commands/collect');
      return { spec: m.collectSpec, run: m.collectCommand };
    },
  },
  {
    name: 'train',
    summary: 'train AD / DPT / IDT (DICP with --dynamics) on histories; checkpoints, resumes, exports ONNX',
    load: async () => {
      const m = await import('./commands/train');
      return { spec: m.trainSpec, run: m.trainCommand };
    },
  },
  {
    name: 'eval',
    summary: 'evaluate a model (and baselines) in context on the held-out tasks; writes results JSON',
    load: async () => {
      const m = await import('./commands/eval');
      return { spec: m.evalSpec, run: m.evalCommand };
    },
  },
  {
    name: 'plot',
    summary: 'learning curves with 95% CI bands (SVG/PNG) and a markdown report from results files',
    load: async () => {
      const m = await import('./commands/plot');
      return { spec: m.plotSpec, run: m.plotCommand };
    },
  },
  {
    name: 'run',
    summary: 'the whole pipeline for one env preset, skipping complete stages and resuming partial ones',
    load: async () => {
      const m = await import('./commands/run');
      return { spec: m.runSpec, run: m.runCommand };
    },
  },
  {
    name: 'zoo',
    summary: 'list the pretrained models of @icrl/zoo (evaluate one with --model zoo:<env>/<model>)',
    load: async () => {
      const m = await import('./commands/zoo');
      return { spec: m.zooSpec, run: m.zooCommand };
    },
  },
  {
    name: 'info',
    summary: 'what a history file, checkpoint, ONNX model, results file or run directory holds',
    load: async () => {
      const m = await import('./commands/info');
      return { spec: m.infoSpec, run: m.infoCommand };
    },
  },
];

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    'Usage: icrl <command> [options]',
    '',
    'In-context reinforcement learning from the command line: collect learning histories, train AD / DICP-AD,',
    'evaluate on held-out tasks, plot. Every stage resumes after a kill.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    "Run 'icrl <command> --help' for a command's options.",
    '',
    'Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input, 3 corrupt or foreign file, 130 interrupted.',
    '',
  ].join('\n');
}

/** Runs one command line; returns the exit code (never throws). */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out.write(mainHelp());
    return name === undefined ? EXIT_CODES.usage : EXIT_CODES.ok;
  }
  if (name === '--version' || name === '-v') {
    io.out.write(`${cliVersion()}\n`);
    return EXIT_CODES.ok;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  let command: Command | undefined;
  try {
    if (entry === undefined) {
      throw new UsageError(
        `Unknown command "${name}"; expected one of ${COMMANDS.map((c) => c.name).join(', ')}.`,
      );
    }
    command = await entry.load();
    const parsed = parseCommand(command.spec, rest);
    if (parsed === null) {
      io.out.write(formatHelp(command.spec));
      return EXIT_CODES.ok;
    }
    await command.run(parsed, io);
    return EXIT_CODES.ok;
  } catch (err) {
    const code = exitCodeFor(err);
    const prefix = `icrl${entry ? ` ${entry.name}` : ''}: error: `;
    const message = err instanceof Error ? err.message : String(err);
    io.err.write(
      `${message
        .split('\n')
        .map((line) => `${prefix}${line}`)
        .join('\n')}\n`,
    );
    if (code === EXIT_CODES.usage)
      io.err.write(`Run 'icrl ${entry ? `${entry.name} ` : ''}--help' for usage.\n`);
    if (code === EXIT_CODES.failure && process.env.ICRL_DEBUG && err instanceof Error)
      io.err.write(`${err.stack}\n`);
    return code;
  }
}
