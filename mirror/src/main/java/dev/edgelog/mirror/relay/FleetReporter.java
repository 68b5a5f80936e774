package dev.edgelog.mirror.relay;

import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.pull.Fleet;
import dev.edgelog.sqllog.pull.PullClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends what this mirror knows of the nodes below it to the upstream it pulls from, every
 * interval, so that the primary's {@code GET /v1/fleet} shows the whole tree. Runs on its own
 * thread and connection: the follower's connection is busy with long polls.
 */
public final class FleetReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FleetReporter.class);

    private final Follower follower;
    private final Fleet fleet;
    private final PullClient.Options options;
    private final ScheduledExecutorService timer;
    private final Map<String, PullClient> clients = new HashMap<>();
    private final AtomicLong sent = new AtomicLong();
    private String lastFailure;

    public FleetReporter(Follower follower, Fleet fleet, PullClient.Options options, Duration interval) {
        this.follower = follower;
        this.fleet = fleet;
        this.options = options;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fleet-reporter");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::report, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Reports sent successfully since start. */
    public long reportsSent() {
        return sent.get();
    }

    private void report() {
        String upstream = follower.status() == null ? null : follower.status().upstream();
        if (upstream == null) {
            return;
        }
        PullClient client = clients.computeIfAbsent(upstream, u -> new PullClient(URI.create(u), options));
        try {
            client.reportFleet(fleet.report());
            sent.incrementAndGet();
            if (lastFailure != null) {
                LOG.info("fleet reports to {} work again", upstream);
                lastFailure = null;
            }
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage();
            if (!String.valueOf(why).equals(lastFailure)) {
                LOG.warn("reporting the fleet to {} failed: {}", upstream, why);
            }
            lastFailure = String.valueOf(why);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        clients.values().forEach(PullClient::close);
    }
}
