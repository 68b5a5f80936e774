package dev.edgelog.primary.commit;

import dev.edgelog.sqllog.Entry;
import java.util.List;

/**
 * A write request as the state machine applied it: its SQL-log entry (index and outcomes) and, for
 * each statement that returned rows (SELECT, RETURNING), those rows as rqlite's result object in
 * JSON, read inside the apply on the leader; null for the other statements. {@code rows} is empty
 * when no statement returned rows.
 */
public record Committed(Entry entry, List<String> rows) {

    public Committed {
        rows = rows == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(rows));
    }

    public static Committed of(Entry entry) {
        return new Committed(entry, List.of());
    }

    /** The rows of statement {@code i} (from 0) as a JSON object, or null. */
    public String rowsOf(int i) {
        return i < rows.size() ? rows.get(i) : null;
    }
}
