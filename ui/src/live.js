// Live updates: GraphQL subscriptions over a WebSocket at /graphql, spoken in graphql-transport-ws
// by hand (connection_init -> connection_ack -> subscribe -> next/complete, ping/pong), so a view
// learns that what it shows changed and draws it again. Without a WebSocket, or when the server
// refuses (no key, another origin, no subscriptions), the page simply stays as it was drawn.
/** @import { ColumnRef } from './types' */
import { headers } from './api.js';

const PROTOCOL = 'graphql-transport-ws';
/** Changes arriving this close together are drawn once. */
const QUIET_MS = 400;
/** The first wait before connecting again after the socket dropped; it doubles up to LONGEST_MS. */
const FIRST_RETRY_MS = 1000;
const LONGEST_MS = 30_000;

/**
 * One subscription of a page: its document and variables.
 * @typedef {{ query: string, variables: Record<string, unknown> }} Subscription
 */

/**
 * Follow ``subscriptions`` on one socket and call ``changed`` (debounced) when any sends an event,
 * and once more after connecting again (what happened while the socket was down is not resent).
 * ``note`` gets `data-live` while the subscriptions are sent.
 * @param {Subscription[]} subscriptions
 * @param {() => void} changed
 * @param {HTMLElement} note
 * @returns {() => void}  closes the socket for good
 */
export function follow(subscriptions, changed, note) {
  if (typeof WebSocket === 'undefined') return () => {};
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/graphql`;
  /** @type {WebSocket | null} */
  let socket = null;
  let closed = false;
  let acked = false;
  let wait = FIRST_RETRY_MS;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let quiet;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let retry;

  const soon = () => {
    clearTimeout(quiet);
    quiet = setTimeout(changed, QUIET_MS);
  };

  const connect = () => {
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(url, PROTOCOL);
    } catch {
      return; // a socket this page may not open (a content security policy, say)
    }
    socket = ws;
    // The server may send its JSON in binary frames: read them as bytes, not as a Blob.
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => {
      const authorization = headers().Authorization;
      ws.send(JSON.stringify({ type: 'connection_init', payload: authorization ? { Authorization: authorization } : {} }));
    });
    ws.addEventListener('message', (event) => {
      /** @type {{ type?: string }} */
      let message;
      try {
        message = JSON.parse(event.data instanceof ArrayBuffer ? new TextDecoder().decode(event.data) : String(event.data));
      } catch {
        return;
      }
      if (message.type === 'connection_ack') {
        if (acked) soon();
        acked = true;
        wait = FIRST_RETRY_MS;
        subscriptions.forEach((s, i) => ws.send(JSON.stringify({ id: String(i + 1), type: 'subscribe', payload: s })));
        note.dataset.live = 'on';
      } else if (message.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      } else if (message.type === 'next') {
        soon();
      }
    });
    ws.addEventListener('close', (event) => {
      delete note.dataset.live;
      if (closed || socket !== ws) return;
      // Refused (the first connection never acknowledged, or a 44xx close: a key, a limit, a
      // malformed message): nothing to follow. A drop once following: connect again, later each time.
      if (!acked) return;
      if (event.code >= 4400 && event.code < 4500) return;
      retry = setTimeout(connect, wait);
      wait = Math.min(wait * 2, LONGEST_MS);
    });
  };

  connect();
  return () => {
    closed = true;
    clearTimeout(quiet);
    clearTimeout(retry);
    delete note.dataset.live;
    socket?.close(1000);
  };
}

/**
 * The lineage of a dataset changed (its column edges, in or out, or the jobs reading or writing it).
 * @param {string} namespace
 * @param {string} dataset
 * @returns {Subscription}
 */
export const lineageOf = (namespace, dataset) => ({
  query: 'subscription ($ns: String!, $ds: String) { lineageChanged(namespace: $ns, dataset: $ds) { position } }',
  variables: { ns: namespace, ds: dataset },
});

/**
 * A column's effective tags changed.
 * @param {ColumnRef} column
 * @returns {Subscription}
 */
export const tagsOf = (column) => ({
  query: 'subscription ($column: ColumnRefInput) { tagsChanged(column: $column) { position } }',
  variables: { column: { namespace: column.namespace, dataset: column.dataset, field: column.field } },
});

/**
 * The "updated HH:MM:SS" note's text for now (the browser's local time).
 * @returns {string}
 */
export function updatedNow() {
  return `updated ${new Date().toTimeString().slice(0, 8)}`;
}
