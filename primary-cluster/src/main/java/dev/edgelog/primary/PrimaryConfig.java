package dev.edgelog.primary;

import dev.edgelog.primary.commit.GroupCommitSettings;
import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.segment.FsyncPolicy;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One primary node's settings; immutable once the node runs.
 *
 * @param nodeId            this node's id; must be one of {@code peers}
 * @param clusterName       names the Raft group (every node of a cluster uses the same)
 * @param dataDir           Raft log, SQLite file, SQL-log segments, log id
 * @param peers             every voter of the cluster, this node included
 * @param groupCommit       group-commit bounds and the write queue
 * @param maxBodyBytes      larger request bodies are refused with 413
 * @param segments          SQL-log segment settings (retention, fsync)
 * @param snapshotThreshold Raft entries between automatic snapshots (the Raft log is purged up to them)
 * @param raftSegmentBytes  size of a Raft log segment file; only closed segments are purged, so this
 *                          bounds how much Raft log outlives a snapshot (and small values make a
 *                          lagging follower catch up by snapshot install sooner)
 * @param httpWorkers       threads serving HTTP requests (a write holds one until it is applied)
 * @param credentials       who may do what on the HTTP API; null only for an explicitly insecure node
 * @param tls               PEM files for HTTPS and for verifying peers when forwarding; null for HTTP
 * @param raftTransport     how the nodes talk Raft; see {@link RaftTransport}
 * @param electionTimeoutMs a follower that hears nothing from the leader for a random time between
 *                          this and twice this starts an election; heartbeats go at half of it
 * @param join              start as a new member of a running cluster (an empty Raft group that the
 *                          leader adds through {@code POST /admin/members}); {@code peers} then lists
 *                          the running members and this node
 */
