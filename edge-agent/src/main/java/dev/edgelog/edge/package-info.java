/**
 * The edge agent: follows the SQL log from an ordered list of upstreams (primary nodes or mirrors)
 * into a local SQLite file that ad servers read. {@link dev.edgelog.edge.EdgeAgent} ties together
 * the follower loop (sql-log's {@code follow} package), the local status API ({@code http}) and the
 * configuration.
 */
package dev.edgelog.edge;
