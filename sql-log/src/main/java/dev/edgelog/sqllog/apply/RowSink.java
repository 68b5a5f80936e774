package dev.edgelog.sqllog.apply;

import java.sql.ResultSet;

/**
 * Receives the rows of each statement that returns rows ({@code SELECT}, {@code … RETURNING}) as it
 * runs inside the applier's transaction, so they show the database exactly at that statement: after
 * the entries before it and the statements before it in its own entry. A primary's leader answers
 * a {@code /db/request} that mixes reads and writes this way.
 *
 * <p>The sink only reads: what it does cannot change the statement's outcome (every replica
 * computes the same outcome without a sink). It must not throw; an exception it lets escape is
 * logged and ignored.
 */
@FunctionalInterface
public interface RowSink {

    /**
     * @param index     the SQL-log index of the statement's entry
     * @param statement the statement's position in its entry, from 0
     * @param rows      its rows, open until this returns; the first row was already stepped (that is
     *                  when SQLite makes a RETURNING statement's changes)
     */
    void rows(long index, int statement, ResultSet rows);
}
