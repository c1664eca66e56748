// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { type CommandContext, exitCodes, UsageError } from './command.ts';
import { commands } from './commands/index.ts';

function helpText(): string {
  const lines = commands.map((command) => `  ${command.name.padEnd(10)} ${command.summary}`);
  return [
    'Usage: modeldock <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `modeldock <command> --help` for the options of a command. With --verbose, an unexpected',
    'error prints its stack.',
    'Exit codes: 0 ok, 1 failure, 2 usage, 3 model file unusable, 4 invalid input, 130 interrupted.',
  ].join('\n');
}

/** The `modeldock` CLI: a thin layer over the same services the app uses. Returns the exit code. */
export async function runCli(
  argv: string[],
  io: Pick<CommandContext, 'stdout' | 'stderr'> = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  // --verbose works with every command, anywhere on the line.
  const verbose = argv.includes('--verbose');
  const [name, ...rest] = argv.filter((arg) => arg !== '--verbose');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.stdout : io.stderr).write(`${helpText()}\n`);
    return name ? exitCodes.ok : exitCodes.usage;
  }
  const entry = commands.find((candidate) => candidate.name === name);
  if (!entry) {
    io.stderr.write(`modeldock: unknown command "${name}".\n${helpText()}\n`);
    return exitCodes.usage;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  // The reader worker takes ~0.1 s to boot: started first, it boots while the command and services load.
  if (entry.opensModel && !wantsHelp) (await import('../models/model-reader.ts')).warmReader();
  const command = await entry.load();
  if (wantsHelp) {
    io.stdout.write(`${command.usage}\n`);
    return exitCodes.ok;
  }
  // Loaded on use, like the commands: the services load onnxruntime's native binding.
  const { createAppServices } = await import('../services.ts');
  const services = createAppServices({ mode: 'cli', verbose });
  try {
    return await command.run({ argv: rest, services, verbose, ...io });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`modeldock ${name}: ${error.message}\n${command.usage}\n`);
      return exitCodes.usage;
    }
    throw error;
  } finally {
    await services.dispose();
  }
}
