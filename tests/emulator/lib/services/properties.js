'use strict';
// PropertiesService: string key/value stores that outlive executions.
// Limits as Google's quotas page: 9 KB per value, 500 KB per store.

const { ScriptException } = require('../errors');

const MAX_VALUE_BYTES = 9 * 1024;
const MAX_STORE_BYTES = 500 * 1024;

const bytes = (s) => Buffer.byteLength(s, 'utf8');

/** Durable stores: document and script stores, and one user store per email. */
function createPropertyStores() {
  return { document: new Map(), script: new Map(), users: new Map() };
}

function storeSize(map) {
  let n = 0;
  for (const [k, v] of map) n += bytes(k) + bytes(v);
  return n;
}

function createStore(exec, map) {
  const write = (entries) => {
    const next = new Map(map);
    for (const [key, value] of entries) {
      if (key === null || key === undefined) throw new ScriptException('Invalid argument: key');
      const v = String(value);
      if (bytes(v) > MAX_VALUE_BYTES) throw new ScriptException('Argument too large: value');
      next.set(String(key), v);
    }
    if (storeSize(next) > MAX_STORE_BYTES) {
      throw new ScriptException('You have exceeded the property storage quota. Please remove some properties and try again.');
    }
    map.clear();
    for (const [k, v] of next) map.set(k, v);
  };
  const self = exec.service('Properties', {
    getProperty: (key) => (map.has(String(key)) ? map.get(String(key)) : null),
    setProperty(key, value) {
      write([[key, value]]);
      return self;
    },
    setProperties(props, deleteAllOthers = false) {
      const entries = Object.entries(props || {});
      if (deleteAllOthers) map.clear();
      write(entries);
      return self;
    },
    getProperties: () => exec.toRealm(Object.fromEntries(map)),
    getKeys: () => exec.toRealm([...map.keys()]),
    deleteProperty(key) {
      map.delete(String(key));
      return self;
    },
    deleteAllProperties() {
      map.clear();
      return self;
    },
  });
  return self;
}

/** Creates the PropertiesService global for one execution. */
function createPropertiesService(exec) {
  const stores = exec.emu.properties;
  return exec.service('PropertiesService', {
    getDocumentProperties: () => (exec.hasDocument ? createStore(exec, stores.document) : null),
    getScriptProperties: () => createStore(exec, stores.script),
    getUserProperties() {
      const email = exec.user.email;
      if (!stores.users.has(email)) stores.users.set(email, new Map());
      return createStore(exec, stores.users.get(email));
    },
  });
}

module.exports = { createPropertiesService, createPropertyStores, MAX_VALUE_BYTES, MAX_STORE_BYTES };
