package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Entry;
import java.util.List;

/**
 * A step run inside the applier's transaction, after the batch's statements and before COMMIT,
 * with the entries as applied (outcomes included). What it makes durable is durable together with
 * the SQLite change: if it throws, the batch is rolled back.
 */
@FunctionalInterface
public interface BeforeCommit {

    /** No step. */
    BeforeCommit NONE = applied -> {
    };

    void beforeCommit(List<Entry> applied) throws Exception;
}
