package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

class MirrorConfigFileTest {

    @TempDir
    Path dir;

    private MirrorConfig load(String yaml) throws Exception {
        Path f = dir.resolve("mirror.yaml");
        Files.writeString(f, yaml);
        return MirrorConfigFile.load(f, null, null);
    }

    @Test
    void when_onlyTheEssentialsAreGiven_then_everythingElseHasItsDefault() throws Exception {
        MirrorConfig c = load("node_name: m1\ndata_dir: data\nupstreams: [\"http://10.0.0.1:4001\"]\n");
        assertEquals("m1", c.follow().nodeName());
        assertEquals(dir.resolve("data").resolve("mirror.db"), c.databaseFile(), "relative to the config file");
        assertEquals(MirrorConfig.DEFAULT_HTTP_ADDRESS, c.follow().httpAddress());
        assertEquals(MirrorConfig.DEFAULT_FLEET_REPORT, c.fleetReport());
        assertEquals(0, c.segments().retentionBytes());
        assertEquals(FsyncPolicy.everyBatch(), c.segments().fsyncPolicy(), "a mirror's segments are its durable log");
        assertNull(c.follow().credentials());
        assertNull(c.follow().token());
        assertNull(c.tls());
    }

    @Test
    void when_keysAreSet_then_theyAreUsed() throws Exception {
        Files.writeString(dir.resolve("pull.token"), "up-secret\n");
        Files.writeString(dir.resolve("tokens.json"), "[{\"name\": \"edges\", \"sha256\": \""
                + Credentials.sha256("edge-secret") + "\", \"scopes\": [\"pull\"]}]");
        MirrorConfig c = load("node_name: m1\ndata_dir: /var/lib/m\nupstreams: [\"http://p:1\", \"http://m0:4201\"]\n"
                + "token_file: pull.token\nauth: {tokens_file: tokens.json}\n"
                + "tls: {cert_file: m.crt, key_file: m.key}\nhttp_address: 127.0.0.1:4300\n"
                + "segments: {segment_bytes: 1048576, retention_bytes: 1073741824, retention_ms: 86400000}\n"
                + "fleet_report_ms: 1000\nworker_threads: 4\npoll_wait_ms: 1000\n");
        assertEquals("up-secret", c.follow().token());
        assertNotNull(c.follow().credentials());
        assertEquals(dir.resolve("m.crt"), c.tls().certFile());
        assertEquals(4300, c.follow().httpPort());
        assertEquals(1 << 20, c.segments().segmentBytes());
        assertEquals(1L << 30, c.segments().retentionBytes());
        assertEquals(Duration.ofSeconds(1), c.fleetReport());
        assertEquals(4, c.workerThreads());
        assertEquals(2, c.follow().upstreams().size());
    }

    @Test
    void when_theFileIsWrong_then_theErrorNamesTheProblem() {
        String ok = "data_dir: d\nupstreams: [\"http://p:1\"]\n";
        assertTrue(message(ok + "retention: 5\n").contains("retention"));
        assertTrue(message("upstreams: [\"http://p:1\"]\n").contains("data_dir"));
        assertTrue(message("data_dir: d\n").contains("upstreams"));
        assertTrue(message(ok + "node_name: \"a,b\"\n").contains("node_name"));
        assertTrue(message(ok + "fleet_report_ms: 5\n").contains("fleet_report_ms"));
        assertTrue(message(ok + "segments: {fsync: sometimes}\n").contains("segments.fsync"));
        assertTrue(message(ok + "tls: {cert_file: a.crt}\n").contains("tls.key_file"));
        assertTrue(message(ok + "http_address: nowhere\n").contains("http_address"));
        assertTrue(message(ok + "worker_threads: lots\n").contains("line 3"));
        assertTrue(message(ok + "token_file: missing.token\n").contains("token_file"));
    }

    private String message(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> load(yaml)).getMessage();
    }

    @Test
    void when_noAuthIsConfigured_then_theMirrorRefusesToStartUnlessInsecure() throws Exception {
        Path f = dir.resolve("open.yaml");
        Files.writeString(f, "data_dir: d\nupstreams: [\"http://127.0.0.1:1\"]\n");
        assertEquals(2, new CommandLine(new MirrorMain()).execute("--config", f.toString()));
        Files.writeString(f, "data_dir: d\nupstreams: [\"http://127.0.0.1:1\"]\nunknown_key: 1\n");
        assertEquals(2, new CommandLine(new MirrorMain()).execute("--config", f.toString(), "--insecure"));
    }
}
