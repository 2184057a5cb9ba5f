'use strict';
// Synchronous HTTP for UrlFetchApp: one shared worker thread per process,
// a MessageChannel for the answer and Atomics.wait to block until it comes.

const path = require('node:path');
const { Worker, MessageChannel, receiveMessageOnPort } = require('node:worker_threads');

let worker = null;

function sharedWorker() {
  if (!worker) {
    worker = new Worker(path.join(__dirname, 'httpWorker.js'));
    worker.unref();
    worker.on('exit', () => {
      worker = null;
    });
  }
  return worker;
}

/**
 * Performs `requests` in parallel and blocks until all have answered or
 * `waitMs` passes. Returns one result per request ({ code, rawHeaders,
 * bodyBase64 } or { error }), or null when the wait ran out.
 */
function requestSync(requests, waitMs) {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  sharedWorker().postMessage({ port: port2, flag, requests }, [port2]);
  const outcome = Atomics.wait(new Int32Array(flag), 0, 0, Math.max(1, waitMs));
  const message = receiveMessageOnPort(port1);
  port1.close();
  if (outcome === 'timed-out' && !message) return null;
  return message ? message.message : null;
}

module.exports = { requestSync };
