package dev.edgelog.edge;

import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerStatus;
import dev.edgelog.edge.http.LocalApi;
import java.io.IOException;
import java.time.Clock;

/**
 * A running edge agent: the follower loop writing {@link EdgeConfig#databaseFile()} and the local
 * status API. Start with {@link #start(EdgeConfig)}; {@link #close()} stops both.
 */
public final class EdgeAgent implements AutoCloseable {

    private final EdgeConfig config;
    private final Follower follower;
    private final LocalApi api;

    private EdgeAgent(EdgeConfig config) throws IOException {
        this.config = config;
        Clock clock = Clock.systemUTC();
        this.follower = new Follower(config.followerSettings(), config.follow().pullOptions("edge"), clock);
        try {
            this.api = new LocalApi(config, follower, clock);
        } catch (RuntimeException e) {
            closeQuietly(follower);
            throw e;
        }
        follower.start();
    }

    public static EdgeAgent start(EdgeConfig config) throws IOException {
        return new EdgeAgent(config);
    }

    public EdgeConfig config() {
        return config;
    }

    public FollowerStatus status() {
        return follower.status();
    }

    public Follower follower() {
        return follower;
    }

    public int httpPort() {
        return api.port();
    }

    private static void closeQuietly(Follower f) {
        try {
            f.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        api.close();
        closeQuietly(follower);
    }
}
