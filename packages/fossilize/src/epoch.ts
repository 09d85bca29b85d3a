// A counter bumped whenever something that compiled fossils or cached defaults depend on changes
// (a tag set at run time, a declaration added). Compiled forms remember the value they were built at.
let epoch = 0;

export function currentEpoch(): number {
  return epoch;
}

export function bumpEpoch(): void {
  epoch++;
}
