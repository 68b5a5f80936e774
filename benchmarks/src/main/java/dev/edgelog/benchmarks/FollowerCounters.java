package dev.edgelog.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the simulated followers did, counted by the selector threads and read by the driver at any
 * time ({@link SimulatedFollowers#stats()}). Adders, so that two selector threads never contend.
 */
final class FollowerCounters {

    final AtomicInteger connected = new AtomicInteger();
    final AtomicInteger parked = new AtomicInteger();
    final LongAdder requests = new LongAdder();
    final LongAdder ok = new LongAdder();
    final LongAdder noContent = new LongAdder();
    final LongAdder gone = new LongAdder();
    final LongAdder otherStatus = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder reconnects = new LongAdder();
    final LongAdder headBytes = new LongAdder();
    final LongAdder bodyBytes = new LongAdder();
    final LongAdder frames = new LongAdder();
    /** Why the last error or unexpected status happened, for the driver's report. */
    volatile String lastError = "";

    SimulatedFollowers.Stats snapshot(int followers) {
        return new SimulatedFollowers.Stats(followers, connected.get(), parked.get(), requests.sum(), ok.sum(),
                noContent.sum(), gone.sum(), otherStatus.sum(), errors.sum(), reconnects.sum(), headBytes.sum(),
                bodyBytes.sum(), frames.sum(), lastError);
    }
}
