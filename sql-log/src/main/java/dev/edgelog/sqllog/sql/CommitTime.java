package dev.edgelog.sqllog.sql;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The commit time of an entry in the text forms SQLite reads and writes, always UTC. */
final class CommitTime {

    private static final DateTimeFormatter TIME_VALUE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private CommitTime() {
    }

    /**
     * A time value that SQLite's date functions read exactly as they read {@code 'now'}: to the
     * millisecond, and marked UTC by the {@code Z} so that a {@code 'utc'} modifier leaves it alone.
     */
    static String timeValue(long millis) {
        return TIME_VALUE.format(Instant.ofEpochMilli(millis));
    }

    /** What {@code CURRENT_TIMESTAMP} gives at that instant: {@code YYYY-MM-DD HH:MM:SS}. */
    static String timestamp(long millis) {
        return TIMESTAMP.format(Instant.ofEpochMilli(millis));
    }

    /** What {@code CURRENT_DATE} gives: {@code YYYY-MM-DD}. */
    static String date(long millis) {
        return DATE.format(Instant.ofEpochMilli(millis));
    }

    /** What {@code CURRENT_TIME} gives: {@code HH:MM:SS}. */
    static String time(long millis) {
        return TIME.format(Instant.ofEpochMilli(millis));
    }

    /** SQLite's {@code random()} contract on a raw 64-bit value: never {@code Long.MIN_VALUE}. */
    static long sqliteRandom(long raw) {
        return raw < 0 ? -(raw & Long.MAX_VALUE) : raw;
    }
}
