package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.segment.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PrimaryConfigFileTest {

    private static final String PEERS = "peers:\n"
            + "  - {id: n1, raft_address: \"127.0.0.1:7001\", http_address: \"127.0.0.1:4001\"}\n"
            + "  - {id: n2, raft_address: \"127.0.0.1:7002\", http_address: \"127.0.0.1:4002\"}\n";
    private static final String ESSENTIALS = "node_id: n1\ndata_dir: data\n" + PEERS;

    @TempDir
    Path dir;

    private PrimaryConfig load(String yaml) throws Exception {
        Path f = dir.resolve("primary.yaml");
        Files.writeString(f, yaml);
        return PrimaryConfigFile.load(f, null, null);
    }

    @Test
    void when_onlyTheEssentialsAreGiven_then_everythingElseHasItsDefault() throws Exception {
        PrimaryConfig c = load(ESSENTIALS);
        assertEquals("n1", c.nodeId());
        assertEquals(2, c.peers().size());
        assertEquals(4001, c.self().httpPort());
        assertEquals(PrimaryConfig.DEFAULT_CLUSTER_NAME, c.clusterName());
        assertEquals(PrimaryConfig.DEFAULT_MAX_BODY_BYTES, c.maxBodyBytes());
        assertEquals(PrimaryConfig.DEFAULT_SNAPSHOT_THRESHOLD, c.snapshotThreshold());
        assertEquals(PrimaryConfig.DEFAULT_RAFT_SEGMENT_BYTES, c.raftSegmentBytes());
        assertEquals(PrimaryConfig.DEFAULT_HTTP_WORKERS, c.httpWorkers());
        assertEquals(0, c.segments().retentionBytes());
        assertEquals(FsyncPolicy.never(), c.segments().fsyncPolicy(), "the Raft log makes writes durable");
        assertNull(c.credentials());
        assertNull(c.tls());
        assertEquals(PrimaryConfig.RaftTransport.AUTO, c.raftTransport());
        assertEquals(PrimaryConfig.RaftTransport.NETTY, c.transport(), "auto without tls");
        assertEquals(PrimaryConfig.DEFAULT_ELECTION_TIMEOUT_MS, c.electionTimeoutMs());
        assertFalse(c.join());
    }

    @Test
    void when_tlsIsSet_then_autoPicksGrpc() throws Exception {
        PrimaryConfig c = load(ESSENTIALS + "tls: {cert_file: n1.crt, key_file: n1.key, ca_file: ca.crt}\n");
        assertEquals(PrimaryConfig.RaftTransport.GRPC, c.transport());
        assertEquals(PrimaryConfig.RaftTransport.GRPC, load(ESSENTIALS + "raft_transport: GRPC\n").transport());
    }

    @Test
    void when_keysAreSet_then_theyAreUsed() throws Exception {
        Files.writeString(dir.resolve("tokens.json"), "[{\"name\": \"svc\", \"sha256\": \""
                + Credentials.sha256("secret") + "\", \"scopes\": [\"write\"]}]");
        PrimaryConfig c = load(ESSENTIALS + "cluster_name: ads\n"
                + "group_commit: {max_requests: 64, max_bytes: 1048576, linger_ms: 2, max_in_flight: 2,"
                + " queue_capacity: 500, strict: true}\n"
                + "max_body_bytes: 65536\nsnapshot_threshold: 500\nraft_segment_bytes: 1048576\nhttp_workers: 8\n"
                + "segments: {segment_bytes: 1048576, retention_bytes: 1073741824, fsync: every_batch}\n"
                + "auth: {tokens_file: tokens.json}\ntls: {cert_file: n1.crt, key_file: n1.key, ca_file: ca.crt}\n"
                + "raft_transport: grpc\nelection_timeout_ms: 2500\njoin: true\n");
        assertEquals("ads", c.clusterName());
        assertEquals(64, c.groupCommit().maxRequests());
        assertEquals(Duration.ofMillis(2), c.groupCommit().linger());
        assertTrue(c.groupCommit().strict());
        assertEquals(65536, c.maxBodyBytes());
        assertEquals(500, c.snapshotThreshold());
        assertEquals(1 << 20, c.raftSegmentBytes());
        assertEquals(8, c.httpWorkers());
        assertEquals(1L << 30, c.segments().retentionBytes());
        assertEquals(FsyncPolicy.everyBatch(), c.segments().fsyncPolicy());
        assertNotNull(c.credentials());
        assertEquals(dir.resolve("ca.crt"), c.tls().caFile(), "relative to the config file");
        assertEquals(PrimaryConfig.RaftTransport.GRPC, c.raftTransport());
        assertEquals(2500, c.electionTimeoutMs());
        assertTrue(c.join());
    }

    @Test
    void when_theNodeIdOrDataDirIsGivenOnTheCommandLine_then_itWins() throws Exception {
        Path f = dir.resolve("primary.yaml");
        Files.writeString(f, ESSENTIALS);
        PrimaryConfig c = PrimaryConfigFile.load(f, "n2", dir.resolve("elsewhere"));
        assertEquals("n2", c.nodeId());
        assertEquals(dir.resolve("elsewhere"), c.dataDir());
    }

    @Test
    void when_theFileIsWrong_then_theErrorNamesTheProblem() {
        assertTrue(message("data_dir: d\n" + PEERS).contains("node_id"));
        assertTrue(message("node_id: n1\n" + PEERS).contains("data_dir"));
        assertTrue(message("node_id: n1\ndata_dir: d\n").contains("peers"));
        assertTrue(message("node_id: n9\ndata_dir: d\n" + PEERS).contains("node_id n9"));
        assertTrue(message(ESSENTIALS + "snapshot_treshold: 5\n").contains("snapshot_treshold"));
        assertTrue(message(ESSENTIALS + "snapshot_threshold: 0\n").contains("snapshot_threshold"));
        assertTrue(message(ESSENTIALS + "raft_segment_bytes: 100\n").contains("raft_segment_bytes"));
        assertTrue(message(ESSENTIALS + "max_body_bytes: 10\n").contains("max_body_bytes"));
        assertTrue(message(ESSENTIALS + "http_workers: 1\n").contains("http_workers"));
        assertTrue(message(ESSENTIALS + "segments: {fsync: sometimes}\n").contains("segments.fsync"));
        assertTrue(message(ESSENTIALS + "tls: {cert_file: a.crt}\n").contains("tls.key_file"));
        assertTrue(message(ESSENTIALS + "group_commit: {max_requests: 0}\n").contains("max_requests"));
        assertTrue(message("node_id: n1\ndata_dir: d\npeers:\n  - {id: n1, raft_address: \"h:1\"}\n")
                .contains("peers[].http_address"));
        assertTrue(message("node_id: n1\ndata_dir: d\npeers:\n  - {id: n1, raft_address: \"h:x\", http_address: \"h:2\"}\n")
                .contains("raft_address"));
        assertTrue(message("node_id: n1\ndata_dir: d\npeers:\n  - {id: n1, raft_address: \"h:1\", http_address: \"h:2\"}\n"
                + "  - {id: n1, raft_address: \"h:3\", http_address: \"h:4\"}\n").contains("twice"));
        assertTrue(message(ESSENTIALS + "http_workers: lots\n").contains("line"));
        assertTrue(message(ESSENTIALS + "election_timeout_ms: 10\n").contains("election_timeout_ms"));
        assertTrue(message(ESSENTIALS + "raft_transport: quic\n").contains("raft_transport must be auto, grpc or netty"));
        assertTrue(message(ESSENTIALS + "raft_transport: netty\ntls: {cert_file: n1.crt, key_file: n1.key, ca_file: ca.crt}\n")
                .contains("raft_transport netty has no TLS"));
    }

    private String message(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void when_noAuthIsConfigured_then_theNodeRefusesToStartUnlessInsecure_andCheckRefusesBadKeys() throws Exception {
        Path f = dir.resolve("open.yaml");
        Files.writeString(f, ESSENTIALS);
        assertEquals(0, new CommandLine(new PrimaryMain()).execute("--config", f.toString(), "--check"));
        assertEquals(2, new CommandLine(new PrimaryMain()).execute("--config", f.toString()));
        Files.writeString(f, ESSENTIALS + "unknown_key: 1\n");
        assertEquals(2, new CommandLine(new PrimaryMain()).execute("--config", f.toString(), "--check", "--insecure"));
    }
}
