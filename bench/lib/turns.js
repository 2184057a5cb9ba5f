'use strict';
// Engines taking turns in one process, round after round, so that a busy machine slows them
// alike and their ratios stay comparable.

const { median, nowMs } = require('./stats');

/**
 * Runs every engine of `engines` (name → function answering how many updated rows it found)
 * once a round, for `rounds` rounds, in the order `orderOf(round)` gives, with the arguments
 * `argsOf(name)` makes fresh for each run (outside the timing). Each run must find `expected`
 * rows. Answers each engine's times in ms and their medians.
 */
function takeTurns(engines, { rounds, expected, argsOf, orderOf = () => Object.keys(engines) }) {
  const times = Object.fromEntries(Object.keys(engines).map((k) => [k, []]));
  for (let round = 0; round < rounds; round += 1) {
    for (const name of orderOf(round)) {
      const args = argsOf(name);
      const t0 = nowMs();
      const found = engines[name](...args);
      times[name].push(nowMs() - t0);
      if (found !== expected) throw new Error(`${name} found ${found} updated rows, expected ${expected}`);
    }
  }
  const medians = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  return { times, medians };
}

module.exports = { takeTurns };
