import type { ArtifactStore } from '../ports/artifact-store';
import type { AuditSink } from '../ports/audit-sink';
import type { Notifier } from '../ports/notifier';
import type { StateStore } from '../ports/state-store';
import { type Redact, redactValue } from './secret-redactor';

/**
 * Port wrappers that pass everything they write through the one redactor before it reaches the
 * wrapped store (a file, a database, a webhook). A secret can enter a watch's data from outside
 * (a proxy echoing request headers into an error body, which becomes a verdict's reason), so
 * the boundary every record crosses on its way out is where it is removed, whatever the store.
 * Reads pass through unchanged.
 */

/** A StateStore whose saved snapshots are redacted. */
export function redactingStateStore(store: StateStore, redact: Redact): StateStore {
  return {
    load: (key, ctx) => store.load(key, ctx),
    save: (key, snapshot, ctx) => store.save(key, redactValue(snapshot, redact), ctx),
    list: (prefix, ctx) => store.list(prefix, ctx),
  };
}

/** An AuditSink whose written records are redacted. */
export function redactingAuditSink(sink: AuditSink, redact: Redact): AuditSink {
  return {
    write: (record, ctx) => sink.write(redactValue(record, redact), ctx),
    read: (watchId, ctx) => sink.read(watchId, ctx),
  };
}

/** An ArtifactStore whose verification payloads are redacted before they are signed and stored. */
export function redactingArtifactStore(store: ArtifactStore, redact: Redact): ArtifactStore {
  return {
    record: (payload, ctx) => store.record(redactValue(payload, redact), ctx),
    lastVerified: (service, options, ctx) => store.lastVerified(service, options, ctx),
    list: (service, ctx) => store.list(service, ctx),
  };
}

/** A Notifier whose notifications are redacted before they are sent. */
export function redactingNotifier(notifier: Notifier, redact: Redact): Notifier {
  return { notify: (notification, ctx) => notifier.notify(redactValue(notification, redact), ctx) };
}
