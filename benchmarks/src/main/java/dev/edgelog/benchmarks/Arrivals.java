package dev.edgelog.benchmarks;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * When each follower first held a target index: one slot per follower, set once (by whichever of
 * the follower's selector thread and {@link SimulatedFollowers#expect} gets there first), and a
 * countdown the driver waits on. Setting a slot is a CAS, so a follower is never counted twice.
 */
final class Arrivals {

    final long index;
    private final AtomicLongArray nanos;
    private final CountDownLatch missing;

    Arrivals(long index, int followers) {
        this.index = index;
        this.nanos = new AtomicLongArray(followers);
        for (int i = 0; i < followers; i++) {
            nanos.set(i, SimulatedFollowers.NOT_REACHED);
        }
        this.missing = new CountDownLatch(followers);
    }

    /** Records that {@code follower} held the index at {@code at}, unless it was recorded already. */
    void arrive(int follower, long at) {
        if (nanos.compareAndSet(follower, SimulatedFollowers.NOT_REACHED, at)) {
            missing.countDown();
        }
    }

    /**
     * Waits until every follower holds the index or {@code timeout} passes.
     *
     * @return each follower's {@link System#nanoTime()} of arrival, or {@link SimulatedFollowers#NOT_REACHED}
     */
    long[] await(Duration timeout) throws InterruptedException {
        missing.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        long[] out = new long[nanos.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nanos.get(i);
        }
        return out;
    }

    /** Followers that hold the index so far. */
    int reached() {
        return nanos.length() - (int) missing.getCount();
    }
}
