/**
 * The SQL log's entry model: {@link dev.edgelog.sqllog.Entry}, its statements, typed parameters and
 * outcomes. Each concern of the log sits in its own package below this one: {@code codec} (frames on
 * disk and on the wire), {@code segment} (segment files), {@code apply} (applying entries to SQLite),
 * {@code sql} (determinism and validation of SQL text) and {@code snapshot} (consistent copies).
 */
package dev.edgelog.sqllog;
