package dev.edgelog.primary.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations as rqlite's query parameters take them: {@code 500ms}, {@code 1s}, {@code 1m30s}. */
final class GoDurations {

    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

    private GoDurations() {
    }

    static long parseMillis(String value) {
        Matcher m = PART.matcher(value);
        double millis = 0;
        int end = 0;
        while (m.find() && m.start() == end) {
            double n = Double.parseDouble(m.group(1));
            millis += switch (m.group(2)) {
                case "ns" -> n / 1e6;
                case "us", "µs" -> n / 1e3;
                case "ms" -> n;
                case "s" -> n * 1e3;
                case "m" -> n * 60e3;
                default -> n * 3600e3;
            };
            end = m.end();
        }
        if (end == 0 || end != value.length()) {
            throw new BadRequestException(value + " is not a valid duration (e.g. 500ms, 1s, 1m30s)");
        }
        return (long) millis;
    }
}
