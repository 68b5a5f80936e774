package dev.edgelog.primary.query;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ParameterBinder;
import dev.edgelog.sqllog.apply.SqliteErrors;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.sqlite.SQLiteConfig;

/**
 * Read-only connections to the node's SQLite file for {@code /db/query}: opened with
 * {@code SQLITE_OPEN_READONLY} and {@code query_only}, so a query can never write; WAL lets them
 * read while the state machine writes. Results are rqlite's shapes (columns, declared types in
 * lower case, values; or {@code rows} objects with {@code associative}).
 */
public final class ReadPool implements AutoCloseable {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Path database;
    /** A pool place: its connection is opened on first use and reopened after a failure. */
    private static final class Slot {
        Connection connection;
    }

    private final BlockingQueue<Slot> idle;

    public ReadPool(Path database, int size) {
        this.database = database;
        this.idle = new ArrayBlockingQueue<>(size);
        for (int i = 0; i < size; i++) {
            idle.add(new Slot());
        }
    }

    /** Runs each statement and returns rqlite's {@code results} array. */
    public ArrayNode query(List<Statement> statements, boolean associative) throws InterruptedException {
        Slot slot = idle.poll(30, TimeUnit.SECONDS);
        if (slot == null) {
            throw new IllegalStateException("no read connection free within 30 s");
        }
        try {
            if (slot.connection == null) {
                slot.connection = open();
            }
            ArrayNode results = NODES.arrayNode();
            for (Statement s : statements) {
                results.add(run(slot.connection, s, associative));
            }
            return results;
        } catch (SQLException e) {
            if (slot.connection != null) {
                closeQuietly(slot.connection);
                slot.connection = null;
            }
            throw new IllegalStateException("cannot read " + database + ": " + e.getMessage(), e);
        } finally {
            idle.add(slot);
        }
    }

    private Connection open() throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout(5_000);
        Connection c = config.createConnection("jdbc:sqlite:file:" + database + "?mode=ro");
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("PRAGMA query_only = ON");
        }
        return c;
    }

    private static ObjectNode run(Connection c, Statement s, boolean associative) {
        ObjectNode result = NODES.objectNode();
        try (PreparedStatement ps = c.prepareStatement(s.sql())) {
            ParameterBinder.bind(ps, s);
            if (!ps.execute()) {
                return result;
            }
            try (ResultSet rs = ps.getResultSet()) {
                QueryResults.render(rs, result, associative, Long.MAX_VALUE);
            }
        } catch (SQLException e) {
            result.removeAll();
            result.put("error", SqliteErrors.message(e));
        } catch (IllegalArgumentException e) {
            result.removeAll();
            result.put("error", e.getMessage());
        }
        return result;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // replaced by a fresh connection on next use
        }
    }

    @Override
    public void close() {
        for (Slot slot; (slot = idle.poll()) != null; ) {
            if (slot.connection != null) {
                closeQuietly(slot.connection);
            }
        }
    }
}
