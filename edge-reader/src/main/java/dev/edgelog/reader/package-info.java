/**
 * Reading an edge database: {@link dev.edgelog.reader.EdgeReader}, the library ad servers embed.
 *
 * <p>Why a module of its own, with no edgelog dependency: it runs inside other teams' processes, so
 * it must be small and pull in nothing they did not ask for — sqlite-jdbc, HikariCP and SLF4J only,
 * not the SQL log, Jackson or a server. The contract with the edge agent is the file alone: SQLite in
 * WAL mode and the one-row {@code _edgelog_state} table the agent writes in the same transaction as
 * every batch. So any language can read it the same way; this package is the Java way, and the
 * freshness rules it encodes are documented for the others in the README.
 *
 * <p>What it promises:
 * <ul>
 *   <li><b>Read-only, twice over</b>: {@code SQLITE_OPEN_READONLY} (nothing can be written, the file
 *       is never created) and {@code PRAGMA query_only}.</li>
 *   <li><b>Not bootstrapped is a state, not a crash</b>: a missing file or table reads as applied
 *       index 0 and an unknown lag.</li>
 *   <li><b>Fresh or refused</b>, when a max staleness is configured: {@link
 *       dev.edgelog.reader.StaleDataException} rather than old data.</li>
 * </ul>
 */
package dev.edgelog.reader;
