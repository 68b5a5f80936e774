package dev.edgelog.sqllog.apply;

/** The database belongs to another log: the applier never applies entries of another log id. */
public class LogIdMismatchException extends ApplyException {

    private final String expected;
    private final String found;

    public LogIdMismatchException(String database, String expected, String found) {
        super("database " + database + " holds log " + found + ", not " + expected
                + "; refusing to apply entries of another log (remove the file or bootstrap it from a snapshot of "
                + expected + ")");
        this.expected = expected;
        this.found = found;
    }

    public String expected() {
        return expected;
    }

    public String found() {
        return found;
    }
}
