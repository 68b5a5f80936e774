package dev.edgelog.benchmarks;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One selector thread driving a share of the simulated followers: their connects, requests and
 * answers, their backoff timers, and a once-a-second check for connects or answers that never come.
 *
 * <p>It sets up at most {@code setupLimit} connections at a time (from the connect until the first
 * answer), so that thousands of followers do not overrun the server's accept backlog; a connection
 * that fails joins the end of the queue again after its backoff.
 */
final class FollowerLoop implements Runnable {

    /** Told of every answer that moved a follower; called on the loop's thread, so it must be quick. */
    @FunctionalInterface
    interface Progress {
        void advanced(int follower, long after, long nanos);
    }

    private record Timer(long due, FollowerConnection follower, int epoch) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(FollowerLoop.class);
    private static final long SCAN_INTERVAL_NANOS = 1_000_000_000L;
    /** Shared by all followers of the loop: a read's bytes are consumed before the next read. */
    private static final int READ_BUFFER_BYTES = 64 * 1024;

    final SimulatedFollowers.Options options;
    final FollowerCounters counters;
    /** {@code Host} and the optional log id and credentials: the same on every request. */
    final String fixedHeaders;
    /** The server address's own family, so an IPv4 server gets plain IPv4 sockets, not IPv4-mapped IPv6. */
    final ProtocolFamily family;
    private final Progress progress;
    private final int setupLimit;
    private final Selector selector;
    private final List<FollowerConnection> followers = new ArrayList<>();
    private final ArrayDeque<FollowerConnection> toConnect = new ArrayDeque<>();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(Comparator.comparingLong(Timer::due));
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private int settingUp;
    private volatile boolean stopping;
    private volatile Throwable failure;

    FollowerLoop(SimulatedFollowers.Options options, FollowerCounters counters, int setupLimit, Progress progress)
            throws IOException {
        this.options = options;
        this.counters = counters;
        this.fixedHeaders = options.fixedHeaders();
        this.family = options.server().getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET;
        this.setupLimit = setupLimit;
        this.progress = progress;
        this.selector = Selector.open();
    }

    /** Adds a follower before the loop starts; it connects in turn. */
    FollowerConnection add(int id, String node, long after) {
        FollowerConnection f = new FollowerConnection(id, node, after, this);
        followers.add(f);
        toConnect.add(f);
        return f;
    }

    /** What ended the loop early (a bug in the harness), or null while it runs or after a clean stop. */
    Throwable failure() {
        return failure;
    }

    /** Asks the loop to close its connections and end; any thread. */
    void stop() {
        stopping = true;
        selector.wakeup();
    }

    @Override
    public void run() {
        long nextScan = System.nanoTime() + SCAN_INTERVAL_NANOS;
        try {
            while (!stopping) {
                startConnects();
                long now = System.nanoTime();
                long until = timers.isEmpty() ? nextScan : Math.min(nextScan, timers.peek().due());
                selector.select(this::ready, Math.max(1, (until - now + 999_999) / 1_000_000));
                now = System.nanoTime();
                fireTimers(now);
                if (now >= nextScan) {
                    for (FollowerConnection f : followers) {
                        f.checkTimeout(now);
                    }
                    nextScan = now + SCAN_INTERVAL_NANOS;
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            failure = e;
            LOG.error("a simulated-follower loop failed; its followers stop: {}", e.toString(), e);
        } finally {
            for (FollowerConnection f : followers) {
                f.close();
            }
            try {
                selector.close();
            } catch (IOException e) {
                LOG.debug("closing the selector failed: {}", e.toString());
            }
        }
    }

    void queueConnect(FollowerConnection f) {
        toConnect.add(f);
    }

    void setupEnded() {
        settingUp--;
    }

    void schedule(long due, FollowerConnection f, int epoch) {
        timers.add(new Timer(due, f, epoch));
    }

    void advanced(int follower, long after, long nanos) {
        progress.advanced(follower, after, nanos);
    }

    private void startConnects() {
        long now = System.nanoTime();
        while (settingUp < setupLimit && !toConnect.isEmpty()) {
            FollowerConnection f = toConnect.poll();
            settingUp++;
            f.connect(selector, now);
        }
    }

    private void ready(SelectionKey key) {
        FollowerConnection f = (FollowerConnection) key.attachment();
        if (!key.isValid()) {
            return;
        }
        int ops = key.readyOps();
        if ((ops & SelectionKey.OP_CONNECT) != 0) {
            f.onConnectable();
        } else if ((ops & SelectionKey.OP_WRITE) != 0) {
            f.onWritable();
        } else if ((ops & SelectionKey.OP_READ) != 0) {
            f.onReadable(readBuffer);
        }
    }

    private void fireTimers(long now) {
        while (!timers.isEmpty() && timers.peek().due() <= now) {
            Timer t = timers.poll();
            t.follower().timerDue(t.epoch(), now);
        }
    }
}
