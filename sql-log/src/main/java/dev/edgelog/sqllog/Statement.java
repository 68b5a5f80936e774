package dev.edgelog.sqllog;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One SQL statement of a write request: its text and its bound parameters.
 *
 * <p>Parameters are kept in a canonical order, positional ones first (in their order) and then
 * named ones, so that every form of an entry (binary, JSON) compares equal after a round trip.
 * A name may appear once.
 */
public record Statement(String sql, List<Parameter> parameters) {

    public Statement {
        Objects.requireNonNull(sql, "sql");
        parameters = canonical(parameters);
    }

    private static List<Parameter> canonical(List<Parameter> parameters) {
        boolean sorted = true;
        boolean seenNamed = false;
        for (Parameter p : parameters) {
            if (p.isNamed()) {
                seenNamed = true;
            } else if (seenNamed) {
                sorted = false;
            }
        }
        List<Parameter> out = parameters;
        if (!sorted) {
            out = new ArrayList<>(parameters.size());
            for (Parameter p : parameters) {
                if (!p.isNamed()) {
                    out.add(p);
                }
            }
            for (Parameter p : parameters) {
                if (p.isNamed()) {
                    out.add(p);
                }
            }
        }
        if (seenNamed) {
            Set<String> names = new HashSet<>();
            for (Parameter p : out) {
                if (p.isNamed() && !names.add(p.name())) {
                    throw new IllegalArgumentException("parameter '" + p.name() + "' is given twice");
                }
            }
        }
        return List.copyOf(out);
    }

    /** A statement without parameters. */
    public static Statement of(String sql) {
        return new Statement(sql, List.of());
    }

    /** A statement with positional parameters, in order. */
    public static Statement of(String sql, SqlValue... positional) {
        return new Statement(sql, Arrays.stream(positional).map(Parameter::positional).toList());
    }
}
