#!/usr/bin/env node
/**
 * The `ecg-ldm` command. Each area registers its own sub-commands (ts/cli/*.ts).
 * @module
 */
import { Command, CommanderError } from 'commander';
import { EcgLdmError } from './errors';
import { registerClassifyCommands } from './cli/classify';
import { registerDataCommands } from './cli/data';
import { registerDemoCommand } from './cli/demo';
import { registerGeneratorCommands } from './cli/generator';
import { registerInfoCommand } from './cli/info';
import { registerStudyCommands } from './cli/study';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ecg-ldm')
    .description('Label-conditional ECG diffusion, wavelet preprocessing and ECG classifiers on a native LibTorch core')
    .showHelpAfterError('(run with --help for the valid commands and options)')
    .exitOverride();
  registerInfoCommand(program);
  registerDemoCommand(program);
  registerDataCommands(program);
  registerGeneratorCommands(program);
  registerClassifyCommands(program);
  registerStudyCommands(program);
  return program;
}

/** Runs the CLI; typed errors print their code and message, without a stack. */
export async function main(argv: string[] = process.argv): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof EcgLdmError) {
      process.stderr.write(`ecg-ldm: ${(err as EcgLdmError).code}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) {
  main().then((code) => {
    process.exitCode = code;
  });
}
