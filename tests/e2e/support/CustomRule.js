// A resolveConflict of the kind a person writes in Rules.js, loaded after the add-on's own
// files so that it replaces the default (as a later function of the same name does in Apps
// Script): the longer name wins.
function resolveConflict(conflict) {
  if (conflict.column !== 'name') return null;
  return String(conflict.sheet).length >= String(conflict.database).length ? 'sheet' : 'database';
}
