/** Binary searches and insertion over arrays of numbers sorted ascending (instants, mostly). */

export function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function insertSorted(sorted: number[], value: number): void {
  if (sorted.length === 0 || (sorted[sorted.length - 1] as number) <= value) sorted.push(value);
  else sorted.splice(upperBound(sorted, value), 0, value);
}
