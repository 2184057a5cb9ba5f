'use strict';
// The Drive API v3 push notifications of the served spreadsheets
// (developers.google.com/drive/api/guides/push): `files.watch` opens a `web_hook` channel on a
// spreadsheet, `channels.stop` closes it. While a channel is open and not expired, every change
// to the spreadsheet's cells — through REST or through Apps Script services — is POSTed to the
// channel's address with Google's X-Goog-* headers; the first message, right after the watch, is
// `sync`. Changes made in one turn of the event loop are sent as one `update`, as Drive gathers
// a burst of edits. Deliveries are recorded in `deliveries` for tests to read; a delivery that
// fails is recorded and not retried.

const crypto = require('node:crypto');
const { GoogleApiError, invalidArgument } = require('./googleErrors');

/** A file's channel lives a day at most; one hour when the watch names no expiration. */
const MAX_FILE_CHANNEL_MS = 86400 * 1000;
const DEFAULT_CHANNEL_MS = 3600 * 1000;

/** Scopes with which files.watch and channels.stop may be called (the Drive reference lists them). */
const DRIVE_SCOPES = [
  'https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive.file', 'https://www.googleapis.com/auth/drive.metadata',
  'https://www.googleapis.com/auth/drive.metadata.readonly', 'https://www.googleapis.com/auth/drive.appdata',
  'https://www.googleapis.com/auth/drive.photos.readonly',
];

const isLoopback = (host) => host === 'localhost' || host === '[::1]' || /^127\./.test(host);

/** The open channels and what they sent. */
class DriveChannels {
  constructor({ now = Date.now, apiUrl = () => 'https://www.googleapis.com', send } = {}) {
    this.now = now;
    this.apiUrl = apiUrl;
    this.channels = new Map();
    this.deliveries = [];
    this.pending = new Set();
    this.send = send || ((address, headers) => fetch(address, { method: 'POST', headers, body: '', signal: AbortSignal.timeout(10000) })
      .then((res) => res.status));
  }

  /** True when `grant` may call the Drive methods. */
  static scopesAllow(grant) {
    return DRIVE_SCOPES.some((s) => grant.scopes.has(s));
  }

  /** files.watch on spreadsheet `ss`: opens the channel `body` describes and sends `sync`. */
  watch(ss, body) {
    if (!body || typeof body !== 'object') throw invalidArgument('Required parameter: channel body');
    const { id, type, address, token, expiration } = body;
    if (typeof id !== 'string' || id === '') throw invalidArgument('Required parameter: id');
    if (type !== 'web_hook' && type !== 'webhook') throw invalidArgument(`Invalid value for: type, ${JSON.stringify(type)} is not web_hook`);
    let url;
    try {
      url = new URL(address);
    } catch {
      throw invalidArgument(`Invalid value for: address, ${JSON.stringify(address)}`);
    }
    // Drive delivers over https only; plain http to this machine is the stand-in's allowance for tests.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
      throw invalidArgument(`WebHook callback must be HTTPS: ${address}`);
    }
    const live = this.channels.get(id);
    if (live && !live.stopped && live.expiration > this.now()) throw invalidArgument(`Channel id ${id} not unique`);
    const now = this.now();
    let until = now + DEFAULT_CHANNEL_MS;
    if (expiration !== undefined && expiration !== null) {
      const asked = Number(expiration);
      if (!Number.isFinite(asked)) throw invalidArgument(`Invalid value for: expiration, ${JSON.stringify(expiration)}`);
      until = Math.min(asked, now + MAX_FILE_CHANNEL_MS);
    }
    const channel = {
      id, address, token: typeof token === 'string' ? token : undefined, expiration: until,
      resourceId: crypto.createHash('sha256').update(`file:${ss.id}`).digest('base64url').slice(0, 27),
      resourceUri: `${this.apiUrl()}/drive/v3/files/${encodeURIComponent(ss.id)}?alt=json`,
      spreadsheetId: ss.id, messageNumber: 0, stopped: false, scheduled: false,
    };
    channel.unlisten = ss.onChange(() => this.changed(channel));
    this.channels.set(id, channel);
    this.deliver(channel, 'sync');
    const answer = {
      kind: 'api#channel', id, resourceId: channel.resourceId, resourceUri: channel.resourceUri,
      expiration: String(until),
    };
    if (channel.token !== undefined) answer.token = channel.token;
    return answer;
  }

  /** channels.stop: the channel named by `body.id` and `body.resourceId` sends nothing more. */
  stop(body) {
    const { id, resourceId } = body || {};
    if (typeof id !== 'string' || id === '') throw invalidArgument('Required parameter: id');
    const channel = this.channels.get(id);
    if (!channel || channel.stopped || channel.resourceId !== resourceId) {
      throw new GoogleApiError(404, `Channel '${id}' not found for project`);
    }
    this.close(channel);
  }

  close(channel) {
    channel.stopped = true;
    channel.unlisten();
  }

  /** Whether channel `id` is open and not expired. */
  isLive(id) {
    const c = this.channels.get(id);
    return Boolean(c && !c.stopped && c.expiration > this.now());
  }

  changed(channel) {
    if (channel.stopped) return;
    if (channel.expiration <= this.now()) {
      this.close(channel);
      return;
    }
    if (channel.scheduled) return;
    channel.scheduled = true;
    setImmediate(() => {
      channel.scheduled = false;
      if (!channel.stopped && channel.expiration > this.now()) this.deliver(channel, 'update');
    });
  }

  deliver(channel, state) {
    channel.messageNumber += 1;
    const headers = {
      'X-Goog-Channel-ID': channel.id,
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Message-Number': String(channel.messageNumber),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-URI': channel.resourceUri,
      'X-Goog-Resource-State': state,
    };
    if (channel.token !== undefined) headers['X-Goog-Channel-Token'] = channel.token;
    if (state === 'update') headers['X-Goog-Changed'] = 'content';
    const record = { channelId: channel.id, state, messageNumber: channel.messageNumber, status: null, error: null };
    this.deliveries.push(record);
    const sent = Promise.resolve()
      .then(() => this.send(channel.address, headers))
      .then((status) => { record.status = status; }, (e) => { record.error = e && e.message ? e.message : String(e); })
      .finally(() => this.pending.delete(sent));
    this.pending.add(sent);
  }

  /** Resolves once every delivery started so far has its answer (for tests). */
  async settled() {
    await new Promise((resolve) => setImmediate(resolve));
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Stops every channel (the stand-in closes). */
  closeAll() {
    for (const c of this.channels.values()) if (!c.stopped) this.close(c);
  }
}

module.exports = { DriveChannels, MAX_FILE_CHANNEL_MS, DEFAULT_CHANNEL_MS };
