/**
 * Test-only replacement for the add-on's resolveConflict (loaded after Rules.js, so this
 * declaration is the one the sync calls): the larger number wins, notes are joined, and
 * anything else is left for a person.
 */
function resolveConflict(conflict) {
  if (typeof conflict.sheet === 'number' && typeof conflict.database === 'number') {
    return conflict.sheet >= conflict.database ? 'sheet' : 'database';
  }
  if (conflict.column === 'note') return { value: conflict.sheet + ' & ' + conflict.database };
  return null;
}
