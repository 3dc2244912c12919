/**
 * A float32 value in the fewest significant digits that read back as the same float32 (at most 9,
 * which always suffice), without trailing zeros; NaN as "" (a missing value).
 * @example floatText(Math.fround(0.1)) // "0.1"
 * @example floatText(Math.fround(0.8272)) // "0.8272"
 * @example floatText(Math.fround(Math.PI)) // "3.1415927"
 */
export function floatText(x: number): string {
  if (Number.isNaN(x)) return "";
  for (let digits = 6; digits < 9; digits++) {
    const y = Number(x.toPrecision(digits));
    if (Math.fround(y) === x) return String(y);
  }
  return String(Number(x.toPrecision(9)));
}
