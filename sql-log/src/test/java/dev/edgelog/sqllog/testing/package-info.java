/** Shared test fixtures (published in the sql-log test-jar for the other modules). */
package dev.edgelog.sqllog.testing;
