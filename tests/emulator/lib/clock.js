'use strict';
// The emulator's notion of "now". A virtual clock only moves when a test (or
// Utilities.sleep) moves it, which makes trigger schedules and cache expiry
// deterministic; a real clock follows the host's wall clock.

/** Creates a clock. `mode` is 'virtual' (default) or 'real'. */
function createClock({ mode = 'virtual', start = Date.now() } = {}) {
  let virtualNow = start instanceof Date ? start.getTime() : Number(start);
  let offset = 0; // real mode: time "slept" is added so sleeps stay cheap in tests
  const clock = {
    mode,
    /** Milliseconds since the epoch, as the emulated scripts see it. */
    now() {
      return mode === 'virtual' ? virtualNow : Date.now() + offset;
    },
    /** Moves time forward without firing anything (the emulator wraps this). */
    move(ms) {
      if (!(ms >= 0)) throw new RangeError(`clock can only move forward, got ${ms}`);
      if (mode === 'virtual') virtualNow += ms;
      else offset += ms;
    },
    /** Sets a virtual clock to an instant (only forward). */
    moveTo(ms) {
      const delta = ms - clock.now();
      if (delta > 0) clock.move(delta);
    },
  };
  return clock;
}

module.exports = { createClock };
