package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Parameter;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.sql.ParameterSlots;
import dev.edgelog.sqllog.sql.SqlText;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;

/**
 * Binds a statement's parameters to its prepared statement, by the rules of
 * {@link dev.edgelog.sqllog.sql.ParameterSlots}: positional values in order to the unnamed slots,
 * named values to every slot written {@code :name}, {@code @name} or {@code $name}. Slots left
 * unbound are NULL, as in SQLite. A value the statement has no slot for is the statement's error
 * (the same on every replica), never an exception.
 */
public final class ParameterBinder {

    private ParameterBinder() {
    }

    /**
     * Binds {@code parameters} to {@code c}'s statement.
     *
     * @return null when bound, else the error message for the statement's outcome
     * @throws SQLException when the driver fails (not the statement's fault)
     */
    static String bind(StatementCache.Cached c, List<Parameter> parameters) throws SQLException {
        PreparedStatement ps = c.statement;
        int slotCount = c.slots.count();
        if (parameters.isEmpty()) {
            if (slotCount > 0) {
                ps.clearParameters();
            }
            return null;
        }
        String error = check(c, parameters);
        if (error != null) {
            return error;
        }
        if (boundSlots(c, parameters) < slotCount) {
            ps.clearParameters();
        }
        List<Integer> positional = c.slots.positional();
        int next = 0;
        for (int i = 0, n = parameters.size(); i < n; i++) {
            Parameter p = parameters.get(i);
            if (p.name() == null) {
                set(ps, positional.get(next++), p.value());
            } else {
                for (int slot : c.slotsOf(p.name())) {
                    set(ps, slot, p.value());
                }
            }
        }
        return null;
    }

    /** The error for parameters the statement cannot take, or null. */
    private static String check(StatementCache.Cached c, List<Parameter> parameters) {
        int positionalGiven = 0;
        for (int i = 0, n = parameters.size(); i < n; i++) {
            Parameter p = parameters.get(i);
            if (p.name() == null) {
                positionalGiven++;
            } else if (c.slotsOf(p.name()).length == 0) {
                return "no parameter named '" + p.name() + "' (as :" + p.name() + ", @" + p.name() + " or $"
                        + p.name() + ") in the statement";
            }
        }
        int positionalSlots = c.slots.positional().size();
        if (positionalGiven > positionalSlots) {
            return "too many positional parameters: the statement has " + positionalSlots + ", " + positionalGiven
                    + " given";
        }
        return null;
    }

    private static int boundSlots(StatementCache.Cached c, List<Parameter> parameters) {
        int bound = 0;
        for (int i = 0, n = parameters.size(); i < n; i++) {
            Parameter p = parameters.get(i);
            bound += p.name() == null ? 1 : c.slotsOf(p.name()).length;
        }
        return bound;
    }

    /**
     * Binds {@code s}'s parameters to {@code ps} (prepared from {@code s.sql()}) by SQLite's own
     * numbering, for readers outside the applier (e.g. {@code /db/query}). Parameters the text
     * cannot take are an {@link IllegalArgumentException} naming the problem.
     */
    public static void bind(PreparedStatement ps, Statement s) throws SQLException {
        if (s.parameters().isEmpty()) {
            return;
        }
        ParameterSlots slots = SqlText.parameters(s.sql());
        int next = 0;
        for (Parameter p : s.parameters()) {
            if (p.isNamed()) {
                int[] indices = slots.indicesOf(p.name());
                if (indices.length == 0) {
                    throw new IllegalArgumentException("no parameter named '" + p.name() + "' in the statement");
                }
                for (int slot : indices) {
                    set(ps, slot, p.value());
                }
            } else {
                if (next >= slots.positional().size()) {
                    throw new IllegalArgumentException("more positional values than placeholders ("
                            + slots.positional().size() + ")");
                }
                set(ps, slots.positional().get(next++), p.value());
            }
        }
    }

    /** Binds one value to one slot with the JDBC setter of its storage class. */
    public static void set(PreparedStatement ps, int slot, SqlValue value) throws SQLException {
        if (value instanceof SqlValue.Int v) {
            ps.setLong(slot, v.value());
        } else if (value instanceof SqlValue.Text v) {
            ps.setString(slot, v.value());
        } else if (value instanceof SqlValue.Real v) {
            ps.setDouble(slot, v.value());
        } else if (value instanceof SqlValue.Blob v) {
            ps.setBytes(slot, v.value());
        } else {
            ps.setNull(slot, Types.NULL);
        }
    }
}
