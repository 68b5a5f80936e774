/**
 * The pull protocol: how the SQL log leaves a primary node or a mirror.
 *
 * <p>{@code GET /v1/log?after=N&max_bytes=B&wait_ms=W} answers the frames of the entries after
 * {@code N}, sent from the segment files' bytes as stored (no re-encoding), or long-polls up to
 * {@code W} ms and answers 204. 410 means {@code N} is older than retention (bootstrap from
 * {@code GET /v1/snapshot}); 409 means the caller holds another log. Every answer carries the log
 * id, the commit index and the first retained index as headers ({@link PullProtocol}).
 *
 * <p>{@link PullService} serves it (Undertow handlers over a {@link LogSource}); {@link PullClient}
 * follows it and rejects every malformed answer before anything reaches a database.
 */
package dev.edgelog.sqllog.pull;
