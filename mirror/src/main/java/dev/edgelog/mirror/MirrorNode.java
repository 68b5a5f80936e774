package dev.edgelog.mirror;

import dev.edgelog.mirror.http.MirrorHttpApi;
import dev.edgelog.mirror.relay.FleetReporter;
import dev.edgelog.mirror.relay.MirrorLog;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerStatus;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.pull.PullService;
import dev.edgelog.sqllog.segment.SegmentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running mirror: a follower that applies the log to a SQLite replica and appends its frames to
 * the mirror's segments ({@link MirrorLog}), the pull API over them for the tier below, and a
 * reporter that sends the fleet below upstream. Start with {@link #start(MirrorConfig)};
 * {@link #close()} stops everything.
 */
public final class MirrorNode implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorNode.class);

    private final MirrorConfig config;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final SegmentStore segments;
    private final Follower follower;
    private final PullService pull;
    private final MirrorHttpApi api;

    private MirrorNode(MirrorConfig config) throws IOException {
        this.config = config;
        Clock clock = Clock.systemUTC();
        try {
            Files.createDirectories(config.follow().dataDir());
            segments = remember(SegmentStore.open(config.follow().dataDir().resolve("log"), config.segments(), clock));
            MirrorLog log = new MirrorLog(config.follow().nodeName(), segments, config.databaseFile());
            PullClient.Options options = config.follow().pullOptions("mirror");
            follower = remember(new Follower(config.followerSettings(), options, clock, log));
            log.attach(follower);
            pull = remember(new PullService(config.follow().nodeName(), log, config.follow().credentials(),
                    config.follow().dataDir().resolve("pull-snapshots"), clock));
            FleetReporter reporter = remember(new FleetReporter(follower, pull.fleet(), options, config.fleetReport()));
            api = remember(new MirrorHttpApi(config, follower, pull, segments, reporter, clock));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        follower.start();
        LOG.info("{}: mirror serving on {}:{}, following {}", config.follow().nodeName(), config.follow().httpHost(), api.port(),
                config.follow().upstreams());
    }

    private <T extends AutoCloseable> T remember(T resource) {
        opened.add(0, resource); // closed in reverse order of opening
        return resource;
    }

    public static MirrorNode start(MirrorConfig config) throws IOException {
        return new MirrorNode(config);
    }

    public MirrorConfig config() {
        return config;
    }

    public int httpPort() {
        return api.port();
    }

    public FollowerStatus status() {
        return follower.status();
    }

    public SegmentStore segments() {
        return segments;
    }

    public PullService pullService() {
        return pull;
    }

    @Override
    public void close() {
        for (AutoCloseable c : opened) {
            try {
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("{}: closing {} failed: {}", config.follow().nodeName(), c, e.toString());
            }
        }
        opened.clear();
    }
}
