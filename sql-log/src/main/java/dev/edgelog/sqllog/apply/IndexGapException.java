package dev.edgelog.sqllog.apply;

/**
 * A batch does not continue the applied index (its first new entry is not applied + 1, or its
 * entries are not consecutive). A gap is corruption, never normal; nothing of the batch was applied.
 */
public class IndexGapException extends ApplyException {

    private final long appliedIndex;
    private final long foundIndex;

    public IndexGapException(long appliedIndex, long expectedIndex, long foundIndex) {
        super("index gap: applied index is " + appliedIndex + ", expected entry " + expectedIndex
                + " but the batch has " + foundIndex + "; nothing applied");
        this.appliedIndex = appliedIndex;
        this.foundIndex = foundIndex;
    }

    public long appliedIndex() {
        return appliedIndex;
    }

    public long foundIndex() {
        return foundIndex;
    }
}
