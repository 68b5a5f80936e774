package dev.edgelog.edge;

import dev.edgelog.sqllog.follow.FollowConfig;
import dev.edgelog.sqllog.follow.FollowerSettings;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * One edge agent's settings; immutable once it runs. Everything is the following part shared with
 * mirrors; the agent's listener is its local status API ({@code /status}, {@code /readyz},
 * {@code /metrics}), open by default because it binds 127.0.0.1 (the command refuses an open API on
 * any other address without {@code --insecure}).
 *
 * @param follow whom it follows and how, what it presents upstream, its local API
 */
public record EdgeConfig(FollowConfig follow) {

    public static final String DEFAULT_HTTP_ADDRESS = "127.0.0.1:4101";

    public EdgeConfig {
        Objects.requireNonNull(follow, "follow");
    }

    /** Defaults for everything but identity, data and upstreams; an open local API on loopback. */
    public static EdgeConfig of(String nodeName, Path dataDir, List<URI> upstreams) {
        return new EdgeConfig(FollowConfig.of(nodeName, dataDir, upstreams, DEFAULT_HTTP_ADDRESS));
    }

    /** This configuration with {@code change} applied to its following part. */
    public EdgeConfig with(UnaryOperator<FollowConfig> change) {
        return new EdgeConfig(change.apply(follow));
    }

    /** The follower's part of this configuration. */
    public FollowerSettings followerSettings() {
        return follow.settings(databaseFile());
    }

    /** The database ad servers read. */
    public Path databaseFile() {
        return follow.dataDir().resolve("edge.db");
    }
}
