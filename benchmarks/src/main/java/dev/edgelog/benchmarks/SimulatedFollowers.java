package dev.edgelog.benchmarks;

import dev.edgelog.sqllog.pull.PullProtocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Thousands of simulated edges in one JVM, each following a node's pull API ({@code GET /v1/log})
 * on its own keep-alive connection, for the fan-out benchmark: how long a new entry takes to reach
 * every edge of a primary or a mirror. A simulated edge has no SQLite and no decoding; it counts
 * the frames of each answer, moves its {@code after} by that many and long-polls again at once.
 *
 * <p>A few NIO selector threads drive all connections ({@link FollowerLoop}), a follower costs
 * about a kilobyte, and bodies are scanned, never stored ({@link PollAnswer}); so the harness can
 * drive 10,000 followers on a small machine and what it measures is the server's fan-out. Use:
 *
 * <pre>
 * try (SimulatedFollowers edges = SimulatedFollowers.start(Options.of(mirror, 10_000).withStartAfter(commit))) {
 *     edges.awaitParked(Duration.ofMinutes(1));
 *     edges.expect(commit + 1);
 *     long t0 = System.nanoTime();
 *     … write one entry to the primary …
 *     long[] arrivals = edges.awaitArrivals(Duration.ofSeconds(30)); // latency of edge i: arrivals[i] - t0
 * }
 * </pre>
 *
 * A follower that falls out of retention (410) jumps to the server's commit index and goes on; one
 * whose connection fails connects again after {@link Options#reconnectBackoff}; any other status is
 * retried after {@link Options#errorBackoff}. {@link #stats()} counts all of it.
 */
final class SimulatedFollowers implements AutoCloseable {

    /** An arrival time for a follower that did not hold the index before the wait ran out. */
    static final long NOT_REACHED = Long.MIN_VALUE;

    /**
     * The harness's settings.
     *
     * @param server           the node followed (a primary node or a mirror)
     * @param followers        how many simulated edges, each with its own connection
     * @param startAfter       the index every follower starts from (the server's commit index skips the catch-up)
     * @param namePrefix       followers send {@code Edgelog-Node: <namePrefix>-<i>}
     * @param logId            sent as {@code Edgelog-Log-Id}, or null
     * @param bearerToken      sent as {@code Authorization: Bearer …}, or null
     * @param waitMs           each long poll's {@code wait_ms}
     * @param maxBytes         each pull's {@code max_bytes}
     * @param selectorThreads  threads driving the connections
     * @param setupConcurrency connections being set up at once, over all threads (keep it below the server's backlog)
     * @param maxHeadBytes     the longest answer head accepted
     * @param reconnectBackoff the pause before connecting again after a failure
     * @param errorBackoff     the pause before polling again after an unexpected status
     */
    record Options(InetSocketAddress server, int followers, long startAfter, String namePrefix, String logId,
                   String bearerToken, long waitMs, int maxBytes, int selectorThreads, int setupConcurrency,
                   int maxHeadBytes, Duration reconnectBackoff, Duration errorBackoff) {

        static final String DEFAULT_NAME_PREFIX = "sim-edge";
        static final long DEFAULT_WAIT_MS = 30_000;
        static final int DEFAULT_SELECTOR_THREADS = 2;
        static final int DEFAULT_SETUP_CONCURRENCY = 256;
        static final int DEFAULT_MAX_HEAD_BYTES = 16 * 1024;
        static final Duration DEFAULT_RECONNECT_BACKOFF = Duration.ofMillis(500);
        static final Duration DEFAULT_ERROR_BACKOFF = Duration.ofMillis(100);

        Options {
            require(server != null && !server.isUnresolved(), "server must be a resolved address, was " + server);
            require(followers >= 1, "followers must be at least 1, was " + followers);
            require(startAfter >= 0, "startAfter must not be negative, was " + startAfter);
            require(namePrefix != null && !namePrefix.isBlank(), "namePrefix must not be blank");
            require(waitMs >= 1 && waitMs <= PullProtocol.MAX_WAIT_MS,
                    "waitMs must be between 1 and " + PullProtocol.MAX_WAIT_MS + ", was " + waitMs);
            require(maxBytes >= 1 && maxBytes <= PullProtocol.MAX_MAX_BYTES,
                    "maxBytes must be between 1 and " + PullProtocol.MAX_MAX_BYTES + ", was " + maxBytes);
            require(selectorThreads >= 1 && selectorThreads <= followers,
                    "selectorThreads must be between 1 and followers, was " + selectorThreads);
            require(setupConcurrency >= selectorThreads,
                    "setupConcurrency must be at least selectorThreads, was " + setupConcurrency);
            require(maxHeadBytes >= 1024, "maxHeadBytes must be at least 1024, was " + maxHeadBytes);
            require(!reconnectBackoff.isNegative() && !errorBackoff.isNegative(), "backoffs must not be negative");
        }

        /** {@code followers} edges of {@code server} from index 0, with the defaults. */
        static Options of(InetSocketAddress server, int followers) {
            return new Options(server, followers, 0, DEFAULT_NAME_PREFIX, null, null, DEFAULT_WAIT_MS,
                    PullProtocol.DEFAULT_MAX_BYTES, Math.min(DEFAULT_SELECTOR_THREADS, followers),
                    DEFAULT_SETUP_CONCURRENCY, DEFAULT_MAX_HEAD_BYTES, DEFAULT_RECONNECT_BACKOFF,
                    DEFAULT_ERROR_BACKOFF);
        }

        Options withStartAfter(long index) {
            return new Options(server, followers, index, namePrefix, logId, bearerToken, waitMs, maxBytes,
                    selectorThreads, setupConcurrency, maxHeadBytes, reconnectBackoff, errorBackoff);
        }

        Options withNamePrefix(String prefix) {
            return new Options(server, followers, startAfter, prefix, logId, bearerToken, waitMs, maxBytes,
                    selectorThreads, setupConcurrency, maxHeadBytes, reconnectBackoff, errorBackoff);
        }

        /** Sends the log id and a bearer token on every request; either may be null. */
        Options withAuth(String id, String token) {
            return new Options(server, followers, startAfter, namePrefix, id, token, waitMs, maxBytes,
                    selectorThreads, setupConcurrency, maxHeadBytes, reconnectBackoff, errorBackoff);
        }

        Options withPull(long wait, int bytes) {
            return new Options(server, followers, startAfter, namePrefix, logId, bearerToken, wait, bytes,
                    selectorThreads, setupConcurrency, maxHeadBytes, reconnectBackoff, errorBackoff);
        }

        Options withThreads(int threads, int setup) {
            return new Options(server, followers, startAfter, namePrefix, logId, bearerToken, waitMs, maxBytes,
                    threads, setup, maxHeadBytes, reconnectBackoff, errorBackoff);
        }

        Options withBackoff(Duration reconnect, Duration error) {
            return new Options(server, followers, startAfter, namePrefix, logId, bearerToken, waitMs, maxBytes,
                    selectorThreads, setupConcurrency, maxHeadBytes, reconnect, error);
        }

        /** The headers every request carries besides {@code Edgelog-Node}, each line ending in CRLF. */
        String fixedHeaders() {
            StringBuilder h = new StringBuilder("Host: ").append(server.getHostString()).append(':')
                    .append(server.getPort()).append("\r\n");
            if (logId != null) {
                h.append(PullProtocol.LOG_ID_HEADER).append(": ").append(logId).append("\r\n");
            }
            if (bearerToken != null) {
                h.append("Authorization: Bearer ").append(bearerToken).append("\r\n");
            }
            return h.toString();
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }

    /**
     * Counters since the start; {@code connected} and {@code parked} are current. {@code parked}
     * followers have a long poll out and held the server's commit index at their last answer.
     */
    record Stats(int followers, int connected, int parked, long requests, long ok, long noContent, long gone,
                 long otherStatus, long errors, long reconnects, long headBytes, long bodyBytes, long frames,
                 String lastError) {

        String line() {
            return String.format(Locale.ROOT, "followers %,d  connected %,d  parked %,d  requests %,d  200 %,d  204 %,d"
                            + "  410 %,d  other %,d  errors %,d  reconnects %,d  head %,d B  body %,d B  frames %,d%s",
                    followers, connected, parked, requests, ok, noContent, gone, otherStatus, errors, reconnects,
                    headBytes, bodyBytes, frames, lastError.isEmpty() ? "" : "  last error: " + lastError);
        }
    }

    private final FollowerCounters counters = new FollowerCounters();
    private final FollowerConnection[] followers;
    private final List<FollowerLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Arrivals target;

    private SimulatedFollowers(Options options) throws IOException {
        followers = new FollowerConnection[options.followers()];
        int n = options.selectorThreads();
        try {
            for (int t = 0; t < n; t++) {
                loops.add(new FollowerLoop(options, counters, Math.max(1, options.setupConcurrency() / n),
                        this::advanced));
            }
        } catch (IOException e) {
            loops.forEach(FollowerLoop::stop);
            throw e;
        }
        for (int i = 0; i < followers.length; i++) {
            followers[i] = loops.get(i % n).add(i, options.namePrefix() + "-" + i, options.startAfter());
        }
    }

    /** Creates the followers and starts connecting them, a limited number at a time. */
    static SimulatedFollowers start(Options options) throws IOException {
        SimulatedFollowers s = new SimulatedFollowers(options);
        for (int t = 0; t < s.loops.size(); t++) {
            Thread thread = new Thread(s.loops.get(t), "sim-followers-" + t);
            thread.setDaemon(true);
            s.threads.add(thread);
            thread.start();
        }
        return s;
    }

    int size() {
        return followers.length;
    }

    /**
     * Waits until every follower is connected, caught up with what the server told it, and has a long
     * poll out: the fan-out is set up, and the next entry committed reaches all of them.
     *
     * @return false if {@code timeout} passed first
     */
    boolean awaitParked(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counters.parked.get() < followers.length) {
            checkLoops();
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10);
        }
        return true;
    }

    /**
     * Starts timing arrivals at {@code index}, replacing the previous target: from now on each
     * follower records the {@link System#nanoTime()} of the first answer that takes it to
     * {@code index} or beyond. Call it before the write whose entry is {@code index}. A follower
     * already there gets the time of the answer that took it there (or of the harness's start, if it
     * started there), which is before this call.
     */
    void expect(long index) {
        Arrivals a = new Arrivals(index, followers.length);
        target = a;
        for (FollowerConnection f : followers) {
            // position first: advancedAt is written before it, so this reads at least that answer's time
            if (f.position() >= index) {
                a.arrive(f.id, f.advancedAt());
            }
        }
    }

    /**
     * Waits until every follower has received the index set by {@link #expect}, or {@code timeout}.
     * Jumps after a 410 do not count: those followers never received the entry.
     *
     * @return per follower, the {@link System#nanoTime()} at which its answer with the index was read,
     *         or {@link #NOT_REACHED}
     */
    long[] awaitArrivals(Duration timeout) throws InterruptedException {
        Arrivals a = target;
        if (a == null) {
            throw new IllegalStateException("call expect(index) before awaitArrivals");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        long[] out;
        do {
            checkLoops();
            out = a.await(Duration.ofNanos(Math.min(1_000_000_000L, Math.max(0, deadline - System.nanoTime()))));
        } while (a.reached() < followers.length && deadline - System.nanoTime() > 0);
        return out;
    }

    /** {@link #expect} and {@link #awaitArrivals}: for an index that may have been written already. */
    long[] awaitIndex(long index, Duration timeout) throws InterruptedException {
        expect(index);
        return awaitArrivals(timeout);
    }

    /** The last index follower {@code i} holds. */
    long position(int i) {
        return followers[i].position();
    }

    /** The lowest index any follower holds. */
    long minPosition() {
        long min = Long.MAX_VALUE;
        for (FollowerConnection f : followers) {
            min = Math.min(min, f.position());
        }
        return min;
    }

    Stats stats() {
        return counters.snapshot(followers.length);
    }

    /**
     * Closes every connection and ends every thread the harness started. The server notices a closed
     * connection only when it answers the poll parked on it, up to {@code waitMs} later; until then it
     * keeps those sockets, and this machine keeps its ends in FIN-WAIT-2. A second harness started at
     * once against the same server needs as many sockets again (its connects slow down as the
     * ephemeral ports fill); wait {@code waitMs} between runs, or reuse one harness.
     */
    @Override
    public void close() {
        loops.forEach(FollowerLoop::stop);
        boolean interrupted = false;
        for (Thread t : threads) {
            while (t.isAlive()) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void advanced(int follower, long after, long nanos) {
        Arrivals a = target;
        if (a != null && after >= a.index) {
            a.arrive(follower, nanos);
        }
    }

    private void checkLoops() {
        for (FollowerLoop l : loops) {
            if (l.failure() != null) {
                throw new IllegalStateException("a selector thread of the harness failed", l.failure());
            }
        }
    }
}
