package dev.edgelog.primary;

import dev.edgelog.primary.commit.GroupCommitSettings;
import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.config.AuthSection;
import dev.edgelog.sqllog.config.SegmentsSection;
import dev.edgelog.sqllog.config.TlsSection;
import dev.edgelog.sqllog.config.YamlConfig;
import dev.edgelog.sqllog.segment.FsyncPolicy;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The YAML form of {@link PrimaryConfig}. Every key but {@code node_id}, {@code data_dir} and
 * {@code peers} has a default; an unknown key is an error naming it, not silently ignored.
 *
 * <pre>
 * node_id: n1
 * data_dir: /var/lib/edgelog/primary
 * peers:
 *   - {id: n1, raft_address: "10.0.0.1:7001", http_address: "10.0.0.1:4001"}
 * cluster_name: edgelog
 * group_commit: {max_requests: 1024, max_bytes: 4194304, linger_ms: 0, max_in_flight: 4,
 *                queue_capacity: 10000, strict: false}
 * max_body_bytes: 8388608
 * snapshot_threshold: 10000
 * raft_segment_bytes: 8388608
 * http_workers: 256
 * raft_transport: auto   # netty without tls, grpc with it; or grpc / netty explicitly
 * election_timeout_ms: 1000
 * segments: {segment_bytes: 67108864, retention_bytes: 0, retention_ms: 0, fsync: never}   # forced at snapshots
 * auth: {users_file: /etc/edgelog/users.json, tokens_file: /etc/edgelog/tokens.json}
 * tls: {cert_file: node.crt, key_file: node.key, ca_file: ca.crt}
 * join: false   # true: a new member of a running cluster, added with POST /admin/members
 * </pre>
 */
public final class PrimaryConfigFile {

    record Peer(String id, String raftAddress, String httpAddress) {
    }

    record GroupCommit(Integer maxRequests, Integer maxBytes, Long lingerMs, Integer maxInFlight, Integer queueCapacity,
                       Boolean strict) {
    }

    record File(String nodeId, String clusterName, String dataDir, List<Peer> peers, GroupCommit groupCommit,
                Integer maxBodyBytes, Long snapshotThreshold, Long raftSegmentBytes, Integer httpWorkers,
                SegmentsSection segments, AuthSection auth, TlsSection tls, String raftTransport, Long electionTimeoutMs, Boolean join) {
    }

    private PrimaryConfigFile() {
    }

    /** Reads and validates {@code path}; flags given on the command line override its keys. */
    public static PrimaryConfig load(Path path, String nodeIdOverride, Path dataDirOverride) throws IOException {
        File f = YamlConfig.read(path, File.class);
        PrimaryConfig c = toConfig(f, nodeIdOverride, dataDirOverride);
        c = c.withCredentials(AuthSection.load(path, f.auth())); // paths relative to the config file
        TlsSection.Files tls = TlsSection.resolve(path, f.tls(), true);
        if (tls != null) {
            c = c.withTls(new PrimaryConfig.TlsFiles(tls.certFile(), tls.keyFile(), tls.caFile()));
        }
        return c;
    }

    static PrimaryConfig toConfig(File f, String nodeIdOverride, Path dataDirOverride) {
        String nodeId = nodeIdOverride != null ? nodeIdOverride : require(f.nodeId(), "node_id");
        Path dataDir = dataDirOverride != null ? dataDirOverride : Path.of(require(f.dataDir(), "data_dir"));
        if (f.peers() == null || f.peers().isEmpty()) {
            throw new IllegalArgumentException("peers is required: every voter with id, raft_address, http_address");
        }
        List<PrimaryConfig.Peer> peers = f.peers().stream()
                .map(p -> new PrimaryConfig.Peer(require(p.id(), "peers[].id"),
                        require(p.raftAddress(), "peers[].raft_address"),
                        require(p.httpAddress(), "peers[].http_address")))
                .toList();
        return new PrimaryConfig(nodeId, or(f.clusterName(), PrimaryConfig.DEFAULT_CLUSTER_NAME), dataDir, peers,
                groupCommit(f.groupCommit()), or(f.maxBodyBytes(), PrimaryConfig.DEFAULT_MAX_BODY_BYTES),
                SegmentsSection.toConfig(f.segments(), PrimaryConfig.DEFAULT_SEGMENTS), or(f.snapshotThreshold(), PrimaryConfig.DEFAULT_SNAPSHOT_THRESHOLD),
                or(f.raftSegmentBytes(), PrimaryConfig.DEFAULT_RAFT_SEGMENT_BYTES),
                or(f.httpWorkers(), PrimaryConfig.DEFAULT_HTTP_WORKERS), null, null, transport(f.raftTransport()),
                or(f.electionTimeoutMs(), PrimaryConfig.DEFAULT_ELECTION_TIMEOUT_MS), or(f.join(), false));
    }

    private static PrimaryConfig.RaftTransport transport(String value) {
        if (value == null) {
            return PrimaryConfig.RaftTransport.AUTO;
        }
        try {
            return PrimaryConfig.RaftTransport.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("raft_transport must be auto, grpc or netty, was " + value);
        }
    }

    private static GroupCommitSettings groupCommit(GroupCommit g) {
        GroupCommitSettings d = GroupCommitSettings.defaults();
        if (g == null) {
            return d;
        }
        return new GroupCommitSettings(or(g.maxRequests(), d.maxRequests()), or(g.maxBytes(), d.maxBytes()),
                g.lingerMs() == null ? d.linger() : Duration.ofMillis(g.lingerMs()),
                or(g.maxInFlight(), d.maxInFlight()), or(g.queueCapacity(), d.queueCapacity()),
                or(g.strict(), d.strict()));
    }

    private static String require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + " is required");
        }
        return value;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
