package dev.edgelog.sqllog.pull;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/** Long-polling pulls waiting for the commit index to pass their {@code after}. */
final class Waiters {

    private record Waiter(long after, Runnable wake) {
    }

    private final List<Waiter> waiting = new ArrayList<>();

    /**
     * Runs {@code wake} once the commit index passes {@code after}: at once when it already does.
     * Returns a handle that cancels the wait (for the timeout path). The index is read under the
     * same lock as {@link #committed} takes, so an advance between the check and the wait is not
     * missed (callers advance the index before calling {@code committed}).
     */
    Runnable await(long after, LongSupplier commitIndex, Runnable wake) {
        Waiter w = new Waiter(after, wake);
        synchronized (this) {
            if (commitIndex.getAsLong() <= after) {
                waiting.add(w);
                return () -> cancel(w);
            }
        }
        wake.run();
        return () -> { };
    }

    private synchronized void cancel(Waiter w) {
        waiting.remove(w);
    }

    /** Wakes every waiter behind {@code commitIndex}. */
    void committed(long commitIndex) {
        List<Waiter> ready = new ArrayList<>();
        synchronized (this) {
            for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.after < commitIndex) {
                    ready.add(w);
                    it.remove();
                }
            }
        }
        for (Waiter w : ready) {
            w.wake.run();
        }
    }

    synchronized int size() {
        return waiting.size();
    }
}
