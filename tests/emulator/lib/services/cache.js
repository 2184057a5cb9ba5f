'use strict';
// CacheService: string caches with expiry by the emulator's clock.
// Limits: keys up to 250 characters, values up to 100 KB, TTL 1..21600 s
// (default 600 s). The emulator never evicts early; Google may.

const { ScriptException } = require('../errors');

const MAX_KEY_CHARS = 250;
const MAX_VALUE_BYTES = 100 * 1024;
const MAX_TTL_SECONDS = 21600;
const DEFAULT_TTL_SECONDS = 600;

/** Durable caches: document and script caches, and one user cache per email. */
function createCaches() {
  return { document: new Map(), script: new Map(), users: new Map() };
}

function createCache(exec, map) {
  const clock = exec.emu.clock;
  const live = (key) => {
    const e = map.get(key);
    if (!e) return null;
    if (e.expiresAt <= clock.now()) {
      map.delete(key);
      return null;
    }
    return e.value;
  };
  const checkKey = (key) => {
    const k = String(key);
    if (k.length > MAX_KEY_CHARS) throw new ScriptException('Argument too large: key');
    return k;
  };
  const entry = (value, ttl) => {
    const v = String(value);
    if (Buffer.byteLength(v, 'utf8') > MAX_VALUE_BYTES) throw new ScriptException('Argument too large: value');
    const seconds = ttl === undefined ? DEFAULT_TTL_SECONDS : Math.min(MAX_TTL_SECONDS, Math.max(1, Number(ttl)));
    return { value: v, expiresAt: clock.now() + seconds * 1000 };
  };
  return exec.service('Cache', {
    get: (key) => live(checkKey(key)),
    getAll(keys) {
      const out = {};
      for (const k of keys) {
        const v = live(checkKey(k));
        if (v !== null) out[k] = v;
      }
      return exec.toRealm(out);
    },
    put(key, value, ttl) {
      map.set(checkKey(key), entry(value, ttl));
    },
    putAll(values, ttl) {
      const staged = Object.entries(values).map(([k, v]) => [checkKey(k), entry(v, ttl)]);
      for (const [k, e] of staged) map.set(k, e);
    },
    remove(key) {
      map.delete(checkKey(key));
    },
    removeAll(keys) {
      for (const k of keys) map.delete(checkKey(k));
    },
  });
}

/** Creates the CacheService global for one execution. */
function createCacheService(exec) {
  const caches = exec.emu.caches;
  return exec.service('CacheService', {
    getDocumentCache: () => (exec.hasDocument ? createCache(exec, caches.document) : null),
    getScriptCache: () => createCache(exec, caches.script),
    getUserCache() {
      const email = exec.user.email;
      if (!caches.users.has(email)) caches.users.set(email, new Map());
      return createCache(exec, caches.users.get(email));
    },
  });
}

module.exports = { createCacheService, createCaches, MAX_TTL_SECONDS };
