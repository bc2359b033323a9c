/**
 * The sgdscope command line: a thin layer over the library. Bad input ends with one clear message
 * on stderr and exit code 2; an internal failure with exit code 1.
 */
import { Command, CommanderError } from "commander";
import { NumericalError, UserError } from "../errors.js";
import { Interrupted } from "../stop.js";
import { VERSION } from "../version.js";
import { COMMANDS, flagOf } from "./command-list.js";
import { EXIT_INTERRUPTED } from "./exit-codes.js";
import { terminalSafe } from "./terminal.js";

/**
 * The program with the command `name` fully defined (its module loaded) and every other command listed by its
 * description only: that is all `--help`, `--version` and an unknown command need.
 */
export async function buildProgram(name?: string): Promise<Command> {
  const program = new Command();
  program
    .name("sgdscope")
    .description(
      "Is SGD effective on this loss, learning rate and batch size? Particles, Fokker–Planck and landscape theory side by side.",
    )
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  for (const [cmd, entry] of Object.entries(COMMANDS)) {
    if (cmd === name) (await entry.load())(program);
    else program.command(cmd).description(entry.description);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  // the command being run (also for `help <command>`): the first word that names one
  const name = argv.find((a) => Object.hasOwn(COMMANDS, a));
  const program = await buildProgram(name);
  try {
    await program.parseAsync(argv, { from: "user" });
    // a command that was interrupted (Ctrl-C) sets its own code (130); otherwise 0
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof Interrupted) {
      process.stderr.write(
        `sgdscope: interrupted (Ctrl-C) during ${e.what}, before any result of this command finished: nothing was written\n`,
      );
      return EXIT_INTERRUPTED;
    }
    if (e instanceof UserError) {
      process.stderr.write(`sgdscope: error: ${terminalSafe(cliMessage(e, name), false)}\n`);
      return 2;
    }
    if (e instanceof NumericalError) {
      process.stderr.write(`sgdscope: numerical failure: ${terminalSafe(e.message, false)}\n`);
      return 3;
    }
    process.stderr.write(
      `sgdscope: internal error (please report): ${terminalSafe(String((e as Error).stack ?? e))}\n`,
    );
    return 1;
  }
}

/** A library error as the CLI user reads it: the parameter it names becomes the flag that sets it. */
function cliMessage(e: UserError, command: string | undefined): string {
  if (e.where === undefined) return e.message;
  const [head, ...rest] = e.where.split(":");
  const flag = flagOf(command, head.trim());
  if (!flag) return e.message;
  return new UserError(e.detail, { where: [flag, ...rest].join(":"), hint: e.hint }).message;
}
