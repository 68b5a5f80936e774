/**
 * The operator's commands beside the roles: {@code edgelog demo} ({@code demo}: the whole topology
 * as real processes on 127.0.0.1, with a write stream and a live view) and {@code edgelog status}
 * ({@code status}: one node's state, and a primary's fleet table). They talk to nodes over HTTP and
 * read edge databases with {@code edge-reader}, like any operator or ad server would.
 */
package dev.edgelog.tools;
