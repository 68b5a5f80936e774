package dev.edgelog.sqllog.pull;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long-polling pulls waiting for the commit index to pass their {@code after}. An advance wakes
 * every waiter behind it with one task per IO thread (each waiter names the thread that owns its
 * connection), so thousands of parked pulls cost the committing thread a few queue hand-offs, not
 * one per pull.
 */
final class Waiters {

    private static final Logger LOG = LoggerFactory.getLogger(Waiters.class);

    private record Waiter(long after, Executor thread, Runnable wake) {
    }

    private final Set<Waiter> waiting = new HashSet<>(); // removals are O(1): thousands time out at once

    /**
     * Runs {@code wake} on {@code thread} once the commit index passes {@code after}; at once (on
     * the caller's thread) when it already does. Returns a handle that cancels the wait (for the
     * timeout path). The index is read under the same lock as {@link #committed} takes, so an
     * advance between the check and the wait is not missed (callers advance the index before
     * calling {@code committed}).
     */
    Runnable await(long after, LongSupplier commitIndex, Executor thread, Runnable wake) {
        Waiter w = new Waiter(after, thread, wake);
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
        Map<Executor, List<Runnable>> byThread = new IdentityHashMap<>();
        synchronized (this) {
            for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
                Waiter w = it.next();
                if (w.after < commitIndex) {
                    byThread.computeIfAbsent(w.thread, t -> new ArrayList<>()).add(w.wake);
                    it.remove();
                }
            }
        }
        byThread.forEach((thread, wakes) -> thread.execute(() -> {
            for (Runnable r : wakes) {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.warn("waking a parked pull failed: {}", e.toString(), e); // the others still go
                }
            }
        }));
    }

    synchronized int size() {
        return waiting.size();
    }
}
