package dev.edgelog.sqllog;

import java.util.Objects;

/**
 * One bound parameter of a {@link Statement}: positional when {@code name} is null, otherwise
 * named. A name is given without its prefix and binds {@code :name}, {@code @name} and
 * {@code $name} alike, as rqlite does.
 */
public record Parameter(String name, SqlValue value) {

    public Parameter {
        Objects.requireNonNull(value, "value");
        if (name != null && name.isEmpty()) {
            throw new IllegalArgumentException("a parameter name must not be empty");
        }
    }

    public static Parameter positional(SqlValue value) {
        return new Parameter(null, value);
    }

    public static Parameter named(String name, SqlValue value) {
        return new Parameter(Objects.requireNonNull(name, "name"), value);
    }

    public boolean isNamed() {
        return name != null;
    }
}
