package dev.edgelog.sqllog.follow;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.auth.Tls;
import dev.edgelog.sqllog.config.YamlConfig;
import dev.edgelog.sqllog.pull.PullClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What every following role (edge agent, mirror) is configured with: who it is, whom it follows and
 * how patiently, what it presents upstream, and its own HTTP listener. Immutable; the constructor
 * checks the values, with messages naming the configuration keys.
 *
 * @param nodeName       sent upstream, shown in paths and the fleet table; unique in the fleet (a
 *                       chain that names it twice is a loop), without commas
 * @param dataDir        the role's database and downloads live here
 * @param upstreams      primary nodes or mirrors, most preferred first
 * @param token          bearer token with the {@code pull} scope, presented upstream; null for none
 * @param caFile         CA bundle for {@code https} upstreams; null for the JVM's default trust
 * @param httpAddress    the role's own listener
 * @param credentials    who may use that listener; null for an open one
 * @param maxBatchBytes  pulled bytes held at once: a pull asks for half, applied in one SQLite
 *                       transaction while the next half arrives
 * @param pollWait       how long a pull waits upstream for new entries (long poll)
 * @param stallTimeout   silence inside an answer after which the upstream counts as stalled
 * @param readyMaxLag    {@code /readyz} fails when more entries than this are unapplied
 * @param backoffInitial first retry delay after a failure (grows ×2 with jitter)
 * @param backoffMax     longest retry delay
 * @param breakerOpen    how long a failing upstream is skipped before it is tried again
 */
public record FollowConfig(
        String nodeName,
        Path dataDir,
        List<URI> upstreams,
        String token,
        Path caFile,
        String httpAddress,
        Credentials credentials,
        int maxBatchBytes,
        Duration pollWait,
        Duration stallTimeout,
        long readyMaxLag,
        Duration backoffInitial,
        Duration backoffMax,
        Duration breakerOpen) {

    public static final int DEFAULT_MAX_BATCH_BYTES = 4 << 20;
    public static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(30);
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(10);
    public static final long DEFAULT_READY_MAX_LAG = 1_000;
    public static final Duration DEFAULT_BACKOFF_INITIAL = Duration.ofMillis(100);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BREAKER_OPEN = Duration.ofSeconds(15);

    public FollowConfig {
        Objects.requireNonNull(nodeName, "node_name");
        if (nodeName.isBlank() || nodeName.contains(",")) {
            throw new IllegalArgumentException("node_name must be non-empty without commas, was '" + nodeName + "'");
        }
        Objects.requireNonNull(dataDir, "data_dir");
        upstreams = List.copyOf(upstreams);
        new FollowerSettings(nodeName, dataDir, upstreams, maxBatchBytes, pollWait, backoffInitial, backoffMax,
                breakerOpen); // checks the follower's keys (the fields are not assigned yet)
        YamlConfig.hostPort(httpAddress, "http_address");
        if (stallTimeout.toMillis() < 100) {
            throw new IllegalArgumentException("stall_timeout_ms cannot be less than 100, was " + stallTimeout.toMillis());
        }
        if (readyMaxLag < 0) {
            throw new IllegalArgumentException("ready_max_lag cannot be negative, was " + readyMaxLag);
        }
    }

    /** Defaults for everything but identity, data, upstreams and the listener; nothing presented, open. */
    public static FollowConfig of(String nodeName, Path dataDir, List<URI> upstreams, String httpAddress) {
        return new FollowConfig(nodeName, dataDir, upstreams, null, null, httpAddress, null, DEFAULT_MAX_BATCH_BYTES,
                DEFAULT_POLL_WAIT, DEFAULT_STALL_TIMEOUT, DEFAULT_READY_MAX_LAG, DEFAULT_BACKOFF_INITIAL,
                DEFAULT_BACKOFF_MAX, DEFAULT_BREAKER_OPEN);
    }

    public FollowConfig withHttpAddress(String value) {
        return new FollowConfig(nodeName, dataDir, upstreams, token, caFile, value, credentials, maxBatchBytes,
                pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    public FollowConfig withTiming(Duration poll, Duration stall, Duration initialBackoff, Duration maxBackoff,
                                   Duration open) {
        return new FollowConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, credentials, maxBatchBytes,
                poll, stall, readyMaxLag, initialBackoff, maxBackoff, open);
    }

    /** What is presented upstream: a bearer token with the {@code pull} scope, and the CA to trust. */
    public FollowConfig withUpstreamAuth(String bearerToken, Path ca) {
        return new FollowConfig(nodeName, dataDir, upstreams, bearerToken, ca, httpAddress, credentials, maxBatchBytes,
                pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    /** Who may use the role's listener; null opens it. */
    public FollowConfig withCredentials(Credentials value) {
        return new FollowConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, value, maxBatchBytes,
                pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    public FollowConfig withMaxBatchBytes(int value) {
        return new FollowConfig(nodeName, dataDir, upstreams, token, caFile, httpAddress, credentials, value,
                pollWait, stallTimeout, readyMaxLag, backoffInitial, backoffMax, breakerOpen);
    }

    /** The {@link Follower}'s part, applying to {@code databaseFile}. */
    public FollowerSettings settings(Path databaseFile) {
        return new FollowerSettings(nodeName, databaseFile, upstreams, maxBatchBytes, pollWait, backoffInitial,
                backoffMax, breakerOpen);
    }

    /** How pulls upstream present this node: its name, {@code role}, token, stall timeout and trust. */
    public PullClient.Options pullOptions(String role) throws IOException {
        PullClient.Options options = PullClient.Options.of(nodeName).withRole(role).withToken(token)
                .withStallTimeout(stallTimeout);
        return caFile == null ? options : options.withSsl(Tls.client(caFile));
    }

    public String httpHost() {
        return httpAddress.substring(0, httpAddress.lastIndexOf(':'));
    }

    public int httpPort() {
        return Integer.parseInt(httpAddress.substring(httpAddress.lastIndexOf(':') + 1));
    }
}
