/** How many class numbers a warning lists before it summarises the rest. */
const LISTED = 10;

/**
 * "class 3", "classes 1, 4 and 7" or "classes 0, 1, … and 12 more": the classes a warning is about.
 * @example classList([1, 4, 7]) // "classes 1, 4 and 7"
 */
export function classList(classes: readonly number[]): string {
  if (classes.length === 1) return `class ${classes[0]}`;
  if (classes.length <= LISTED) return `classes ${classes.slice(0, -1).join(", ")} and ${classes[classes.length - 1]}`;
  return `classes ${classes.slice(0, LISTED).join(", ")} and ${classes.length - LISTED} more`;
}
