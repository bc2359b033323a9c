/** The exit codes of the CLI (kept apart from common.ts so that the entry loads nothing else). */

/** Exit code of a run stopped by Ctrl-C that kept and printed what finished (128 + SIGINT, as shells do). */
export const EXIT_INTERRUPTED = 130;

/** Exit codes every command documents in --help. */
export const EXIT_CODES_HELP = `\nExit codes: 0 done, 1 internal error, 2 bad input, 3 numerical failure, ${EXIT_INTERRUPTED} interrupted (Ctrl-C: what finished is kept, written and printed, and says it was interrupted; a second Ctrl-C aborts at once).`;
