package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.SqlLogException;

/**
 * An append was refused because an entry's index is not the next one. Nothing of the refused batch
 * was written, so the caller may retry with the right entries.
 */
public final class NonConsecutiveIndexException extends SqlLogException {

    private final long expectedIndex;
    private final long givenIndex;

    public NonConsecutiveIndexException(long expectedIndex, long givenIndex) {
        super("append refused: expected index " + expectedIndex + ", was given " + givenIndex
                + "; nothing of the batch was written");
        this.expectedIndex = expectedIndex;
        this.givenIndex = givenIndex;
    }

    /** The index the store expected next. */
    public long expectedIndex() {
        return expectedIndex;
    }

    /** The index it was given instead. */
    public long givenIndex() {
        return givenIndex;
    }
}
