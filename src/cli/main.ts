/**
 * The sgdscope command line: a thin layer over the library. Bad input ends with one clear message
 * on stderr and exit code 2; an internal failure with exit code 1.
 */
import { Command, CommanderError } from "commander";
import { NumericalError, UserError } from "../errors.js";
import { VERSION } from "../version.js";
import { registerAnalyze } from "./commands/analyze.js";
import { registerExitTime } from "./commands/exit-time.js";
import { registerFokkerPlanck } from "./commands/fokker-planck.js";
import { registerLandscape } from "./commands/landscape.js";
import { registerSimulate } from "./commands/simulate.js";
import { registerStationary } from "./commands/stationary.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("sgdscope")
    .description(
      "Is SGD effective on this loss, learning rate and batch size? Particles, Fokker–Planck and landscape theory side by side.",
    )
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerAnalyze(program);
  registerSimulate(program);
  registerExitTime(program);
  registerFokkerPlanck(program);
  registerStationary(program);
  registerLandscape(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof UserError) {
      process.stderr.write(`sgdscope: error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof NumericalError) {
      process.stderr.write(`sgdscope: numerical failure: ${e.message}\n`);
      return 3;
    }
    process.stderr.write(`sgdscope: internal error (please report): ${(e as Error).stack ?? e}\n`);
    return 1;
  }
}
