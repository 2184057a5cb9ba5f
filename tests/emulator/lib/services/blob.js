'use strict';
// Blob: bytes with a content type and a name (Utilities.newBlob, HTTPResponse.getBlob).

const { isDate } = require('../execution');

/** Bytes as Google gives them: a JS array of signed integers -128..127. */
function signedBytes(exec, buf) {
  const out = new exec.realm.Array(buf.length);
  for (let i = 0; i < buf.length; i++) out[i] = buf[i] > 127 ? buf[i] - 256 : buf[i];
  return out;
}

/** Accepts a string (UTF-8 encoded) or a byte array (signed or unsigned) as a Buffer. */
function bufferOf(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Array.isArray(data) || ArrayBuffer.isView(data)) return Buffer.from(Array.from(data, (b) => b & 255));
  if (data === null || data === undefined || isDate(data)) return Buffer.alloc(0);
  return Buffer.from(String(data), 'utf8');
}

function decode(buf, charset) {
  const c = String(charset || 'UTF-8').toLowerCase().replace(/_/g, '-');
  if (c === 'us-ascii' || c === 'iso-8859-1' || c === 'latin1') return buf.toString('latin1');
  return buf.toString('utf8');
}

/** Creates a Blob service object holding a copy of `buf`. */
function createBlob(exec, buf, contentType = null, name = null) {
  let bytes = Buffer.from(buf);
  let type = contentType;
  let fileName = name;
  const self = exec.service('Blob', {
    getBytes: () => signedBytes(exec, bytes),
    getDataAsString: (charset) => decode(bytes, charset),
    setDataFromString(s) {
      bytes = Buffer.from(String(s), 'utf8');
      return self;
    },
    setBytes(data) {
      bytes = bufferOf(data);
      return self;
    },
    getContentType: () => type,
    setContentType(t) {
      type = t;
      return self;
    },
    getName: () => fileName,
    setName(n) {
      fileName = n;
      return self;
    },
    copyBlob: () => createBlob(exec, bytes, type, fileName),
    getBlob: () => self,
    isGoogleType: () => false,
  });
  Object.defineProperty(self, '__bytes', { get: () => bytes });
  return self;
}

module.exports = { createBlob, signedBytes, bufferOf, decode };
