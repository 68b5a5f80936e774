package dev.edgelog.sqllog.follow;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.ApplierState;
import dev.edgelog.sqllog.apply.ApplyResult;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.apply.UpstreamContact;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.pull.UpstreamException;
import io.github.resilience4j.core.IntervalFunction;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pull loop: from the last applied index, pull a verified batch from the preferred available
 * upstream and apply it in one SQLite transaction together with the upstream contact; bootstrap
 * from a snapshot when there is no database, when the upstream no longer retains the next entry
 * (410), or after a divergence. A failed pull is never applied in part: it counts against the
 * upstream's circuit breaker and is retried after an exponential backoff with jitter, on the next
 * upstream when the breaker opens. The loop never applies entries of another log.
 *
 * <p>While catching up (the upstream's commit index is past the batch), the next pull is made on a
 * second thread while the batch is applied, so fetching and decoding overlap the SQLite work; it is
 * used only if it continues from the applied index on the same upstream, and is otherwise waited
 * for and dropped, so two pulls never share a connection.
 */
public final class Follower implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Follower.class);
    /** Lag (entries) from which the catch-up's progress is logged. */
    private static final long CATCH_UP_LOG_LAG = 10_000;

    private final FollowerSettings config;
    private final Upstreams upstreams;
    private final FrameSink sink;
    private final Clock clock;
    private final IntervalFunction backoff;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final List<LongConsumer> appliedListeners = new ArrayList<>();
    private volatile boolean closed;
    private volatile FollowerStatus status;

    private SqliteApplier applier;
    private volatile Upstreams.Upstream current;
    private int failures;
    private long bootstraps;
    private long failovers;
    private long rejected;
    private long notifiedIndex = -1;
    /** The next pull does not wait: after a start or a bootstrap the upstream's position is wanted now. */
    private boolean quickPull = true;
    private long progressNanos;
    private long progressIndex = -1;
    /** The pull after the batch being applied, made meanwhile while catching up; null when none. */
    private Prefetch prefetch;
    private final ExecutorService prefetcher;

    /** A pull started ahead, from {@code u} after {@code after}. */
    private record Prefetch(Upstreams.Upstream u, long after, long startNanos,
                            Future<PullClient.Batch> batch) {
    }

    public Follower(FollowerSettings config, PullClient.Options options, Clock clock) throws IOException {
        this(config, options, clock, FrameSink.NONE);
    }

    /** A follower that also hands every applied frame to {@code sink} (a mirror's segments). */
    public Follower(FollowerSettings config, PullClient.Options options, Clock clock, FrameSink sink)
            throws IOException {
        this.config = config;
        this.sink = sink;
        this.clock = clock;
        this.upstreams = new Upstreams(config.upstreams(), options, config.breakerOpen());
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(config.backoffInitial().toMillis(), 2.0, 0.5,
                config.backoffMax().toMillis());
        Files.createDirectories(config.databaseFile().toAbsolutePath().getParent());
        openExisting();
        this.thread = new Thread(this::run, "edge-follower");
        this.thread.setDaemon(true);
        this.prefetcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "edge-follower-prefetch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts pulling. */
    public void start() {
        thread.start();
    }

    /**
     * Calls {@code listener} with the applied index whenever it moved: after an applied batch or a
     * snapshot bootstrap (from the loop's thread).
     */
    public synchronized void onApplied(LongConsumer listener) {
        appliedListeners.add(listener);
    }

    public FollowerStatus status() {
        return status;
    }

    public Upstreams upstreams() {
        return upstreams;
    }

    /**
     * The nodes this follower pulls through, from the primary node down to the upstream it pulls
     * from now (as that upstream last said); empty before the first answer.
     */
    public List<String> upstreamPath() {
        Upstreams.Upstream u = current;
        return u == null ? List.of() : u.client().path();
    }

    /** Status, upstream path and each upstream's breaker state as JSON, into {@code out}. */
    public void describeTo(com.fasterxml.jackson.databind.node.ObjectNode out) {
        status.writeTo(out);
        upstreamPath().forEach(out.putArray("upstream_path")::add);
        var ups = out.putArray("upstreams");
        for (Upstreams.Upstream u : upstreams.all()) {
            ups.addObject().put("url", u.uri().toString())
                    .put("breaker", u.state().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Applied entries from {@code sink}'s point of view: bootstrapped or opened at this index. */
    private void positionSink() {
        quickPull = true;
        sink.continueAfter(applier.appliedIndex());
    }

    private void openExisting() throws IOException {
        String logId;
        try {
            logId = Bootstrap.recordedLogId(config.databaseFile());
        } catch (SQLException e) {
            throw new IOException(config.databaseFile() + " is not a readable SQLite database: " + e.getMessage(), e);
        }
        if (logId != null) {
            applier = SqliteApplier.open(config.databaseFile(), ApplierConfig.forLog(logId));
            LOG.info("{}: resuming log {} after index {}", config.nodeName(), logId, applier.appliedIndex());
            positionSink();
        } else {
            LOG.info("{}: no database yet at {}; the first contact bootstraps it", config.nodeName(),
                    config.databaseFile());
        }
        publish(null, -1, 0, null);
    }

    private void run() {
        try {
            while (!closed) {
                step();
                if (applier != null && applier.appliedIndex() != notifiedIndex) {
                    notifiedIndex = applier.appliedIndex();
                    notifyApplied(notifiedIndex);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    private void step() {
        Upstreams.Upstream u = upstreams.pick();
        if (current != null && u != current) {
            failovers++;
            LOG.info("{}: now pulling from {} (was {})", config.nodeName(), u, current);
        }
        current = u;
        long start = System.nanoTime();
        try {
            if (applier == null) {
                applier = Bootstrap.run(u, config.databaseFile(), null, null);
                bootstraps++;
                positionSink();
            }
            String logId = applier.config().logId();
            long after = applier.appliedIndex();
            Prefetch ahead = takePrefetch(u, after);
            PullClient.Batch batch;
            if (ahead != null) {
                start = ahead.startNanos();
                batch = result(ahead);
            } else {
                batch = u.client().pull(after, logId, pullBytes(), quickPull ? Duration.ZERO : config.pollWait());
            }
            quickPull = false;
            long last = batch.lastIndex(after);
            if (batch.commitIndex() > last) {
                prefetch = new Prefetch(u, last, System.nanoTime(), prefetcher.submit(
                        () -> u.client().pull(last, logId, pullBytes(), Duration.ZERO)));
            }
            UpstreamContact contact = new UpstreamContact(u.uri().toString(), batch.commitIndex(), clock.millis());
            ApplyResult r = applier.apply(entries(batch), contact, applied -> sink.append(framesOf(batch, applied)));
            u.succeeded(start);
            failures = 0;
            if (r.divergence().isPresent()) {
                LOG.error("{}: diverged from the log at index {}: {}; bootstrapping from a snapshot", config.nodeName(),
                        r.divergence().get().index(), r.divergence().get().describe());
                applier = Bootstrap.run(u, config.databaseFile(), applier, logId);
                bootstraps++;
                positionSink();
            }
            publish(u, batch.commitIndex(), contact.lastContactMillis(), null);
            logCatchUp(batch.commitIndex());
        } catch (UpstreamException e) {
            handle(u, start, e);
        } catch (IOException | RuntimeException e) {
            failed(u, start, e, e.toString());
        }
    }

    /**
     * Bytes asked per pull: half of {@code max_batch_bytes}, because while catching up the next
     * pull arrives while the previous one is applied, and both are held at once.
     */
    private int pullBytes() {
        return config.maxBatchBytes() / 2;
    }

    /**
     * The prefetched pull if it is from {@code u} after {@code after}; any other one (the apply
     * failed or diverged, or the follower moved to another upstream) is waited for and dropped,
     * so that no two pulls ever share a connection.
     */
    private Prefetch takePrefetch(Upstreams.Upstream u, long after) {
        Prefetch p = prefetch;
        prefetch = null;
        if (p == null || (p.u() == u && p.after() == after)) {
            return p;
        }
        try {
            result(p);
        } catch (IOException | RuntimeException e) {
            LOG.debug("{}: dropped a pull made ahead: {}", config.nodeName(), e.toString());
        }
        return null;
    }

    private static PullClient.Batch result(Prefetch p) throws IOException {
        try {
            return p.batch().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a pull");
        }
    }

    /** While far behind, says every few seconds how far the catch-up is and how fast it goes. */
    private void logCatchUp(long upstreamCommit) {
        long applied = applier.appliedIndex();
        long now = System.nanoTime();
        if (upstreamCommit - applied < CATCH_UP_LOG_LAG) {
            progressIndex = -1;
            return;
        }
        if (progressIndex < 0) {
            progressIndex = applied;
            progressNanos = now;
            LOG.info("{}: catching up: {} entries behind {}", config.nodeName(), upstreamCommit - applied, current);
        } else if (now - progressNanos >= 5_000_000_000L) {
            double rate = (applied - progressIndex) / ((now - progressNanos) / 1e9);
            LOG.info("{}: catching up: applied {} of {} ({} entries/s, about {} s left)", config.nodeName(), applied,
                    upstreamCommit, Math.round(rate), rate <= 0 ? "?" : Math.round((upstreamCommit - applied) / rate));
            progressIndex = applied;
            progressNanos = now;
        }
    }

    private void handle(Upstreams.Upstream u, long start, UpstreamException e) {
        switch (e.kind()) {
            case GONE -> {
                u.succeeded(start); // the upstream is healthy; this edge is too far behind
                LOG.warn("{}: {}; bootstrapping from a snapshot", config.nodeName(), e.getMessage());
                try {
                    applier = Bootstrap.run(u, config.databaseFile(), applier, applier.config().logId());
                    bootstraps++;
                    positionSink();
                } catch (IOException | RuntimeException b) {
                    failed(u, start, b, "bootstrap failed: " + b);
                }
            }
            case LOG_ID_MISMATCH -> {
                rejected++;
                failed(u, start, e, "refusing a foreign log: " + e.getMessage());
            }
            case LOOP -> {
                if (!e.getMessage().equals(status.lastError())) {
                    LOG.error("{}: {}", config.nodeName(), e.getMessage());
                }
                failed(u, start, e, e.getMessage());
            }
            case BAD_RESPONSE -> {
                rejected++;
                failed(u, start, e, "rejected a malformed answer: " + e.getMessage());
            }
            default -> failed(u, start, e, e.getMessage());
        }
    }

    private void failed(Upstreams.Upstream u, long start, Throwable e, String why) {
        if (closed) {
            return; // stopping: the pull was cut on purpose
        }
        u.failed(start, e);
        failures++;
        long sleep = backoff.apply(Math.min(failures, 30));
        FollowerStatus s = status;
        if (why.equals(s.lastError())) {
            LOG.debug("{}: pulling from {} failed again ({}); retrying in {} ms", config.nodeName(), u, why, sleep);
        } else {
            LOG.warn("{}: pulling from {} failed ({}); retrying in {} ms", config.nodeName(), u, why, sleep);
        }
        status = new FollowerStatus(s.logId(), s.appliedIndex(), s.lastCommitTimeMillis(), s.upstream(),
                s.upstreamCommitIndex(), s.lastContactMillis(), why, bootstraps, failovers, rejected);
        sleep(sleep);
    }

    /** The frames of {@code applied} (a run of the batch's entries), as received. */
    private static List<FrameReader.Frame> framesOf(PullClient.Batch batch, List<Entry> applied) {
        long first = batch.frames().get(0).entry().index();
        int from = (int) (applied.get(0).index() - first);
        return batch.frames().subList(from, from + applied.size());
    }

    private static List<Entry> entries(PullClient.Batch batch) {
        List<Entry> out = new ArrayList<>(batch.frames().size());
        for (FrameReader.Frame f : batch.frames()) {
            out.add(f.entry());
        }
        return out;
    }

    private void publish(Upstreams.Upstream u, long upstreamCommit, long contactMillis, String error) {
        if (applier == null) {
            status = new FollowerStatus(null, 0, 0, null, -1, 0, error, bootstraps, failovers, rejected);
            return;
        }
        ApplierState s = applier.state();
        status = new FollowerStatus(s.logId(), s.appliedIndex(), s.lastCommitTimeMillis(),
                u == null ? s.upstream() : u.uri().toString(), upstreamCommit,
                u == null ? (s.lastContactMillis() == null ? 0 : s.lastContactMillis()) : contactMillis, error,
                bootstraps, failovers, rejected);
    }

    private synchronized void notifyApplied(long index) {
        for (LongConsumer l : appliedListeners) {
            l.accept(index);
        }
    }

    private void sleep(long millis) {
        try {
            if (stopped.await(millis, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The database file this follower writes. */
    public Path database() {
        return config.databaseFile();
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        upstreams.close(); // unblocks a long poll
        thread.interrupt();
        thread.join(10_000);
        prefetcher.shutdownNow();
        if (applier != null) {
            applier.close();
        }
    }
}
