package dev.edgelog.sqllog;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A typed SQL parameter value, one of SQLite's five storage classes.
 *
 * <p>Values are immutable. {@link Blob} copies its bytes in and out so that an entry, once built,
 * cannot change under a reader.
 */
public sealed interface SqlValue {

    /** The SQL {@code NULL}. */
    SqlValue NULL = new Null();

    static SqlValue of(long value) {
        return new Int(value);
    }

    static SqlValue of(double value) {
        return new Real(value);
    }

    static SqlValue of(String value) {
        return value == null ? NULL : new Text(value);
    }

    static SqlValue of(byte[] value) {
        return value == null ? NULL : new Blob(value);
    }

    /** SQL {@code NULL}. */
    record Null() implements SqlValue {
        @Override
        public String toString() {
            return "NULL";
        }
    }

    /** A 64-bit signed integer. */
    record Int(long value) implements SqlValue {
        @Override
        public String toString() {
            return Long.toString(value);
        }
    }

    /** An IEEE-754 double. */
    record Real(double value) implements SqlValue {
        @Override
        public String toString() {
            return Double.toString(value);
        }
    }

    /** UTF-8 text. */
    record Text(String value) implements SqlValue {
        public Text {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "'" + value.replace("'", "''") + "'";
        }
    }

    /** A byte string. */
    record Blob(byte[] value) implements SqlValue {
        public Blob {
            value = Objects.requireNonNull(value, "value").clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        /** The length without copying. */
        public int length() {
            return value.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Blob b && Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "x'" + HexFormat.of().formatHex(value) + "'";
        }
    }
}
