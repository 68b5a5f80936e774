package dev.edgelog.primary;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;

/**
 * A primary node's metrics, scraped at {@code GET /metrics} in Prometheus text format: commit
 * rate and latency, apply latency, leadership, applied and commit indices, write-queue depth.
 */
public final class NodeMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer writeLatency;
    private final Timer applyLatency;
    private final Counter requestsCommitted;
    private final Counter statementsCommitted;
    private final Counter writesRejected;

    NodeMetrics(PrimaryNode node) {
        String id = node.config().nodeId();
        registry.config().commonTags("node", id);
        writeLatency = Timer.builder("edgelog.write.latency")
                .description("POST /db/execute on the leader, from submit to applied")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30)).register(registry);
        applyLatency = Timer.builder("edgelog.apply.latency")
                .description("applying one Raft entry (one group commit) to SQLite and the segments")
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        requestsCommitted = Counter.builder("edgelog.requests.committed")
                .description("write requests applied (each one SQL-log entry)").register(registry);
        statementsCommitted = Counter.builder("edgelog.statements.committed")
                .description("statements applied").register(registry);
        writesRejected = Counter.builder("edgelog.writes.rejected")
                .description("writes refused because the queue was full (503)").register(registry);
        Gauge.builder("edgelog.leader", node, n -> n.isLeader() ? 1 : 0)
                .description("1 on the leader, 0 elsewhere").register(registry);
        Gauge.builder("edgelog.term", node, PrimaryNode::term).register(registry);
        Gauge.builder("edgelog.applied.index", node, n -> n.stateMachine().appliedIndex())
                .description("last applied SQL-log index").register(registry);
        Gauge.builder("edgelog.raft.commit.index", node, PrimaryNode::raftCommitIndex).register(registry);
        Gauge.builder("edgelog.raft.applied.index", node, PrimaryNode::raftAppliedIndex).register(registry);
        Gauge.builder("edgelog.write.queue.depth", node, n -> n.committer().queueDepth())
                .description("requests waiting for a group commit").register(registry);
    }

    public Timer writeLatency() {
        return writeLatency;
    }

    public Timer applyLatency() {
        return applyLatency;
    }

    public void committed(int requests, int statements) {
        requestsCommitted.increment(requests);
        statementsCommitted.increment(statements);
    }

    public void rejected() {
        writesRejected.increment();
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }
}
