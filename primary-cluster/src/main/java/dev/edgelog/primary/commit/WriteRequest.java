package dev.edgelog.primary.commit;

import dev.edgelog.sqllog.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One validated write request waiting for its group commit. {@code result} completes with the
 * request's SQL-log entry as applied (index and outcomes, and the rows of statements that return
 * rows), or exceptionally when it could not be
 * committed (its Raft proposal failed, or strict determinism refused it).
 */
public record WriteRequest(boolean transaction, List<Statement> statements, CompletableFuture<Committed> result) {

    public WriteRequest {
        statements = List.copyOf(statements);
    }

    public static WriteRequest of(boolean transaction, List<Statement> statements) {
        return new WriteRequest(transaction, statements, new CompletableFuture<>());
    }

    /** A rough size for batch limits: SQL text and parameter count. */
    int estimatedBytes() {
        int n = 16;
        for (Statement s : statements) {
            n += s.sql().length() + 12 * s.parameters().size() + 8;
        }
        return n;
    }
}
