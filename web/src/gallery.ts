/** The gallery: the repository's examples/*.yaml that the page can draw (1-D or 2-D with a domain box). */
const files = import.meta.glob("../../examples/*.yaml", {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

/** File stems shown in the gallery, in menu order. */
export const GALLERY_KEYS = [
  "double-well",
  "tilted-double-well",
  "state-dependent-noise",
  "large-lr-heavy-tails",
  "interpolating",
  "three-minima-2d",
] as const;

export const GALLERY: Record<string, string> = Object.fromEntries(
  GALLERY_KEYS.map((k) => {
    const text = files[`../../examples/${k}.yaml`];
    if (typeof text !== "string") throw new Error(`examples/${k}.yaml is missing from the build`);
    return [k, text];
  }),
);