public record PrimaryConfig(
        String nodeId,
        String clusterName,
        Path dataDir,
        List<Peer> peers,
        GroupCommitSettings groupCommit,
        int maxBodyBytes,
        SegmentStoreConfig segments,
        long snapshotThreshold,
        long raftSegmentBytes,
        int httpWorkers,
        Credentials credentials,
        TlsFiles tls,
        RaftTransport raftTransport,
        long electionTimeoutMs,
        boolean join) {

    /**
     * The Raft transport. Netty answers a single write in about half the time gRPC does on the
     * benchmark machine and carries more writes per core (benchmarks/RESULTS.md), but Ratis's Netty
     * transport has no TLS, so {@link #AUTO} picks Netty for a plaintext cluster and gRPC (mutual
     * TLS from the node's PEM files) when {@code tls} is set. Every node of a cluster must use the
     * same transport.
     */
    public enum RaftTransport {
        AUTO, GRPC, NETTY
    }

    /**
     * TLS material as PEM files.
     *
     * @param certFile the node's certificate chain (its SANs must cover the peers' http addresses)
     * @param keyFile  its PKCS#8 private key
     * @param caFile   the CA bundle that signed the peers' certificates
     */
    public record TlsFiles(Path certFile, Path keyFile, Path caFile) {
        public TlsFiles {
            Objects.requireNonNull(certFile, "tls.cert_file");
            Objects.requireNonNull(keyFile, "tls.key_file");
            Objects.requireNonNull(caFile, "tls.ca_file");
        }
    }

    public static final String DEFAULT_CLUSTER_NAME = "edgelog";
    public static final int DEFAULT_MAX_BODY_BYTES = 8 << 20;
    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 10_000;
    /**
     * A primary's segments are not forced per batch: the Raft log, fsynced on a majority before a
     * write is acknowledged, is what makes it durable, and the state machine forces the segments at
     * every snapshot, which is all its crash recovery needs (it rebuilds a tail lost in an
     * operating-system crash from the snapshot and the Raft log). An fsync per batch on every node
     * cost 8-23 % of the writes per second at 100 writers (benchmarks/RESULTS.md).
     */
    public static final SegmentStoreConfig DEFAULT_SEGMENTS = SegmentStoreConfig.defaults().withFsyncPolicy(FsyncPolicy.never());
    public static final long DEFAULT_RAFT_SEGMENT_BYTES = 8 << 20;
    public static final int DEFAULT_HTTP_WORKERS = 256;
    /** etcd's and rqlite's default too: Ratis's 150 ms lost the leader to a 300 ms JVM stall under load. */
    public static final long DEFAULT_ELECTION_TIMEOUT_MS = 1_000;

    /**
     * A cluster member.
     *
     * @param id          node id
     * @param raftAddress host:port of its Raft listener
     * @param httpAddress host:port of its HTTP API
     */
    public record Peer(String id, String raftAddress, String httpAddress) {
        public Peer {
            Objects.requireNonNull(id, "peers[].id");
            Objects.requireNonNull(raftAddress, "peers[].raft_address");
            Objects.requireNonNull(httpAddress, "peers[].http_address");
        }

        public int raftPort() {
            return port(raftAddress, "raft_address");
        }

        public int httpPort() {
            return port(httpAddress, "http_address");
        }

        public String httpHost() {
            return httpAddress.substring(0, httpAddress.lastIndexOf(':'));
        }

        public String raftHost() {
            return raftAddress.substring(0, raftAddress.lastIndexOf(':'));
        }

        private int port(String address, String key) {
            int colon = address.lastIndexOf(':');
            try {
                return Integer.parseInt(address.substring(colon + 1));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("peers[" + id + "]." + key + " must be host:port, was " + address);
            }
        }
    }

    public PrimaryConfig {
        Objects.requireNonNull(nodeId, "node_id");
        Objects.requireNonNull(dataDir, "data_dir");
        peers = List.copyOf(peers);
        Set<String> ids = new HashSet<>();
        for (Peer p : peers) {
            if (!ids.add(p.id())) {
                throw new IllegalArgumentException("peers lists node id " + p.id() + " twice");
            }
            p.raftPort();
            p.httpPort();
        }
        if (!ids.contains(nodeId)) {
            throw new IllegalArgumentException("node_id " + nodeId + " is not one of peers " + ids);
        }
        if (maxBodyBytes < 1024) {
            throw new IllegalArgumentException("max_body_bytes cannot be less than 1024, was " + maxBodyBytes);
        }
        if (snapshotThreshold < 1) {
            throw new IllegalArgumentException("snapshot_threshold cannot be less than 1, was " + snapshotThreshold);
        }
        if (raftSegmentBytes < 65_536) {
            throw new IllegalArgumentException("raft_segment_bytes cannot be less than 65536, was " + raftSegmentBytes);
        }
        if (httpWorkers < 2) {
            throw new IllegalArgumentException("http_workers cannot be less than 2, was " + httpWorkers);
        }
        Objects.requireNonNull(raftTransport, "raft_transport");
        if (electionTimeoutMs < 100) {
            throw new IllegalArgumentException("election_timeout_ms cannot be less than 100, was " + electionTimeoutMs);
        }
        if (raftTransport == RaftTransport.NETTY && tls != null) {
            throw new IllegalArgumentException("raft_transport netty has no TLS: with tls set, use grpc (or auto)");
        }
    }

    /** The transport {@link #raftTransport} stands for: {@code AUTO} resolved against {@code tls}. */
    public RaftTransport transport() {
        return raftTransport != RaftTransport.AUTO ? raftTransport : tls != null ? RaftTransport.GRPC : RaftTransport.NETTY;
    }

    /** Defaults for everything but identity and topology. */
    public static PrimaryConfig of(String nodeId, Path dataDir, List<Peer> peers) {
        return new PrimaryConfig(nodeId, DEFAULT_CLUSTER_NAME, dataDir, peers, GroupCommitSettings.defaults(),
                DEFAULT_MAX_BODY_BYTES, DEFAULT_SEGMENTS, DEFAULT_SNAPSHOT_THRESHOLD,
                DEFAULT_RAFT_SEGMENT_BYTES, DEFAULT_HTTP_WORKERS,
                null, null, RaftTransport.AUTO, DEFAULT_ELECTION_TIMEOUT_MS, false);
    }

    public PrimaryConfig withSnapshotThreshold(long value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, segments, value,
                raftSegmentBytes, httpWorkers, credentials, tls, raftTransport, electionTimeoutMs, join);
    }

    public PrimaryConfig withGroupCommit(GroupCommitSettings value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, value, maxBodyBytes, segments, snapshotThreshold,
                raftSegmentBytes, httpWorkers, credentials, tls, raftTransport, electionTimeoutMs, join);
    }

    public PrimaryConfig withSegments(SegmentStoreConfig value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, value, snapshotThreshold,
                raftSegmentBytes, httpWorkers, credentials, tls, raftTransport, electionTimeoutMs, join);
    }

    public PrimaryConfig withMaxBodyBytes(int value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, value, segments, snapshotThreshold,
                raftSegmentBytes, httpWorkers, credentials, tls, raftTransport, electionTimeoutMs, join);
    }

    public PrimaryConfig withCredentials(Credentials value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, segments,
                snapshotThreshold, raftSegmentBytes, httpWorkers, value, tls, raftTransport, electionTimeoutMs, join);
    }

    public PrimaryConfig withTls(TlsFiles value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, segments,
                snapshotThreshold, raftSegmentBytes, httpWorkers, credentials, value, raftTransport, electionTimeoutMs, join);
    }

    public PrimaryConfig withRaftTransport(RaftTransport value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, segments,
                snapshotThreshold, raftSegmentBytes, httpWorkers, credentials, tls, value, electionTimeoutMs, join);
    }

    public PrimaryConfig withElectionTimeoutMs(long value) {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, segments,
                snapshotThreshold, raftSegmentBytes, httpWorkers, credentials, tls, raftTransport, value, join);
    }

    public PrimaryConfig asJoining() {
        return new PrimaryConfig(nodeId, clusterName, dataDir, peers, groupCommit, maxBodyBytes, segments,
                snapshotThreshold, raftSegmentBytes, httpWorkers, credentials, tls, raftTransport, electionTimeoutMs, true);
    }

    /** This node's peer entry. */
    public Peer self() {
        return peer(nodeId);
    }

    /** The peer with {@code id}, or null. */
    public Peer peer(String id) {
        for (Peer p : peers) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        return null;
    }
}
