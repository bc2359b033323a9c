/**
 * One exit-time estimate as the CLI prints it (`exit-time --json`, `validate`): the common fields and the
 * method's details side by side, in snake_case, plus the flags older scripts read (`lower_bound`, `infinite`,
 * `applicable`, `why`). Per-particle exit times and the full statistics are not printed (see --exit-times).
 */
import type { ExitEstimate } from "../exit/index.js";
import { snakeCaseKeys } from "../io/case.js";

export function estimateJson(e: ExitEstimate): Record<string, unknown> {
  const { detail, ...common } = e;
  const rest: Record<string, unknown> = {};
  if (detail) {
    for (const [k, v] of Object.entries(detail))
      if (k !== "kind" && k !== "exitTimes" && k !== "stats") rest[k] = v;
  }
  // the common fields win: a method's detail never overwrites the estimate's own time or interval
  return snakeCaseKeys({
    ...rest,
    ...common,
    lowerBound: e.status === "lower-bound",
    infinite: e.status === "infinite",
    applicable: e.status !== "not-applicable" && e.status !== "failed" && e.status !== "skipped",
    why: e.reason,
  }) as Record<string, unknown>;
}
