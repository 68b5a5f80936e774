/**
 * The primary cluster arrives with issue 3: Raft (Apache Ratis) state machine, group commit and the rqlite-compatible SQL endpoint. Only this module may depend on Ratis.
 */
package dev.edgelog.primary;
