/**
 * The edge agent arrives with issue 4: it follows the SQL log into a local SQLite file that ad servers read.
 */
package dev.edgelog.edge;
