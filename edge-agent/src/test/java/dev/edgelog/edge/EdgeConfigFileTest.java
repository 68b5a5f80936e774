package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeConfigFileTest {

    @TempDir
    Path dir;

    private EdgeConfig load(String yaml) throws Exception {
        Path f = dir.resolve("edge.yaml");
        Files.writeString(f, yaml);
        return EdgeConfigFile.load(f, null, null);
    }

    @Test
    void when_onlyTheEssentialsAreGiven_then_everythingElseHasItsDefault() throws Exception {
        EdgeConfig c = load("node_name: e1\ndata_dir: data\nupstreams: [\"http://10.0.0.1:4001\", \"https://m1:4001\"]\n");
        assertEquals("e1", c.nodeName());
        assertEquals(dir.resolve("data"), c.dataDir(), "relative to the config file");
        assertEquals(List.of(URI.create("http://10.0.0.1:4001"), URI.create("https://m1:4001")), c.upstreams());
        assertEquals(EdgeConfig.DEFAULT_HTTP_ADDRESS, c.httpAddress());
        assertEquals(EdgeConfig.DEFAULT_POLL_WAIT, c.pollWait());
        assertNull(c.token());
        assertEquals(dir.resolve("data").resolve("edge.db"), c.databaseFile());
    }

    @Test
    void when_keysAreSet_then_theyAreUsedAndTheTokenIsReadFromItsFile() throws Exception {
        Files.writeString(dir.resolve("pull.token"), "s3cret\n");
        EdgeConfig c = load("node_name: e1\ndata_dir: /var/lib/e\nupstreams: [\"http://p:1\"]\ntoken_file: pull.token\n"
                + "http_address: 127.0.0.1:5000\npoll_wait_ms: 1000\nstall_timeout_ms: 2000\nready_max_lag: 5\n"
                + "backoff: {initial_ms: 10, max_ms: 20}\nbreaker_open_ms: 300\nmax_batch_bytes: 65536\n");
        assertEquals("s3cret", c.token());
        assertEquals(5000, c.httpPort());
        assertEquals(Duration.ofSeconds(1), c.pollWait());
        assertEquals(Duration.ofSeconds(2), c.stallTimeout());
        assertEquals(5, c.readyMaxLag());
        assertEquals(Duration.ofMillis(10), c.backoffInitial());
        assertEquals(Duration.ofMillis(300), c.breakerOpen());
        assertEquals(65536, c.maxBatchBytes());
    }

    @Test
    void when_theFileIsWrong_then_theErrorNamesTheProblem() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(
                "data_dir: d\nupstreams: [\"http://p:1\"]\nupstream_list: []\n")).getMessage().contains("upstream_list"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load("upstreams: [\"http://p:1\"]\n"))
                .getMessage().contains("data_dir"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load("data_dir: d\n"))
                .getMessage().contains("upstreams"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load("data_dir: d\nupstreams: [\"ftp://p:1\"]\n"))
                .getMessage().contains("ftp://p:1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(
                "data_dir: d\nupstreams: [\"http://p:1\"]\npoll_wait_ms: 70000\n")).getMessage().contains("poll_wait_ms"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> load(
                "data_dir: d\nupstreams: [\"http://p:1\"]\nbackoff: {initial_ms: 50, max_ms: 10}\n")).getMessage()
                .contains("backoff"));
    }
}
